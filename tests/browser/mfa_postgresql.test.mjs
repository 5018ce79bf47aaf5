// Two-step sign-in against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { mfaSuite } from './support/mfa.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(mfaSuite);
