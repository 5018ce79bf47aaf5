// Pieces of the documents module's screens (staff cards, the templates page, the portal's
// section and tab): the stylesheet, a document's type icon and size, the "Shared with client" /
// "Internal" mark, the malware scan's marks, the uploader (a drop zone with a file picker and a
// progress row per file) and the portal's list of shared documents with their Download links.

import { h, icon, replace, srOnly, uid, useStyles, dateTime } from '/shared/js/kit.js';

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

// ---- The malware scan (docs/documents.md, "Malware scanning") ------------------------------

/** True when a version or document's `scan` says clamd found malware: it is quarantined. */
export function isQuarantined(scan) {
  return Boolean(scan && scan.status === 'infected');
}

/** What was found, for a sentence: "Win.Test.EICAR_HDB-1", or "malware" without a name. */
function found(scan) {
  return (scan && scan.signature) || 'malware';
}

/**
 * The mark of a quarantined file: a shield and "Quarantined", and for screen readers what that
 * means (the sentence beside it, `quarantineNote`, says it for everyone). Null for anything else:
 * a clean or unscanned file carries no mark on its row.
 */
export function scanMark(scan) {
  if (!isQuarantined(scan)) return null;
  return h('span', { class: 'doc-scan doc-scan-infected' }, icon('shield', 'icon icon-sm'),
    h('span', { text: 'Quarantined' }), srOnly(': infected file'));
}

/** The sentence under a quarantined document: what was found and what that stops. */
export function quarantineNote(scan, id) {
  return h('p', { class: 'doc-quarantine-note', id },
    `The malware scanner found ${found(scan)} in this file. It is kept for the record, but it cannot be downloaded or shared with the client.`);
}

/** A version's scan status in a few words, for the version list. */
export function scanStatusText(scan) {
  const status = scan && scan.status;
  if (status === 'infected') return `Quarantined: ${found(scan)}`;
  if (status === 'clean') return 'Scanned: clean';
  if (status === 'not_scanned') return 'Not scanned';
  return status ? `Scan: ${status}` : '';
}

/** A version's scan status as a small label (red with a shield when quarantined, else quiet). */
export function scanStatus(scan) {
  const text = scanStatusText(scan);
  if (!text) return null;
  return isQuarantined(scan)
    ? h('span', { class: 'doc-scan doc-scan-infected' }, icon('shield', 'icon icon-sm'), h('span', { text }))
    : h('span', { class: ['doc-scan', scan.status === 'clean' ? 'doc-scan-clean' : 'doc-scan-quiet'], text });
}

// ---- Uploads: a drop zone with a file picker, one progress row per file --------------------

/**
 * A row for one file being uploaded: a labelled progress bar, then "Uploaded" — or, when the
 * upload's answer says clamd found malware (`upload.scan`), "Quarantined: infected file" — or
 * "Not uploaded:" and the server's message. `{ el, progress(sent, total), done(answer), failed(message) }`.
 */
/**
 * A screen's feedback: a polite live region (`announce(text)` reads a sentence out) and an
 * alert paragraph (`showError(text)`), both to be placed by the caller.
 */
export function feedback() {
  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const errorEl = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  return {
    status,
    errorEl,
    announce(text) {
      status.textContent = '';
      window.setTimeout(() => { status.textContent = text; }, 50);
    },
    showError(text) {
      errorEl.textContent = text;
      errorEl.hidden = false;
    },
  };
}

export function uploadRow(file) {
  const labelId = uid('up');
  const bar = h('progress', { max: '100', value: '0', 'aria-labelledby': labelId });
  const state = h('span', { class: 'doc-upload-state', text: 'Uploading\u2026' });
  const name = h('span', { class: 'doc-upload-name', id: labelId, text: `Uploading ${file.name}` });
  const el = h('li', { class: 'doc-upload-row is-sending' }, name, bar, state);
  return {
    el,
    progress(sent, total) {
      if (total > 0) bar.value = Math.min(99, Math.floor((sent / total) * 100));
    },
    done(answer) {
      bar.value = 100;
      name.textContent = file.name;
      const scan = answer && answer.upload && answer.upload.scan;
      if (isQuarantined(scan)) {
        el.classList.replace('is-sending', 'is-quarantined');
        replace(state, h('span', { class: 'doc-upload-quarantined', role: 'alert' }, icon('shield', 'icon icon-sm'),
          h('span', { text: `Quarantined: infected file (${found(scan)}). It cannot be downloaded or shared.` })));
        return;
      }
      el.classList.replace('is-sending', 'is-done');
      replace(state, icon('check', 'icon icon-sm'), h('span', { text: 'Uploaded' }));
    },
    failed(message) {
      el.classList.replace('is-sending', 'is-failed');
      bar.remove();
      name.textContent = file.name;
      replace(state, h('span', { class: 'doc-upload-error', role: 'alert' }, srOnly('Error: '), `Not uploaded: ${message}`));
    },
  };
}

/**
 * The uploader: a drop zone saying `text`, an **Upload** button that opens the file picker (for
 * those who cannot drag), and the list "Uploads" with a row per file. Files go one after another
 * through `send(file, onProgress)` (a promise of the server's answer); `saved(answer, file)`
 * follows each success. `alive()` false stops the loop (the person left the page). `{ el }`.
 */
export function uploader({ text, send, saved, alive = () => true, multiple = true, extra = null }) {
  const input = h('input', { type: 'file', multiple, hidden: true });
  const pick = h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: () => input.click() },
    icon('plus', 'icon icon-sm'), h('span', { text: 'Upload' }));
  const rows = h('ul', { class: 'doc-uploads', 'aria-label': 'Uploads' });
  const zone = h('div', { class: 'doc-drop' },
    icon('doc', 'icon doc-drop-icon'), h('p', { class: 'doc-drop-text', text }), extra, pick, input);
  input.addEventListener('change', () => {
    const files = Array.from(input.files || []);
    input.value = '';
    sendAll(files);
  });
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (ev) => {
      ev.preventDefault();
      zone.classList.add('is-over');
    });
  }
  zone.addEventListener('dragleave', () => zone.classList.remove('is-over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('is-over');
    const files = Array.from((ev.dataTransfer && ev.dataTransfer.files) || []);
    sendAll(multiple ? files : files.slice(0, 1));
  });

  async function sendAll(files) {
    for (const file of files) {
      const row = uploadRow(file);
      rows.append(row.el);
      try {
        const answer = await send(file, row.progress);
        row.done(answer);
        if (!alive()) return;
        saved(answer, file);
      } catch (err) {
        if (!alive() || err.status === 401) return;
        row.failed(err.message);
      }
    }
  }
  return { el: h('div', { class: 'doc-upload' }, zone, rows) };
}
