// The staff's documents panel, shared by the case card (staff.case.cards) and the client card
// (staff.client.cards): the list (name, folder, version, size, type, shared state), upload by
// drag and drop or the file picker with a progress bar per file and the server's error per
// file, and per document the "Accessible to Client" switch, the share's version (latest or
// pinned) and expiry, versions (upload a new one, restore an old one), rename and move, the
// trash (with restore) and who downloaded it (the ledger). A document the malware scanner
// quarantined is marked as such, with neither a download link nor a share switch.

import {
  h, icon, replace, srOnly, uid, api, upload, can, dateTime, todayIso, whileBusy,
} from '/shared/js/kit.js';
import {
  feedback, isQuarantined, quarantineNote, scanMark, scanStatus, shareMark, sizeText, typeBadge, uploader, uploadRow,
} from './parts.js';

/** What the ledger's actions mean to a person. */
const ACTIONS = {
  'document.upload': 'Uploaded',
  'document.share': 'Shared with the client',
  'document.unshare': 'Stopped sharing',
  'document.download': 'Downloaded',
  'portal.document.download': 'Downloaded',
  'document.rename': 'Renamed',
  'document.move': 'Moved',
  'document.trash': 'Moved to the trash',
  'document.restore': 'Restored from the trash',
  'document.restore_version': 'Restored a version',
  'document.quarantine': 'Quarantined (malware found) when uploaded',
};

/**
 * Fills `mount` with the documents of a case (`caseId`) or of a client (`clientId`, every
 * case of theirs; uploads then need a case, so the client card lists only). `ctx` is the
 * card's (heading, actions, alive). Resolves once the first list is there.
 */
