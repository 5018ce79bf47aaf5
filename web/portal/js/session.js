// Who is signed in to the client portal (web/shared/js/session.js does the work).
import { api, setCsrfToken } from './api.js';
import { createSession } from '../../shared/js/session.js';

export const {
  session, hasSessionHint, rememberedFirm, clearSession, loadSession, signIn, signOut,
} = createSession({ kind: 'portal', prefix: 'lexos.portal', api, setCsrfToken });
