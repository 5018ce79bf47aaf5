// The messages module's screens (portal panel, staff inbox, case cards) against lexosd on SQLite.
import { messagesSuite } from './support/messages.mjs';

messagesSuite({ backend: 'sqlite' });