export async function documentsPanel(mount, ctx, { caseId = null, clientId = null, caseName = null, clientName = null }) {
  const mayWrite = can('documents.write') && caseId !== null;
  const mayShare = can('documents.share');
  const listPath = caseId !== null ? `cases/${encodeURIComponent(String(caseId))}/documents`
    : `clients/${encodeURIComponent(String(clientId))}/documents`;
  const count = h('span', { class: 'card-count' });
  ctx.heading.append(count);
  const { status, errorEl, announce, showError } = feedback();
  const listEl = h('ul', { class: 'doc-list', 'aria-label': caseId !== null ? 'Documents of this case' : 'Documents of this client' });
  const empty = h('p', { class: 'muted doc-empty', hidden: true, text: 'No documents yet.' });
  const trashEl = h('section', { class: 'doc-trash', hidden: true, 'aria-label': 'Trash' });
  let docs = [];
  let trashOpen = false;
  const open = new Set(); // ids whose details are shown
  // The row of a document's latest "Upload new version" (its bar, then "Uploaded", "Quarantined…"
  // or the error): kept across the redraw that the upload's answer causes.
  const versionUploads = new Map();

  if (caseId !== null) {
    const trashBtn = h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-expanded': 'false',
      onclick: async () => {
        trashOpen = !trashOpen;
        trashBtn.setAttribute('aria-expanded', String(trashOpen));
        trashEl.hidden = !trashOpen;
        if (trashOpen) await loadTrash();
      } }, icon('cross', 'icon icon-sm'), h('span', { text: 'Trash' }));
    ctx.actions.append(trashBtn);
  }
  const drop = mayWrite ? uploader({
    text: `Drop files here to add them to ${caseName || 'this case'}, or`,
    alive: ctx.alive,
    send: (file, onProgress) => upload(listPath, file, { query: { name: file.name }, onProgress }),
    saved: (answer, file) => {
      replaceDoc(answer);
      announce(uploadedText(file.name, answer));
    },
  }) : null;
  replace(mount, drop ? drop.el : null, errorEl, listEl, empty, trashEl, status);
  mount.classList.add('doc-panel');
  await load();
  return { reload: load };

  async function load() {
    try {
      const data = await api('GET', listPath);
      if (!ctx.alive()) return;
      docs = Array.isArray(data && data.items) ? data.items : [];
      errorEl.hidden = true;
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      showError(`The documents could not be loaded. ${err.message}`);
      return;
    }
    draw();
  }

  function draw() {
    count.textContent = docs.length ? ` (${docs.length})` : '';
    replace(listEl, docs.map(item));
    empty.hidden = docs.length > 0;
  }

  function replaceDoc(saved, focusSel) {
    const i = docs.findIndex((d) => d.id === saved.id);
    if (i >= 0) docs[i] = { ...docs[i], ...saved };
    else docs.push(saved);
    draw();
    if (focusSel) {
      const el = listEl.querySelector(`li[data-id="${CSS.escape(String(saved.id))}"] ${focusSel}`);
      if (el) el.focus();
    }
  }

  function item(d) {
    const nameId = uid('doc');
    const quarantined = isQuarantined(d.scan);
    const noteId = quarantined ? uid('docq') : null;
    const shared = Boolean(d.shared);
    const expired = Boolean(d.share && d.share.expired);
    const meta = [d.folder ? `${d.folder}` : null, `Version ${d.version}`, sizeText(d.size)].filter(Boolean).join(' \u00b7 ');
    const detailsId = uid('docdetails');
    const isOpen = open.has(d.id);
    const toggle = h('button', { type: 'button', class: 'btn btn-small btn-ghost doc-more', 'aria-expanded': String(isOpen),
      'aria-controls': detailsId, 'aria-describedby': nameId,
      onclick: () => {
        if (open.has(d.id)) open.delete(d.id);
        else open.add(d.id);
        replaceDoc(d, '.doc-more');
      } }, h('span', { text: isOpen ? 'Hide details' : 'Details' }));
    // A quarantined file has no download link (the server would answer 403) and no share
    // switch (sharing it is refused): its name is plain text and a sentence says why.
    const li = h('li', { class: ['doc-item', quarantined ? 'is-quarantined' : shared ? 'is-shared' : 'is-internal'],
      dataset: { id: String(d.id) } },
      h('div', { class: 'doc-row' },
        typeBadge(d.content_type),
        h('div', { class: 'doc-main' },
          quarantined
            ? h('p', { class: 'doc-name', id: nameId, text: d.name })
            : h('a', { class: 'doc-name', id: nameId, href: `/api/v1/documents/${encodeURIComponent(String(d.id))}/content`,
              download: d.name, text: d.name }),
          h('p', { class: 'doc-meta muted', text: meta }),
          quarantined ? scanMark(d.scan) : shareMark(shared, expired),
          d.from_client ? h('span', { class: 'badge doc-from-client', text: 'From the client' }) : null,
          quarantined ? quarantineNote(d.scan, noteId) : null),
        h('div', { class: 'doc-actions' },
          mayShare && !quarantined ? shareSwitch(d, nameId) : null,
          toggle)),
      isOpen ? h('div', { class: 'doc-details', id: detailsId }, details(d, nameId)) : null);
    return li;
  }

  // "Accessible to Client": a switch (its state read out as on or off) that shares the
  // document (the latest version, no expiry; change both in Details) or stops sharing it.
  function shareSwitch(d, nameId) {
    const on = Boolean(d.shared);
    const btn = h('button', { type: 'button', role: 'switch', class: ['doc-switch', on ? 'is-on' : null], 'aria-checked': String(on),
      'aria-describedby': nameId,
      onclick: async () => {
        errorEl.hidden = true;
        btn.disabled = true;
        btn.setAttribute('aria-busy', 'true');
        try {
          const saved = await (on ? api('DELETE', `documents/${d.id}/share`)
            : api('PUT', `documents/${d.id}/share`, { body: { version: 'latest' } }));
          if (!ctx.alive()) return;
          replaceDoc(saved, '.doc-switch');
          announce(saved.shared ? `${d.name} is shared with the client.` : `${d.name} is internal again: the client no longer sees it.`);
        } catch (err) {
          if (!ctx.alive() || err.status === 401) return;
          showError(`${d.name}: the sharing could not be changed. ${err.message}`);
        } finally {
          btn.disabled = false;
          btn.removeAttribute('aria-busy');
        }
      } },
    h('span', { class: 'doc-switch-track', 'aria-hidden': 'true' }, h('span', { class: 'doc-switch-knob' })),
    h('span', { class: 'doc-switch-label', text: 'Accessible to Client' }));
    return btn;
  }

  function details(d, nameId) {
    const box = h('div', { class: 'doc-details-body' }, h('p', { class: 'muted', text: 'Loading\u2026' }));
    (async () => {
      let full;
      let ledger;
      try {
        [full, ledger] = await Promise.all([
          api('GET', `documents/${d.id}`),
          api('GET', `documents/${d.id}/ledger`).then((x) => (Array.isArray(x && x.items) ? x.items : [])),
        ]);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        replace(box, h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
        return;
      }
      if (!ctx.alive()) return;
      replace(box,
        mayShare && !isQuarantined(full.scan) ? shareOptions(full) : null,
        full.scan && full.scan.status === 'not_scanned'
          ? h('p', { class: 'doc-scan-note muted', text: 'This file was not scanned for malware: no scanner was set up when it was uploaded.' })
          : null,
        versionsPart(full),
        mayWrite ? renamePart(full) : null,
        ledgerPart(ledger),
        mayWrite ? h('div', { class: 'doc-danger' }, trashButton(full, nameId)) : null);
    })();
    return box;
  }

  function shareOptions(d) {
    const versionId = uid('sharever');
    const expiryId = uid('shareexp');
    const select = h('select', { id: versionId },
      h('option', { value: 'latest', text: 'The latest version (follows new uploads)' }),
      (d.versions || []).slice().reverse().filter((v) => !isQuarantined(v.scan))
        .map((v) => h('option', { value: String(v.version), text: `Version ${v.version} only` })));
    select.value = d.share ? String(d.share.version) : 'latest';
    const expiry = h('input', { type: 'date', id: expiryId, min: todayIso() });
    if (d.share && d.share.expires_at) expiry.value = String(d.share.expires_at).slice(0, 10);
    const save = h('button', { type: 'submit', class: 'btn btn-small btn-primary' },
      icon('eye', 'icon icon-sm'), h('span', { text: d.shared ? 'Update sharing' : 'Share with client' }));
    const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'doc-share-form', novalidate: true, 'aria-label': `Sharing of ${d.name}` },
      h('h3', { class: 'doc-sub', text: 'Sharing with the client' }),
      h('div', { class: 'field' }, h('label', { for: versionId, text: 'Version the client sees' }), select),
      h('div', { class: 'field' }, h('label', { for: expiryId, text: 'Share until (optional)' }), expiry),
      err, h('div', { class: 'form-actions' }, save));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      const body = { version: select.value === 'latest' ? 'latest' : Number(select.value) };
      if (expiry.value) body.expires_at = expiry.value;
      try {
        const saved = await whileBusy(save, 'Saving\u2026', api('PUT', `documents/${d.id}/share`, { body }));
        if (!ctx.alive()) return;
        replaceDoc(saved, '.doc-switch');
        announce(`${d.name} is shared with the client.`);
      } catch (e) {
        if (!ctx.alive() || e.status === 401) return;
        replace(err, srOnly('Error: '), e.message);
        err.hidden = false;
      }
    });
    return form;
  }

  function versionsPart(d) {
    const versions = (d.versions || []).slice().reverse();
    const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const progress = h('div', { class: 'doc-version-progress' }, versionUploads.get(d.id) || null);
    const rows = versions.map((v) => h('li', { class: 'doc-version' },
      h('span', { class: 'doc-version-no', text: `Version ${v.version}` }),
      h('span', { class: 'muted', text: ` \u00b7 ${sizeText(v.size)} \u00b7 ${v.author_name || 'Someone at the firm'}, ${dateTime(v.created_at)}` }),
      v.version === d.version ? h('span', { class: 'badge', text: 'Current' }) : null,
      scanStatus(v.scan),
      mayWrite && v.version !== d.version && !isQuarantined(v.scan) ? h('button', { type: 'button', class: 'btn btn-small btn-ghost',
        onclick: async (ev) => {
          err.hidden = true;
          try {
            const saved = await whileBusy(ev.currentTarget, 'Restoring\u2026',
              api('POST', `documents/${d.id}/versions/${v.version}/restore`));
            if (!ctx.alive()) return;
            replaceDoc(saved, '.doc-more');
            announce(`Version ${v.version} of ${d.name} restored as version ${saved.version}.`);
          } catch (e) {
            if (!ctx.alive() || e.status === 401) return;
            replace(err, srOnly('Error: '), e.message);
            err.hidden = false;
          }
        } }, h('span', { text: `Restore version ${v.version}` })) : null));
    let newVersion = null;
    if (mayWrite) {
      const input = h('input', { type: 'file', hidden: true });
      newVersion = h('button', { type: 'button', class: 'btn btn-small', onclick: () => input.click() },
        icon('plus', 'icon icon-sm'), h('span', { text: 'Upload new version' }));
      input.addEventListener('change', async () => {
        const file = input.files && input.files[0];
        input.value = '';
        if (!file) return;
        const row = uploadRow(file);
        versionUploads.set(d.id, row.el);
        replace(progress, row.el);
        try {
          const saved = await upload(`documents/${d.id}/versions`, file, { onProgress: row.progress });
          row.done(saved);
          if (!ctx.alive()) return;
          replaceDoc(saved, '.doc-more');
          const number = saved.upload ? saved.upload.version : saved.version;
          announce(isQuarantined(saved.upload && saved.upload.scan)
            ? `${d.name}: version ${number} was quarantined by the malware scanner; version ${saved.version} stays current.`
            : `${d.name}: version ${number} uploaded.`);
        } catch (e) {
          if (!ctx.alive() || e.status === 401) return;
          row.failed(e.message);
        }
      });
      newVersion = h('span', {}, newVersion, input);
    }
    return h('div', { class: 'doc-versions' },
      h('h3', { class: 'doc-sub', text: 'Versions' }),
      h('ol', { class: 'doc-version-list', 'aria-label': `Versions of ${d.name}` }, rows),
      newVersion, progress, err);
  }

  function renamePart(d) {
    const nameId = uid('rename');
    const folderId = uid('folder');
    const name = h('input', { type: 'text', id: nameId, value: d.name, maxlength: 255 });
    const folder = h('input', { type: 'text', id: folderId, value: d.folder || '', maxlength: 255 });
    const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-small' }, h('span', { text: 'Save name and folder' }));
    const form = h('form', { class: 'doc-rename', novalidate: true, 'aria-label': `Rename or move ${d.name}` },
      h('h3', { class: 'doc-sub', text: 'Name and folder' }),
      h('div', { class: 'field' }, h('label', { for: nameId, text: 'Name' }), name),
      h('div', { class: 'field' }, h('label', { for: folderId, text: 'Folder' }), folder),
      err, h('div', { class: 'form-actions' }, save));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      try {
        const saved = await whileBusy(save, 'Saving\u2026',
          api('PATCH', `documents/${d.id}`, { body: { name: name.value.trim(), folder: folder.value.trim() } }));
        if (!ctx.alive()) return;
        replaceDoc(saved, '.doc-more');
        announce(`Saved: ${saved.name}.`);
      } catch (e) {
        if (!ctx.alive() || e.status === 401) return;
        replace(err, srOnly('Error: '), e.message);
        err.hidden = false;
      }
    });
    return form;
  }

  function ledgerPart(rows) {
    const shown = rows.filter((r) => ACTIONS[r.action]);
    const downloads = shown.filter((r) => r.action === 'document.download' || r.action === 'portal.document.download');
    return h('div', { class: 'doc-ledger' },
      h('h3', { class: 'doc-sub', text: `Who downloaded it (${downloads.length})` }),
      shown.length
        ? h('ul', { class: 'doc-ledger-list', 'aria-label': 'History of this document' }, shown.slice().reverse().map((r) =>
          h('li', { class: ['doc-ledger-item', r.actor_kind === 'portal' ? 'is-client' : null] },
            r.actor_kind === 'portal' ? icon('user', 'icon icon-sm') : null,
            h('span', { text: `${ACTIONS[r.action]} by ${actor(r)}, ` }),
            h('time', { datetime: r.at, text: dateTime(r.at) }),
            r.actor_kind === 'portal' ? h('span', { class: 'muted', text: portalNote(r) }) : null)))
        : h('p', { class: 'muted', text: 'Nothing recorded yet.' }));
  }

  // A portal user is the client (by the client's name; an organisation's contact by theirs
  // when the account has one), with the account's e-mail address beside it.
  function actor(r) {
    const who = r.actor_name || 'someone';
    if (r.actor_kind !== 'portal' || !clientName || !who.includes('@')) return who;
    return clientName;
  }
  function portalNote(r) {
    const who = r.actor_name || '';
    return clientName && who.includes('@') ? ` (client portal, ${who})` : ' (client portal)';
  }

  function trashButton(d, nameId) {
    return h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-describedby': nameId,
      onclick: async (ev) => {
        errorEl.hidden = true;
        try {
          await whileBusy(ev.currentTarget, 'Moving\u2026', api('DELETE', `documents/${d.id}`));
          if (!ctx.alive()) return;
          docs = docs.filter((x) => x.id !== d.id);
          open.delete(d.id);
          draw();
          announce(`${d.name} moved to the trash${d.shared ? ' and no longer shared' : ''}.`);
          if (trashOpen) await loadTrash();
        } catch (e) {
          if (!ctx.alive() || e.status === 401) return;
          showError(`${d.name} could not be moved to the trash. ${e.message}`);
        }
      } }, icon('cross', 'icon icon-sm'), h('span', { text: 'Move to trash' }));
  }

  async function loadTrash() {
    replace(trashEl, h('h3', { class: 'doc-sub', text: 'Trash' }), h('p', { class: 'muted', text: 'Loading\u2026' }));
    let items;
    try {
      const data = await api('GET', `cases/${encodeURIComponent(String(caseId))}/documents/trash`);
      items = Array.isArray(data && data.items) ? data.items : [];
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(trashEl, h('h3', { class: 'doc-sub', text: 'Trash' }), h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
      return;
    }
    if (!ctx.alive()) return;
    replace(trashEl, h('h3', { class: 'doc-sub', text: 'Trash' }), items.length
      ? h('ul', { class: 'doc-list doc-trash-list', 'aria-label': 'Documents in the trash' }, items.map((d) => h('li', { class: 'doc-item' },
        h('div', { class: 'doc-row' }, typeBadge(d.content_type),
          h('div', { class: 'doc-main' }, h('p', { class: 'doc-name', text: d.name }),
            h('p', { class: 'doc-meta muted', text: `Deleted ${dateTime(d.deleted_at)}` }), scanMark(d.scan)),
          mayWrite ? h('button', { type: 'button', class: 'btn btn-small',
            onclick: async (ev) => {
              try {
                const saved = await whileBusy(ev.currentTarget, 'Restoring\u2026', api('POST', `documents/${d.id}/restore`));
                if (!ctx.alive()) return;
                docs.push(saved);
                draw();
                announce(`${d.name} restored.`);
                await loadTrash();
              } catch (e) {
                if (!ctx.alive() || e.status === 401) return;
                showError(`${d.name} could not be restored. ${e.message}`);
              }
            } }, h('span', { text: 'Restore' }), srOnly(` ${d.name}`)) : null))))
      : h('p', { class: 'muted', text: 'The trash is empty.' }));
  }
}

/** What the live region says after an upload: uploaded, or quarantined by the malware scanner. */
function uploadedText(name, answer) {
  return isQuarantined(answer && answer.upload && answer.upload.scan)
    ? `${name} was quarantined: the malware scanner found ${answer.upload.scan.signature || 'malware'} in it.`
    : `${name} uploaded.`;
}
