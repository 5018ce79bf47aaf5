// Plugin screens against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { pluginScreensSuite } from './support/plugin_screens.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(pluginScreensSuite);
