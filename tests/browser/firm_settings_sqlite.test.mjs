// Firm settings and phone numbers against lexosd on SQLite (the embedded default).
import { firmSettingsSuite } from './support/firm_settings.mjs';

firmSettingsSuite({ backend: 'sqlite' });
