// Who is signed in to the staff app (web/shared/js/session.js does the work).
import { api, setCsrfToken } from './api.js';
import { createSession } from '../../shared/js/session.js';

export const {
  session, hasSessionHint, rememberedFirm, clearSession, loadSession, signIn, signOut, can, hasModule,
} = createSession({ kind: 'staff', prefix: 'lexos.staff', api, setCsrfToken });
