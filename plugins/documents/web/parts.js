// Pieces of the documents module's screens (staff cards, portal section and tab): the
// stylesheet, a document's type icon and size, the "Shared with client" / "Internal" mark, and
// the portal's list of shared documents with their Download links.

import { h, icon, srOnly, useStyles, dateTime } from '/shared/js/kit.js';

/** Loads the module's stylesheet (once); resolves when it is there. */
export function styles() {
  return useStyles(new URL('./documents.css', import.meta.url));
}

/** "512 bytes", "12.4 KB", "3.1 MB" (1 KB = 1024 bytes). */
export function sizeText(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}

/** A short name for a content type: "PDF", "Image", "Word", "Spreadsheet", "Text", "File". */
export function typeName(type) {
  const t = String(type || '').toLowerCase();
  if (t === 'application/pdf') return 'PDF';
  if (t.startsWith('image/')) return 'Image';
  if (t.includes('word') || t.includes('opendocument.text') || t === 'application/rtf') return 'Word';
  if (t.includes('sheet') || t.includes('excel') || t === 'text/csv') return 'Spreadsheet';
  if (t.includes('presentation') || t.includes('powerpoint')) return 'Slides';
  if (t.startsWith('text/')) return 'Text';
  if (t.includes('zip') || t.includes('compressed')) return 'Archive';
  return 'File';
}

/** The type as a small badge with an icon and its name (never the icon alone). */
export function typeBadge(type) {
  const name = typeName(type);
  return h('span', { class: ['doc-type', `doc-type-${name.toLowerCase()}`], title: type || '' },
    icon('doc', 'icon icon-sm'), h('span', { class: 'doc-type-name', text: name }));
}

/** Who sees a document: an eye and "Shared with client", or a lock and "Internal". */
export function shareMark(shared, expired = false) {
  if (shared && expired) {
    return h('span', { class: 'doc-vis doc-vis-expired' }, icon('clock', 'icon icon-sm'), h('span', { text: 'Share expired' }));
  }
  return shared
    ? h('span', { class: 'doc-vis doc-vis-shared' }, icon('eye', 'icon icon-sm'), h('span', { text: 'Shared with client' }))
    : h('span', { class: 'doc-vis doc-vis-internal' }, icon('lock', 'icon icon-sm'), h('span', { text: 'Internal' }));
}

/** The portal's download address of a shared document. */
export function portalContentHref(id) {
  return `/api/v1/portal/documents/${encodeURIComponent(String(id))}/content`;
}

/**
 * The portal's list of shared documents: name, date shared, size, type and Download. The same
 * list serves "Preview as client" on the staff side (`download: false` leaves the links out:
 * the firm's staff cannot use the portal's address).
 */
export function portalList(items, { label, download = true, matterName = null } = {}) {
  return h('ul', { class: 'doc-portal-list', 'aria-label': label }, items.map((d) => {
    const nameId = `pdoc-${d.id}`;
    return h('li', { class: 'doc-portal-item' },
      typeBadge(d.content_type),
      h('div', { class: 'doc-portal-main' },
        h('p', { class: 'doc-name', id: nameId, text: d.name }),
        h('p', { class: 'doc-meta muted' },
          matterName ? h('span', { text: `${matterName(d.case_id)} \u00b7 ` }) : null,
          h('span', {}, 'Shared ', h('time', { datetime: d.shared_at, text: dateTime(d.shared_at) })),
          h('span', { text: ` \u00b7 ${sizeText(d.size)}` }))),
      download
        ? h('a', { class: 'btn btn-small', href: portalContentHref(d.id), download: d.name },
          icon('right', 'icon icon-sm'), h('span', { text: 'Download' }), srOnly(` ${d.name}`))
        : null);
  }));
}
