// The firm's templates (staff view "templates", documents.read): the firm's own forms and
// precedents — name, folder, type, size, who uploaded it and when, Download — and, with
// documents.write, upload (drop zone or picker, a progress row per file; the uploader of
// parts.js, as on the case card) and delete behind a confirmation. Templates are firm-only:
// there is no share switch here and no portal screen for them (docs/documents.md).

import {
  h, icon, replace, srOnly, uid, api, upload, can, dateTime, pageHeader, dataTable, focusElement,
} from '/shared/js/kit.js';
import { feedback, sizeText, styles, typeBadge, uploader } from './parts.js';

/** The download address of a template. */
function contentHref(id) {
  return `/api/v1/document-templates/${encodeURIComponent(String(id))}/content`;
}

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Templates');
  const mayWrite = can('documents.write');
  const heading = h('h1', { text: 'Templates' });
  const { status, errorEl, announce, showError } = feedback();
  const listEl = h('div', { class: 'doc-templates' }, h('p', { class: 'loading muted', role: 'status', text: 'Loading the templates\u2026' }));
  let items = [];

  let drop = null;
  if (mayWrite) {
    const folderId = uid('tplfolder');
    const folder = h('input', { type: 'text', id: folderId, maxlength: 500, placeholder: 'e.g. Engagement', autocomplete: 'off' });
    drop = uploader({
      text: 'Drop the firm\u2019s forms and precedents here, or',
      alive: ctx.alive,
      extra: h('span', { class: 'doc-folder-field' }, h('label', { for: folderId, text: 'Folder (optional)' }), folder),
      send: (file, onProgress) => upload('document-templates', file,
        { query: { name: file.name, folder: folder.value.trim() }, onProgress }),
      saved: (t, file) => {
        items = items.filter((x) => x.id !== t.id).concat([t]);
        draw();
        announce(`${file.name} added to the templates.`);
      },
    });
  }

  mount.append(h('section', { class: 'page' },
    pageHeader(heading, 'The firm\u2019s own forms and precedents. Only the firm\u2019s staff see them: templates are never shared with clients.'),
    drop ? h('section', { class: 'card', 'aria-label': 'Upload templates' }, drop.el) : null,
    errorEl, listEl, status));

  try {
    const data = await api('GET', 'document-templates');
    items = Array.isArray(data && data.items) ? data.items : [];
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    replace(listEl, h('p', { class: 'alert alert-error', role: 'alert', text: `The templates could not be loaded. ${err.message}` }));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  draw();
  return { focus: heading };

  function draw() {
    items.sort((a, b) => (a.folder || '').localeCompare(b.folder || '') || a.name.localeCompare(b.name) || a.id - b.id);
    heading.textContent = items.length ? `Templates (${items.length})` : 'Templates';
    if (!items.length) {
      replace(listEl, h('div', { class: 'empty-state' }, icon('doc', 'icon empty-icon'),
        h('p', { text: mayWrite ? 'No templates yet. Upload the firm\u2019s forms and precedents above.' : 'The firm has no templates yet.' })));
      return;
    }
    const columns = [['col-name', 'Name'], ['col-folder', 'Folder'], ['col-type', 'Type'], ['col-size', 'Size'],
      ['col-uploaded', 'Uploaded'], ['col-actions', 'Actions']];
    replace(listEl, dataTable({ cls: 'doc-templates-table', caption: 'The firm\u2019s templates', columns }, items.map(row)));
  }

  function row(t) {
    const nameId = uid('tpl');
    const actions = h('div', { class: 'doc-template-actions' });
    const cell = (col, label, content) => h('td', { class: col, dataset: { label } }, content);
    const tr = h('tr', { dataset: { id: String(t.id) } },
      cell('col-name', 'Name', h('span', { class: 'doc-name', id: nameId, text: t.name })),
      cell('col-folder', 'Folder', t.folder ? h('span', { text: t.folder }) : h('span', { class: 'muted' }, '\u2014', srOnly('no folder'))),
      cell('col-type', 'Type', typeBadge(t.content_type)),
      cell('col-size', 'Size', h('span', { class: 'nowrap', text: sizeText(t.size) })),
      cell('col-uploaded', 'Uploaded', h('span', {},
        `${t.author_name || 'Someone at the firm'}, `, h('time', { datetime: t.created_at, text: dateTime(t.created_at) }))),
      cell('col-actions', 'Actions', actions));
    const showActions = () => {
      replace(actions,
        h('a', { class: 'btn btn-small', href: contentHref(t.id), download: t.name },
          icon('right', 'icon icon-sm'), h('span', { text: 'Download' }), srOnly(` ${t.name}`)),
        mayWrite ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: () => ask() },
          icon('cross', 'icon icon-sm'), h('span', { text: 'Delete' }), srOnly(` ${t.name}`)) : null);
    };
    // Deleting is for good (templates have no trash), so it asks first, in the row.
    const ask = () => {
      const qId = uid('q');
      const cancel = h('button', { type: 'button', class: 'btn btn-small',
        onclick: () => {
          showActions();
          actions.querySelector('button').focus();
        } }, h('span', { text: 'Cancel' }));
      const yes = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-describedby': qId,
        onclick: () => remove(yes) }, h('span', { text: 'Delete template' }));
      const box = h('div', { class: 'doc-confirm', role: 'group', 'aria-labelledby': qId },
        h('p', { class: 'doc-confirm-text', id: qId, text: `Delete ${t.name}? It goes for everyone at the firm and cannot be restored.` }),
        h('div', { class: 'doc-confirm-buttons' }, yes, cancel));
      replace(actions, box);
      focusElement(box);
    };
    const remove = async (btn) => {
      errorEl.hidden = true;
      btn.disabled = true;
      try {
        await api('DELETE', `document-templates/${encodeURIComponent(String(t.id))}`);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showActions();
        showError(`${t.name} could not be deleted. ${err.message}`);
        return;
      }
      if (!ctx.alive()) return;
      items = items.filter((x) => x.id !== t.id);
      draw();
      focusElement(heading);
      announce(`${t.name} deleted.`);
    };
    showActions();
    return tr;
  }
}
