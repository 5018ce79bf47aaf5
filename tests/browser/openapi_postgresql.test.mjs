// The API described (openapi.json validated, real answers checked, the staff app's API page)
// against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { openApiSuite } from './support/openapi.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(openApiSuite);
