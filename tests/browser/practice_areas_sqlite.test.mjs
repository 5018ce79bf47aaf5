// Practice areas in the staff app and the portal against lexosd on SQLite.
import { practiceAreasSuite } from './support/practice_areas.mjs';

practiceAreasSuite({ backend: 'sqlite' });
