// The staff app against lexosd on SQLite (the embedded default).
import { staffAppSuite } from './support/suite.mjs';

staffAppSuite({ backend: 'sqlite' });
