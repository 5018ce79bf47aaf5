// Two-step sign-in against lexosd on SQLite (the embedded default).
import { mfaSuite } from './support/mfa.mjs';

mfaSuite({ backend: 'sqlite' });
