// The LexOS web kit: what both shells and every plugin screen build with, in one namespace.
// A plugin's render(mount, kit, ctx) receives it as `kit`; a plugin module may also import it
// itself: `import { h, api, field } from '/shared/js/kit.js';` (same module, same state).
// docs/web-kit.md is the reference.

export {
  h, append, replace, icon, logo, srOnly, focusElement, uid, useStyles,
} from './dom.js';
export { api, ApiError, upload } from './api.js';
export {
  field, errorSummary, formSection, showServerError, showProblems, button, whileBusy, isEmail, passwordProblems, showPasswords,
} from './form.js';
export {
  dateTime, calendarDate, momentText, shortDate, timeEl, todayIso, parseMoment, currentTimeZone,
  money, minorDigits, normalisePhone, looksLikePhone, phoneLink, capitalise, initials,
} from './format.js';
export { pagedList, onSearch, keepInAddress } from './paged.js';
export {
  pageHeader, breadcrumb, flashMessage, searchToolbar, dataTable, tableRow,
} from './page.js';
export { currentRoute, hrefFor } from './router.js';
export { session, can, hasModule, contributionsTo } from './session.js';
export { renderPoint, importModule } from './points.js';
export { mailFrame } from './mail_frame.js';
