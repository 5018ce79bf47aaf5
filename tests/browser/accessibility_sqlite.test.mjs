// Every screen of both apps under axe-core, lexosd on SQLite (the embedded default).
import { accessibilitySuite } from './support/accessibility.mjs';

accessibilitySuite({ backend: 'sqlite' });
