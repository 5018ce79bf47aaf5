// Plugin screens against lexosd on SQLite (the embedded default).
import { pluginScreensSuite } from './support/plugin_screens.mjs';

pluginScreensSuite({ backend: 'sqlite' });
