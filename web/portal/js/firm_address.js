// A firm's own portal address: /portal/<slug>/ (the server answers it with this same page).

/** The firm's slug of this page's address, or '' on the general /portal/ page. */
export function firmSlugOfAddress(pathname = window.location.pathname) {
  const m = /^\/portal\/([a-z0-9][a-z0-9-]{1,62})\/?$/.exec(pathname);
  return m && m[1] !== 'index.html' ? m[1] : '';
}

/** Where a client of `face` ({ slug }) signs in: the firm's own address, else the general one. */
export function portalHome(face) {
  return face ? `/portal/${face.slug}/` : '/portal/';
}
