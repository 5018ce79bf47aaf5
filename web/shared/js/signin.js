// The sign-in page of both apps: Firm, Email, Password, "Sign in". Each app gives its words;
// the firm comes from "?firm=" in the address (a link the firm sent), else from the last
// sign-in in this browser. Wrong details are named without saying which one was wrong.
// With `firm` in the words (a firm's own portal address, /portal/<slug>/), the page shows that
// firm's name and logo and asks only for Email and Password.

import { h, replace, focusElement } from './dom.js';
import { field, errorSummary, showProblems, whileBusy } from './form.js';
import { signIn, finishSignIn, rememberedFirm } from './session.js';
import { afterSignIn, authCard } from './shell.js';
import { secondStep, recoveryCodesBlock } from './mfa.js';

/**
 * A sign-in page for the shell's routes. words: { title, heading, lead, firmHint, foot (a node
 * or text under the form), tag (beside the mark), below (under the card), firm (optional:
 * { slug, name, logo_url } of the firm whose address this is; no Firm field then) }.
 */
export function signInPage(words) {
  return function render(mount, ctx) {
    ctx.setTitle(words.title || 'Sign in');
    const firmFromLink = (ctx.query.get('firm') || '').trim().toLowerCase();
    const fixed = words.firm || null;
    const firm = fixed ? null : field({
      label: 'Firm', name: 'firm', autocomplete: 'organization', value: firmFromLink || rememberedFirm(),
      hint: words.firmHint, attrs: { autocapitalize: 'none', spellcheck: 'false' },
    });
    const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username', value: ctx.signInEmail || '',
      attrs: { spellcheck: 'false' } });
    const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' });
    const summary = errorSummary();
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Sign in' }));
    const heading = h('h1', { text: words.heading });
    const notice = ctx.signInNotice ? h('p', { class: 'alert alert-info', role: 'status', text: ctx.signInNotice }) : null;

    const fields = [firm, email, password].filter(Boolean);
    const form = h('form', { class: 'auth-form', novalidate: true }, summary.el, fields.map((f) => f.el), submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      for (const f of fields) f.clearError();
      const problems = [[firm, 'Enter your firm\u2019s short name.'], [email, 'Enter your email address.'],
        [password, 'Enter your password.']].filter(([f]) => f && !f.control.value.trim());
      if (problems.length) {
        showProblems(summary, problems, 'Fill in the missing details.');
        return;
      }
      try {
        await whileBusy(submit, 'Signing in\u2026',
          signIn(fixed ? fixed.slug : firm.control.value.trim().toLowerCase(), email.control.value.trim(),
            password.control.value));
        password.control.value = '';
        afterSignIn();
      } catch (err) {
        password.control.value = '';
        if (err.code === 'mfa_required' || err.code === 'mfa_enrolment_required') {
          showSecondStep(err);
        } else if (err.status === 401) {
          summary.show([], fixed ? 'The email or password is not right. Check them and try again.'
            : 'The firm, email or password is not right. Check them and try again.');
        } else {
          const target = { firm, email, password }[err.field];
          if (target) target.setError(err.message);
          summary.show([], err.message);
        }
      }
    });

    const firstStep = [fixed ? firmFace(fixed) : null, heading, h('p', { class: 'muted', text: words.lead }), notice, form,
      h('p', { class: 'auth-foot' }, words.foot)].filter(Boolean);
    const steps = h('div', { class: 'auth-steps' }, firstStep);
    // Password right, a second step needed (web/shared/js/mfa.js): no session exists yet.
    function showSecondStep(err) {
      const signedFirm = fixed ? fixed.slug : firm.control.value.trim().toLowerCase();
      const finish = async (answer) => {
        const go = async () => {
          await finishSignIn(answer, signedFirm);
          afterSignIn();
        };
        if (answer && Array.isArray(answer.recovery_codes) && answer.recovery_codes.length) {
          const next = h('button', { type: 'button', class: 'btn btn-primary btn-block', onclick: go },
            h('span', { text: 'I have kept my recovery codes' }));
          const title = h('h1', { tabindex: '-1', text: 'Two-step sign-in is on' });
          replace(steps, title, recoveryCodesBlock(answer.recovery_codes), next);
          focusElement(title);
          return;
        }
        await go();
      };
      const restart = (message) => {
        replace(steps, ...firstStep);
        summary.show([], message);
      };
      const days = err.details && Number.isInteger(err.details.remember_days) ? err.details.remember_days : 30;
      replace(steps, secondStep(err.code, { finish, restart, rememberDays: days }));
    }

    mount.append(authCard([steps], { tag: words.tag, below: words.below || null }));
    const first = fields.find((f) => !f.control.value) || password;
    return { focus: ctx.firstRender ? first.control : heading, focusOnLoad: true };
  };
}

/** The firm's name and logo, as its portal address shows them (`face`: { name, logo_url }). */
export function firmFace(face) {
  return h('div', { class: 'firm-face' },
    face.logo_url ? h('img', { class: 'firm-face-logo', src: face.logo_url, alt: `${face.name} logo` }) : null,
    h('p', { class: 'firm-face-name', text: face.name }));
}
