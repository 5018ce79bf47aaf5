// Firm administration against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { firmAdminSuite } from './support/firm_admin.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(firmAdminSuite);
