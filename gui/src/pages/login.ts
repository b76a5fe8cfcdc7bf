/* Log in: the user is always "admin"; 401 wrong password, 429 throttled. */
import { ApiError, errorText, post } from '../api';
import { afterLogin } from '../app';
import { h, type Child } from '../dom';
import type { PageDef } from '../page';
import { go } from '../router';
import { loggedIn, session } from '../session';
import { banner } from '../ui';

export function loginForm(...intro: Child[]): HTMLElement {
  const msg = banner('login-banner');
  const pw = h('input', { type: 'password', id: 'login-password', name: 'password', autocomplete: 'current-password', 'aria-describedby': 'login-password-err', required: true, autofocus: true });
  const err = h('p', { class: 'field-error', id: 'login-password-err', 'data-test': 'error-password', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary wide', 'data-test': 'login' }, 'Log in');
  let wait: ReturnType<typeof setInterval> | undefined;
  const setErr = (m: string) => {
    err.textContent = m;
    if (m) pw.setAttribute('aria-invalid', 'true');
    else pw.removeAttribute('aria-invalid');
  };
  const throttled = (secs: number) => {
    let left = secs;
    submit.disabled = true;
    const tick = () => {
      if (left <= 0) {
        clearInterval(wait);
        submit.disabled = false;
        msg.set(null);
        return;
      }
      msg.set('error', `Too many attempts, try again in ${left} s.`);
      left--;
    };
    clearInterval(wait);
    tick();
    wait = setInterval(tick, 1000);
  };
  const form = h('form', {
    class: 'form', novalidate: true, 'data-test': 'login-form',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      msg.set(null);
      setErr('');
      if (!pw.value) {
        setErr('Enter the password.');
        pw.focus();
        return;
      }
      submit.disabled = true;
      try {
        const res = await post<{ user?: string; csrf?: string }>('/auth/login', { user: 'admin', password: pw.value }, { csrf: 'login', noRedirect: true, retries: 3 });
        loggedIn(res);
        afterLogin();
      } catch (e2) {
        submit.disabled = false;
        if (e2 instanceof ApiError && e2.status === 401) {
          setErr('Wrong password.');
          pw.select();
          pw.focus();
        } else if (e2 instanceof ApiError && e2.status === 409) {
          // no password yet: the first-run setup is due
          session.setup_required = true;
          go('/setup');
        } else if (e2 instanceof ApiError && e2.status === 429) {
          throttled(e2.retryAfter || 60);
        } else msg.set('error', errorText(e2));
      }
    },
  },
  intro,
  h(intro.length ? 'h2' : 'h1', null, 'Log in'),
  msg.el,
  h('div', { class: 'field' }, h('label', { for: 'login-user' }, 'User'),
    h('input', { type: 'text', id: 'login-user', name: 'username', value: 'admin', readOnly: true, autocomplete: 'username' })),
  h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), pw, err),
  h('div', { class: 'form-actions' }, submit));
  queueMicrotask(() => pw.focus());
  return form;
}

export const loginPage: PageDef = {
  path: '/login',
  title: 'Log in',
  public: true,
  render(ctx) {
    ctx.root.append(loginForm());
  },
};
