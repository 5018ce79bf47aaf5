// The staff app's cases pages and client-portal card against lexosd on PostgreSQL (a throwaway
// cluster; support/rig.mjs).
import { staffCasesSuite } from './support/staff_cases.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(staffCasesSuite);
