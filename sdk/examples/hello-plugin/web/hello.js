// The hello example's screen (route #/hello in the staff app), declared in hello.cpp with a
// View {Audience::Staff, "hello", "hello.js", "hello.read", "Hello"}.
//
// The staff app imports this module the first time the route opens and calls render(mount, kit,
// ctx): `mount` is the page's main area (empty), `kit` the web kit both shells use (the same
// module as '/shared/js/kit.js': API client with CSRF and errors worded for people, DOM helpers,
// formatting; docs/web-kit.md in the LexOS source), `ctx` the route and the signed-in person.
// Everything on screen comes from the API, whose guard and database scoping decide what this
// person may see.
import { h, api, pageHeader } from '/shared/js/kit.js';

export async function render(mount, kit, ctx) {
  const heading = h('h1', { text: 'Hello' });
  mount.append(h('section', { class: 'page narrow' }, pageHeader(heading)));
  let me;
  try {
    me = await api('GET', 'hello/whoami');
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null; // the shell shows sign-in on a 401
    mount.append(h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  mount.firstChild.append(
    h('p', { class: 'hello-greeting', text: `Hello, ${me.email}.` }),
    h('p', { text: 'This screen, and the notes card on every client\u2019s profile, come from the hello example plugin.' }));
  return { focus: heading };
}
