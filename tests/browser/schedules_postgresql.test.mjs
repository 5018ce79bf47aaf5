// The schedules module's screens (case card, calendar, client card, portal Upcoming, ICS feed)
// against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { schedulesSuite } from './support/schedules.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(schedulesSuite);
