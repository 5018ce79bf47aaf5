// The messages module's screens (portal panel, staff inbox, case cards) against lexosd on
// PostgreSQL (a throwaway cluster; support/rig.mjs).
import { messagesSuite } from './support/messages.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(messagesSuite);
