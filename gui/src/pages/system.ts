/* Administration › System: tabs Hostname & Credentials (hostname, the password,
 * the web's settings, API tokens), Region & Time, Backup & Updates, Miscellaneous. */
import { ApiError, del, errorText, get, post } from '../api';
import { h, fill } from '../dom';
import { time } from '../format';
import type { PageDef } from '../page';
import { stripPath } from '../form';
import { go, setQuery } from '../router';
import { sectionForm } from '../section';
import { loadSession } from '../session';
import { banner, busy, copyButton, emptyRow, table } from '../ui';
import { newPasswordFields } from './setup';
import { backupCard } from './backup';
import { regionTimeTab } from './regiontime';
import { miscTab } from './sysmisc';
import { tabs } from '../tabs';

export function passwordCard(): HTMLElement {
  const msg = banner('password-banner');
  const cur = h('input', { type: 'password', id: 'pw-current', name: 'current', autocomplete: 'current-password', 'aria-describedby': 'pw-current-err' });
  const curErr = h('p', { class: 'field-error', id: 'pw-current-err', 'data-test': 'error-current', 'aria-live': 'polite' });
  const pw = newPasswordFields('pw');
  const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'change-password' }, 'Change password');
  const setCurErr = (m: string) => {
    curErr.textContent = m;
    if (m) cur.setAttribute('aria-invalid', 'true');
    else cur.removeAttribute('aria-invalid');
  };
  const form = h('form', { class: 'form', novalidate: true, 'data-test': 'password-form' },
    msg.el,
    h('div', { class: 'field' }, h('label', { for: 'pw-current' }, 'Current password'), cur, curErr),
    pw.els,
    h('div', { class: 'form-actions' }, save));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    setCurErr('');
    if (!cur.value) {
      setCurErr('Enter the current password.');
      cur.focus();
      return;
    }
    if (!pw.check()) return;
    void busy(save, async () => {
      try {
        await post('/auth/password', { current: cur.value, password: pw.password() }, { noRedirect: true });
      } catch (err) {
        if (err instanceof ApiError && err.path === 'current') {
          setCurErr('Wrong password.');
          cur.focus();
        } else if (err instanceof ApiError && err.path === 'password') {
          pw.setError(stripPath(err.message, 'password'));
        } else if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          const s = await loadSession().catch(() => null);
          if (s && !s.authenticated) return go('/login');
          msg.error(err);
        } else msg.error(err);
        return;
      }
      cur.value = '';
      pw.clear();
      // a new session may come with the change: pick up its CSRF token
      const s = await loadSession().catch(() => null);
      if (s && !s.authenticated) return go('/login');
      msg.set('ok', 'Password changed. Other sessions have ended.');
    });
  });
  return h('section', { class: 'card' }, h('h2', null, 'Password'), h('p', { class: 'muted' }, 'The password of the admin user (8 to 128 characters). It is also the password of the root user of the device. Common words and patterns are refused.'), form);
}

interface Token {
  id: number | string;
  name?: string;
  scope?: string;
  creator?: string | null;
  created?: number;
  last_used?: number | null;
}

/** The scopes a token may have (auth/scope.c), with what each reaches. */
export const TOKEN_SCOPES: { value: string; label: string }[] = [
  { value: 'read-only', label: 'Read-only: every read, no change' },
  { value: 'config', label: 'Config: reads, and stage, apply, confirm and roll back the configuration' },
  { value: 'admin', label: 'Admin: everything a token may do (never tokens or the password)' },
];

