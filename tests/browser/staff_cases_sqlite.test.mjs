// The staff app's cases pages and client-portal card against lexosd on SQLite.
import { staffCasesSuite } from './support/staff_cases.mjs';

staffCasesSuite({ backend: 'sqlite' });
