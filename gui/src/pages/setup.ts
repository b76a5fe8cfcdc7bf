/* First run: the setup link (#/setup?token=...) sets the admin password. */
import { ApiError, errorText, post } from '../api';
import { afterLogin } from '../app';
import { h } from '../dom';
import { stripPath } from '../form';
import type { PageDef } from '../page';
import { loggedIn, session } from '../session';
import { banner } from '../ui';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** An error sentence for a new password and its repetition, or "". */
export function passwordProblem(pw: string, again: string): { field: 'password' | 'again'; message: string } | null {
  const n = [...pw].length;
  if (n < PASSWORD_MIN) return { field: 'password', message: `At least ${PASSWORD_MIN} characters.` };
  if (n > PASSWORD_MAX) return { field: 'password', message: `At most ${PASSWORD_MAX} characters.` };
  if (pw !== again) return { field: 'again', message: 'The two passwords differ.' };
  return null;
}

/** The core's verdict on a password (POST /auth/password-check). */
export interface Verdict {
  ok: boolean;
  score: number;
  message: string;
}

/** What the meter shows for a verdict: the core's reason when it refuses, else how strong. */
export function meterText(v: Verdict): { level: 'refused' | 'fair' | 'good' | 'strong'; text: string } {
  if (!v.ok) {
    const why = v.message.replace(/^the password /, '');
    return { level: 'refused', text: `Refused: ${why}.` };
  }
  if (v.score >= 80) return { level: 'strong', text: 'Strong.' };
  if (v.score >= 50) return { level: 'good', text: 'Good.' };
  return { level: 'fair', text: 'Accepted, but a longer one is better.' };
}

/** Wait after the last keystroke before asking the core: one check per pause, not per key. */
export const METER_DELAY_MS = 300;

/**
 * Password + repeat inputs with their error lines, and a strength meter
 * under the first: the core judges (the rule setup and the change apply),
 * the page only shows it. token: the setup token while nobody is logged in.
 */
export function newPasswordFields(prefix: string, token?: string) {
  const mk = (name: string, label: string) => {
    const id = `${prefix}-${name}`;
    const input = h('input', { type: 'password', id, name, autocomplete: 'new-password', 'aria-describedby': id + '-err', minlength: String(PASSWORD_MIN), maxlength: String(PASSWORD_MAX) });
    const err = h('p', { class: 'field-error', id: id + '-err', 'data-test': 'error-' + name, 'aria-live': 'polite' });
    const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, err);
    return { input, err, wrap };
  };
  const pw = mk('password', 'New password');
  const again = mk('password2', 'Repeat the new password');
  const bar = h('meter', { min: '0', max: '100', low: '50', high: '80', optimum: '100', value: '0', 'aria-hidden': 'true' });
  const said = h('span', { 'data-test': 'password-meter-text', 'aria-live': 'polite' });
  const meter = h('p', { class: 'password-meter', 'data-test': 'password-meter', hidden: true }, bar, ' ', said);
  pw.wrap.append(meter);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const judge = async (value: string) => {
    const mine = ++asked;
    let v: Verdict;
    try {
      v = await post<Verdict>('/auth/password-check', token ? { password: value, token } : { password: value },
        token ? { csrf: 'login', noRedirect: true } : { noRedirect: true });
    } catch {
      if (mine === asked) meter.hidden = true;   // no verdict: the form's submit still tells
      return;
    }
    if (mine !== asked) return;   // a later keystroke asked again
    const t = meterText(v);
    bar.value = v.ok ? Math.max(v.score, 10) : 0;
    said.textContent = t.text;
    meter.dataset.level = t.level;
    meter.hidden = false;
  };
  pw.input.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    const value = pw.input.value;
    if (!value) {
      asked++;
      meter.hidden = true;
      return;
    }
    timer = setTimeout(() => void judge(value), METER_DELAY_MS);
  });
  const set = (f: { input: HTMLInputElement; err: HTMLElement }, m: string) => {
    f.err.textContent = m;
    if (m) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
  };
  return {
    els: [pw.wrap, again.wrap],
    password: () => pw.input.value,
    /** Shows the problems; true when both are fine. */
    check(): boolean {
      set(pw, '');
      set(again, '');
      const p = passwordProblem(pw.input.value, again.input.value);
      if (!p) return true;
      const f = p.field === 'password' ? pw : again;
      set(f, p.message);
      f.input.focus();
      return false;
    },
    clear() {
      pw.input.value = again.input.value = '';
      asked++;
      meter.hidden = true;
    },
    /** A server's complaint about the new password. */
    setError(m: string) {
      set(pw, m);
      pw.input.focus();
    },
  };
}

export const setupPage: PageDef = {
  path: '/setup',
  title: 'Set up',
  public: true,
  render(ctx) {
    const token = ctx.query.get('token');
    if (!session.setup_required) {
      ctx.root.append(h('h1', null, 'Set up'), h('p', null, 'The admin password is already set.'), h('p', null, h('a', { href: '#/login' }, 'Log in')));
      return;
    }
    if (!token) {
      ctx.root.append(
        h('h1', null, 'Welcome to difos'),
        h('p', null, 'This router has no admin password yet. It is set through a one-time setup link.'),
        h('p', null, 'On the router, run ', h('code', null, 'difosctl setup-link'), ' and open the link it prints.'),
        h('p', { class: 'muted' }, 'The link works once; run the command again for a new one.'));
      return;
    }
    const msg = banner('setup-banner');
    const pw = newPasswordFields('setup', token);
    const submit = h('button', { type: 'submit', class: 'primary wide', 'data-test': 'setup' }, 'Set the password');
    const form = h('form', { class: 'form', novalidate: true, 'data-test': 'setup-form' },
      h('h1', null, 'Set the admin password'),
      h('p', null, 'The user is ', h('strong', null, 'admin'), '. Choose a password of 8 to 128 characters that is not easy to guess: a few unrelated words make a good one.'),
      msg.el, pw.els, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.set(null);
      if (!pw.check()) return;
      submit.disabled = true;
      try {
        const res = await post<{ user?: string; csrf?: string }>('/auth/setup', { token, password: pw.password() }, { csrf: 'login', noRedirect: true });
        history.replaceState(null, '', '#/dashboard');
        loggedIn(res);
        afterLogin();
      } catch (err) {
        submit.disabled = false;
        if (err instanceof ApiError && err.status === 403)
          msg.set('error', 'This setup link is not valid (any more). Run difosctl setup-link on the router for a new one.');
        else if (err instanceof ApiError && err.path === 'password') pw.setError(stripPath(err.message, 'password'));
        else if (err instanceof ApiError && err.status === 409) {
          session.setup_required = false;
          msg.set('error', 'The password is already set: log in instead.');
        } else msg.set('error', errorText(err));
      }
    });
    ctx.root.append(form);
  },
};
