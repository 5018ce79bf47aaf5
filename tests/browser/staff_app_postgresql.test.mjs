// The staff app against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { staffAppSuite } from './support/suite.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(staffAppSuite);
