// The API described (openapi.json validated, real answers checked, the staff app's API page)
// against lexosd on SQLite (the embedded default).
import { openApiSuite } from './support/openapi.mjs';

openApiSuite({ backend: 'sqlite' });
