// An e-mail's HTML part shown as its recipient's mail program shows it (web/shared/js/
// mail_frame.js): the portal's invitation preview uses it, so what staff approve is what the
// client receives. The one place the kit shows a string of HTML, and how it stays safe:
//
// - The HTML is the server's own message (every inserted value escaped by it), shown in an
//   <iframe sandbox="allow-same-origin"> through `srcdoc`: without `allow-scripts` nothing in
//   it runs, without `allow-forms`/`allow-popups`/`allow-top-navigation` it can neither send
//   nor open anything, and the page's Content-Security-Policy (which a srcdoc document
//   inherits) still refuses inline scripts and other origins.
// - That policy also refuses `style="…"` attributes, which mail needs (mail programs drop
//   style sheets). So the attributes are renamed before the frame parses the text and applied
//   afterwards through the CSSOM (`el.style.cssText`), which the policy allows: the same
//   declarations on the same elements, and no policy violation. `allow-same-origin` is what
//   lets this page reach into the frame to do it; the frame itself still runs nothing.
// - The rename matches ` style="` only: in text, `"` is escaped (`&quot;`) by the server's
//   mail builders (sdk mail_text.h htmlEscape), so it can only be an attribute.

import { h } from './dom.js';

const STYLE_ATTRIBUTE = /(\s)style="/g;
const HELD = 'data-mail-style';

/**
 * An <iframe> showing `html` (a whole document) as sent. `title` names the frame for screen
 * readers ("E-mail preview: <subject>"). The frame grows to the message's height once loaded
 * (and again as its images load). Returns the iframe; put it in the page as it is.
 */
export function mailFrame(html, { title, cls = 'mail-frame' } = {}) {
  const frame = h('iframe', {
    class: cls,
    title,
    sandbox: 'allow-same-origin',
    referrerpolicy: 'no-referrer',
    srcdoc: String(html).replace(STYLE_ATTRIBUTE, `$1${HELD}="`),
  });
  const fit = () => {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement) frame.style.height = `${doc.documentElement.scrollHeight + 2}px`;
  };
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument;
    if (!doc) return;
    for (const el of doc.querySelectorAll(`[${HELD}]`)) {
      el.style.cssText = el.getAttribute(HELD);
      el.removeAttribute(HELD);
    }
    for (const img of doc.images) if (!img.complete) img.addEventListener('load', fit, { once: true });
    fit();
  });
  return frame;
}
