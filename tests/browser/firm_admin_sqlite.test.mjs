// Firm administration (staff invitations, roles, modules, audit log) against lexosd on SQLite.
import { firmAdminSuite } from './support/firm_admin.mjs';

firmAdminSuite({ backend: 'sqlite' });