export function tokensCard(): HTMLElement {
  const msg = banner('tokens-banner');
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const shown = h('div', { class: 'new-token', 'data-test': 'new-token', hidden: true });
  const name = h('input', { type: 'text', id: 'token-name', name: 'token-name', maxlength: '64', autocomplete: 'off', 'aria-describedby': 'token-name-err' });
  const nameErr = h('p', { class: 'field-error', id: 'token-name-err', 'data-test': 'error-token-name', 'aria-live': 'polite' });
  const scope = h('select', { id: 'token-scope', name: 'token-scope', 'data-test': 'token-scope' },
    ...TOKEN_SCOPES.map((o) => h('option', { value: o.value }, o.label)));
  const create = h('button', { type: 'submit', class: 'primary', 'data-test': 'create-token' }, 'Create token');

  const load = async () => {
    let list: Token[];
    try {
      list = await get<Token[]>('/tokens');
    } catch (e) {
      msg.error(e);
      return;
    }
    const rows = (Array.isArray(list) ? list : []).map((t) => {
      const revoke: HTMLButtonElement = h('button', {
        type: 'button', class: 'small danger', 'data-test': 'revoke-' + t.id, 'aria-label': `Revoke token ${t.name || t.id}`,
        onclick: () => busy(revoke, async () => {
          try {
            await del(`/tokens/${encodeURIComponent(String(t.id))}`);
            shown.hidden = true;
            msg.set('ok', `Token ${t.name || t.id} revoked.`);
          } catch (e) {
            msg.error(e);
          }
          await load();
        }),
      }, 'Revoke');
      return h('tr', { 'data-test': 'token-' + t.id },
        h('td', { 'data-label': 'Name' }, t.name || '—'),
        h('td', { 'data-label': 'Scope', 'data-test': 'token-scope-' + t.id }, t.scope || '—'),
        h('td', { 'data-label': 'Created by' }, t.creator || 'unknown'),
        h('td', { 'data-label': 'Created' }, time(t.created)),
        h('td', { 'data-label': 'Last used', 'data-test': 'token-used-' + t.id }, t.last_used ? time(t.last_used) : 'never'),
        h('td', { class: 'actions' }, revoke));
    });
    fill(body, table(['Name', 'Scope', 'Created by', 'Created', 'Last used', 'Actions'], rows.length ? rows : [emptyRow(6, 'No API tokens.')], 'tokens'));
  };

  const form = h('form', { class: 'form inline', novalidate: true, 'data-test': 'token-form' },
    h('div', { class: 'field' }, h('label', { for: 'token-name' }, 'Name of a new token'), name, nameErr),
    h('div', { class: 'field' }, h('label', { for: 'token-scope' }, 'What it may do'), scope),
    h('div', { class: 'form-actions' }, create));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    const n = name.value.trim();
    nameErr.textContent = n ? '' : 'Give the token a name (what uses it).';
    if (!n) {
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    name.removeAttribute('aria-invalid');
    void busy(create, async () => {
      try {
        const t = await post<{ id: number; name?: string; token: string }>('/tokens', { name: n, scope: scope.value });
        name.value = '';
        const code = h('code', { class: 'secret', 'data-test': 'token-value' }, t.token);
        fill(shown, h('p', null, h('strong', null, `Token ${t.name || n} created.`), ' Copy it now: it is shown only once.'),
          h('div', { class: 'token-line' }, code, copyButton(t.token)));
        shown.hidden = false;
      } catch (err) {
        if (err instanceof ApiError && err.path === 'name') nameErr.textContent = err.message;
        else msg.set('error', errorText(err));
      }
      await load();
    });
  });
  void load();
  return h('section', { class: 'card' }, h('h2', null, 'API tokens'),
    h('p', { class: 'muted' }, 'Scripts use a token as Authorization: Bearer <token>; revoke a token to shut it out. Give each the least it needs: a token never creates or revokes tokens, nor changes the password.'),
    msg.el, shown, body, form);
}

/** The manual's warning: the admin's password is root's too. */
export function rootPasswordWarning(): HTMLElement {
  return h('p', { class: 'field-warning', role: 'note', 'data-test': 'root-password-warning' },
    '⚠ Changing the GUI password will also change the root password of the device.');
}

export const SYSTEM_TABS = [
  { id: 'hostname', title: 'Hostname & Credentials' },
  { id: 'time', title: 'Region & Time' },
  { id: 'backup', title: 'Backup & Updates' },
  { id: 'misc', title: 'Miscellaneous' },
];

export const systemPage: PageDef = {
  path: '/system',
  title: 'System',
  group: 'Administration',
  render(ctx) {
    const draw: Record<string, (panel: HTMLElement) => void> = {
      hostname: (panel) => panel.append(
        sectionForm('system', { heading: 'Hostname' }),
        rootPasswordWarning(),
        passwordCard(),
        sectionForm('web', { heading: true }),
        tokensCard()),
      time: (panel) => regionTimeTab(ctx, panel),
      misc: (panel) => miscTab(panel),
      backup: (panel) => panel.append(backupCard()),
    };
    ctx.root.append(tabs(SYSTEM_TABS.map((t) => ({ ...t, render: draw[t.id] })),
      ctx.query.get('tab') || 'hostname', (id) => setQuery({ tab: id })));
  },
};
