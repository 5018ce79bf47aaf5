// The schedules module's screens (case card, calendar, client card, portal Upcoming, ICS feed)
// against lexosd on SQLite.
import { schedulesSuite } from './support/schedules.mjs';

schedulesSuite({ backend: 'sqlite' });
