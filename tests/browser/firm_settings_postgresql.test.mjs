// Firm settings and phone numbers against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { firmSettingsSuite } from './support/firm_settings.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(firmSettingsSuite);
