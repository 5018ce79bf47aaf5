// The documents module's screens (staff cards, portal section and tab) against lexosd on
// PostgreSQL (a throwaway cluster; support/rig.mjs).
import { documentsSuite } from './support/documents.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(documentsSuite);
