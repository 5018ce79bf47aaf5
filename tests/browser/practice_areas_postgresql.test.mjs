// Practice areas in the staff app and the portal against lexosd on PostgreSQL (a throwaway
// cluster; support/rig.mjs).
import { practiceAreasSuite } from './support/practice_areas.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(practiceAreasSuite);
