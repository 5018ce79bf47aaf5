// The firm's logo on the Firm settings page (PUT/DELETE /api/v1/firm/logo, owners). The server
// reads the file's bytes (libmagic) and keeps PNG and JPEG only, up to 512 KiB; the logo shows
// on the firm's portal sign-in page and header, in invitation e-mails and on invoices and
// receipts.

import { h, replace } from '../../shared/js/dom.js';
import { api, upload } from '../../shared/js/api.js';
import { field, errorSummary, formSection, showServerError, whileBusy } from '../../shared/js/form.js';

const MAX_BYTES = 512 * 1024;

/** The logo's part of the Firm settings page, for `firm` (GET /api/v1/firm). */
export function logoSection(firm) {
  let current = firm.logo_url || null;
  const preview = h('div', { class: 'firm-logo-preview' });
  const file = field({ label: 'Logo image', name: 'logo', type: 'file',
    hint: 'A PNG or JPEG file of at most 512 KB. It appears on your clients\u2019 portal, in invitation e-mails and on invoices and receipts.',
    attrs: { accept: 'image/png,image/jpeg' } });
  const summary = errorSummary();
  const status = h('p', { class: 'muted', role: 'status' });
  const uploadButton = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Upload logo' }));
  const removeButton = h('button', { type: 'button', class: 'btn' }, h('span', { text: 'Remove logo' }));

  function show() {
    replace(preview, current
      ? h('img', { src: current, alt: `Current logo of ${firm.name}`, class: 'firm-logo-img' })
      : h('p', { class: 'muted', text: 'No logo yet: the portal shows the firm\u2019s name only.' }));
    removeButton.hidden = !current;
  }

  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Logo' },
    summary.el,
    formSection('Logo', preview, file.el),
    h('div', { class: 'form-actions' }, uploadButton, removeButton), status);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    file.clearError();
    status.textContent = '';
    const chosen = file.control.files && file.control.files[0];
    const problem = !chosen ? 'Choose an image file for the logo.'
      : chosen.size > MAX_BYTES ? 'The logo is larger than 512 KB; choose a smaller image.' : '';
    if (problem) {
      file.setError(problem);
      summary.show([{ label: file.label, message: problem, control: file.control }]);
      return;
    }
    try {
      const answer = await whileBusy(uploadButton, 'Uploading\u2026', upload('firm/logo', chosen, { method: 'PUT' }));
      current = answer.logo_url;
      file.control.value = '';
      show();
      status.textContent = 'Logo saved.';
    } catch (err) {
      showServerError(err, summary, { logo: file });
    }
  });
  removeButton.addEventListener('click', async () => {
    summary.clear();
    status.textContent = '';
    try {
      await whileBusy(removeButton, 'Removing\u2026', api('DELETE', 'firm/logo'));
      current = null;
      show();
      status.textContent = 'Logo removed.';
      file.control.focus();
    } catch (err) {
      showServerError(err, summary, { logo: file });
    }
  });
  show();
  return form;
}
