// The kit's router: hash routes ("#/clients/12/edit?tab=x") matched against route patterns
// with {params} ("clients/{id}/edit"). The shells add their own routes (sign-in, setup,
// activation, home) and, after sign-in, the views plugins declared (/api/v1/nav). Where two
// patterns fit, the one with a literal segment earlier wins: "clients/new" before
// "clients/{id}".

/** The current hash as { path: "clients/12", query: URLSearchParams }. */
export function currentRoute(hash = window.location.hash) {
  const raw = String(hash || '').replace(/^#\/?/, '');
  const at = raw.indexOf('?');
  const path = (at < 0 ? raw : raw.slice(0, at)).replace(/\/+$/, '');
  return { path, query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

/** "#/clients/12" for ('clients/{id}', {id: 12}); parameters are URI-encoded. */
export function hrefFor(pattern, params = {}) {
  return `#/${pattern.replace(/\{([a-z0-9_]+)\}/g, (_, name) => encodeURIComponent(String(params[name] ?? '')))}`;
}

function compile(pattern) {
  const segments = pattern === '' ? [] : pattern.split('/');
  for (const s of segments) {
    if (!s) throw new Error(`route '${pattern}': empty segment`);
  }
  return segments.map((s) => {
    const m = /^\{([a-z0-9_]+)\}$/.exec(s);
    return m ? { param: m[1] } : { literal: s };
  });
}

/**
 * A table of routes. add(pattern, entry) registers `entry` (anything: the shell keeps its view
 * there) for `pattern`; remove(predicate) drops entries; match(path) finds the entry and params.
 */
export class Router {
  constructor() {
    this.routes = [];
  }

  /** Registers `entry` for `pattern` ("", "clients", "clients/{id}/edit"). A later add of the same pattern replaces it. */
  add(pattern, entry) {
    const segments = compile(pattern);
    this.routes = this.routes.filter((r) => r.pattern !== pattern);
    this.routes.push({ pattern, segments, entry });
    // Most specific first: at the first segment where two differ, a literal beats a parameter.
    this.routes.sort((a, b) => {
      for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i += 1) {
        const la = 'literal' in a.segments[i];
        const lb = 'literal' in b.segments[i];
        if (la !== lb) return la ? -1 : 1;
      }
      return 0;
    });
    return this;
  }

  /** Drops every route whose entry satisfies `predicate(entry, pattern)`. */
  remove(predicate) {
    this.routes = this.routes.filter((r) => !predicate(r.entry, r.pattern));
  }

  /** { entry, params, pattern } of the route `path` ("clients/12") matches, or null. */
  match(path) {
    const parts = path === '' ? [] : path.split('/');
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i += 1) {
        const seg = r.segments[i];
        if ('literal' in seg) {
          ok = seg.literal === parts[i];
        } else {
          try {
            params[seg.param] = decodeURIComponent(parts[i]);
          } catch {
            ok = false; // a malformed %-escape matches nothing
          }
          ok = ok && params[seg.param] !== '';
        }
      }
      if (ok) return { entry: r.entry, params, pattern: r.pattern };
    }
    return null;
  }
}
