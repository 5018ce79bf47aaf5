// The hello example's screen (route #/hello in the staff app), declared in hello.cpp with
// r.addView({Audience::Staff, "hello", "hello.js", "hello.read", "Hello"}).
//
// The staff app imports this module the first time the route opens and calls render(mount, kit,
// ctx): `mount` is the page's main area (empty), `kit` the web kit the shells use (API client
// with CSRF and errors worded for people, DOM helpers, formatting; docs/web-kit.md), `ctx` the
// route (params, query) and the principal. Everything on screen comes from the API, whose
// guard and database scoping decide what this user may see.

export async function render(mount, kit, ctx) {
  const { h, replace } = kit.dom;
  const heading = h('h1', { text: 'Hello' });
  const me = await kit.api('GET', 'hello/whoami');
  replace(mount, h('section', { class: 'page narrow' },
    heading,
    h('p', { text: `Signed in as ${me.email}. This screen and the notes card on each client's profile come from the hello example plugin.` })));
  return { focus: heading };
}
