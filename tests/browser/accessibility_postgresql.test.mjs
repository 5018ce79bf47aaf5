// Every screen of both apps under axe-core, lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { accessibilitySuite } from './support/accessibility.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(accessibilitySuite);
