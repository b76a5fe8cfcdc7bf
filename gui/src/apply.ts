/*
 * Apply (and rollback) with the confirm countdown: the new revision must be
 * confirmed before the deadline or the router rolls it back. The GUI
 * confirms by itself as soon as it can still reach the router; when the
 * change moves the LAN address it goes to the new address and confirms
 * there with a one-time token.
 */
import { ApiError, errorText, get, post } from './api';
import type { Change } from './changes';
import type { Dialog } from './dialog';
import { h, fill } from './dom';
import { openDialog } from './dialog';
import { isIPv4 } from './validate';

export interface ApplyResult {
  revision: number;
  touched?: string[];
  confirm_deadline?: number;
}

export const CONFIRM_SECS = 60;
export const MOVE_CONFIRM_SECS = 90;
/** How long to wait for the apply answer before following a LAN address move. */
export const MOVE_WAIT_MS = 3000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Tells the page to load its data again (config changed). */
export function refreshPage(): void {
  window.dispatchEvent(new CustomEvent('difos:refresh'));
}

export function lanMove(changes: Change[]): { from?: string; to: string } | null {
  const c = changes.find((x) => x.path === 'lan.ipv4.address' && typeof x.new === 'string');
  if (!c || c.old === c.new) return null;
  return { from: typeof c.old === 'string' ? c.old : undefined, to: c.new as string };
}

/**
 * Whether this page should follow the LAN address: yes when it was opened
 * at the old LAN address or by name; not when it was opened at another
 * address (the WAN side, a lab's forwarded port): that one keeps working.
 */
export function followsLan(host: string, from?: string): boolean {
  const literal = isIPv4(host) || host.startsWith('[');
  return !literal || host === from;
}

export interface Where {
  protocol: string;
  hostname: string;
  port: string;
}

/**
 * Where the GUI will answer after these changes, when that is not where
 * this page is: a new LAN address (see followsLan) and/or a new HTTPS port.
 */
export function moveTarget(changes: Change[], loc: Where = location): { host: string; port: string } | null {
  let host = loc.hostname, port = loc.port, moved = false;
  const lan = lanMove(changes);
  if (lan && followsLan(loc.hostname, lan.from)) {
    host = lan.to;
    moved = true;
  }
  const web = changes.find((x) => x.path === 'web.https_port' && typeof x.new === 'number');
  if (web && loc.protocol === 'https:' && (loc.port || '443') === String(web.old ?? 443) && web.new !== web.old) {
    port = web.new === 443 ? '' : String(web.new);
    moved = true;
  }
  return moved ? { host, port } : null;
}

export function randomToken(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function moveUrl(to: { host: string; port: string }, route: string, loc: { protocol: string } = location): string {
  return `${loc.protocol}//${to.host}${to.port ? ':' + to.port : ''}/#${route}`;
}

/** Counts down to deadline (ms) in el; returns a stop function. */
export function countdown(el: HTMLElement, deadline: number, prefix = 'Rolls back in'): () => void {
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    el.textContent = `${prefix} ${left} s`;
    el.dataset.left = String(left);
  };
  tick();
  const t = setInterval(tick, 1000);
  return () => clearInterval(t);
}

type Send = (extra: Record<string, unknown>) => Promise<ApplyResult>;

/**
 * Runs an apply-like call (apply or rollback) inside dlg and sees it to the
 * end: error, navigation to the new address, confirmed, or rolled back.
 * withToken: the call takes a confirm_token (apply does, rollback does not:
 * after a rollback that moves the GUI the user logs in at the new address
 * and confirms there).
 */
export async function runConfirmed(dlg: Dialog, send: Send, changes: Change[], what = 'Applying', withToken = true): Promise<'error' | 'moved' | 'confirmed' | 'expired'> {
  const status = h('p', { class: 'apply-status', 'data-test': 'apply-status', role: 'status' }, `${what}…`);
  const count = h('p', { class: 'countdown', 'data-test': 'countdown', 'aria-live': 'off' });
  count.hidden = true;
  // the dialog's title said what was pending: now it says what happens
  dlg.setTitle(what);
  dlg.setBody(h('div', { class: 'apply' }, h('div', { class: 'spinner', 'aria-hidden': 'true' }), status, count));
  dlg.setActions();
  dlg.lock(true);
  const fail = (e: unknown, extra = 'Nothing was changed.', title = 'Not applied') => {
    dlg.lock(false);
    dlg.setTitle(title);
    status.className = 'apply-status error';
    status.dataset.state = 'error';
    status.setAttribute('role', 'alert');
    fill(status, errorText(e), h('br'), extra);
    dlg.setActions(closeButton(dlg));
    dlg.body.querySelector('.spinner')?.remove();
  };

  const move = moveTarget(changes);
  if (move) {
    const token = withToken ? randomToken() : '';
    const url = moveUrl(move, token ? `/confirm?token=${token}` : '/login');
    const where = `${move.host}${move.port ? ':' + move.port : ''}`;
    fill(status, `${what}… The router will answer at ${where}; this page follows it there.`);
    const p = send(token ? { confirm: MOVE_CONFIRM_SECS, confirm_token: token } : { confirm: MOVE_CONFIRM_SECS });
    const r = await Promise.race([
      p.then((v) => ({ ok: v }), (e: unknown) => ({ err: e })),
      sleep(MOVE_WAIT_MS).then(() => ({ wait: true })),
    ]);
    if ('err' in r && r.err instanceof ApiError && r.err.status > 0) {
      fail(r.err);
      return 'error';
    }
    fill(status, 'Going to ', h('a', { href: url }, url), token ? '…' : ': log in there and keep the change within 90 s.');
    location.href = url;
    return 'moved';
  }

  let res: ApplyResult;
  const before = await runningRevision();
  try {
    res = await send({ confirm: CONFIRM_SECS });
  } catch (e) {
    const found = lostAnswer(e) ? await outcomeOfLostApply(before) : null;
    if (!found) {
      fail(e, e instanceof ApiError && e.code === 'apply_failed' ? 'The router kept its previous configuration.'
        : lostAnswer(e) && before === undefined ? 'Reload the page to see whether the change was made.'
        : 'Nothing was changed.');
      return 'error';
    }
    res = found;
  }
  const deadline = Date.now() + CONFIRM_SECS * 1000;
  fill(status, `Revision ${res.revision} is running. Confirming…`);
  count.hidden = false;
  const stop = countdown(count, deadline);
  try {
    while (Date.now() < deadline) {
      let reachable = false;
      try {
        const s = await get<{ authenticated?: boolean }>('/session', { timeout: 3000, noRedirect: true });
        reachable = !!s.authenticated;
        if (!s.authenticated) fill(status, 'The session has ended: the change cannot be confirmed from here.');
      } catch {
        reachable = false;
      }
      if (reachable) {
        try {
          await post('/confirm', {}, { timeout: 5000, noRedirect: true });
          return done(dlg, status, count, res.revision);
        } catch (e) {
          if (e instanceof ApiError && e.status > 0) {
            fail(e, 'Look at the History page for the state of the revision.');
            return 'error';
          }
        }
      }
      await sleep(1000);
    }
  } finally {
    stop();
  }
  count.hidden = true;
  fail(new Error('The router could not be reached to confirm the change.'), 'It has returned to the previous configuration.', 'Rolled back');
  refreshPage();
  return 'expired';
}

function done(dlg: Dialog, status: HTMLElement, count: HTMLElement, revision: number): 'confirmed' {
  dlg.lock(false);
  dlg.setTitle('Applied');
  dlg.body.querySelector('.spinner')?.remove();
  count.hidden = true;
  status.className = 'apply-status ok';
  status.dataset.state = 'applied';
  fill(status, `Applied revision ${revision}.`);
  const close = closeButton(dlg, true);
  dlg.setActions(close);
  // autofocus is ignored for elements added after load; the Apply button
  // that held the focus is gone, so hand it to Close explicitly
  close.focus();
  refreshPage();
  return 'confirmed';
}

function closeButton(dlg: Dialog, primary = false): HTMLButtonElement {
  return h('button', { type: 'button', class: primary ? 'primary' : 'secondary', onclick: () => dlg.close(), autofocus: true }, 'Close');
}

interface Status {
  running?: number;
  applying?: { author?: string; since?: number };
  confirm?: { revision: number; seconds_left?: number; deadline?: number };
}

/** How long to look for the outcome of an apply whose answer was lost. */
export const LOST_ANSWER_WAIT_MS = 30000;

/** The running revision, or undefined when the router does not say. */
async function runningRevision(): Promise<number | undefined> {
  try {
    const st = await get<Status>('/status', { timeout: 3000, noRedirect: true });
    return typeof st?.running === 'number' ? st.running : undefined;
  } catch {
    return undefined;
  }
}

/** The request went out but no answer came back (the browser saw a network
 * change, the connection dropped): the router may have applied anyway. */
function lostAnswer(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'network' || e.code === 'timeout');
}

/**
 * The outcome of an apply whose answer was lost, read from the router's
 * status once its run has ended: the revision now waiting for confirmation
 * when it is newer than the one running before (the apply went in), or null
 * when there is none (nothing was changed) or the router stays out of reach.
 */
export async function outcomeOfLostApply(before: number | undefined): Promise<ApplyResult | null> {
  if (before === undefined) return null;
  const until = Date.now() + LOST_ANSWER_WAIT_MS;
  while (Date.now() < until) {
    let st: Status;
    try {
      st = await get<Status>('/status', { timeout: 3000, noRedirect: true });
    } catch {
      await sleep(500);
      continue;
    }
    if (st?.applying) {
      await sleep(300);
      continue;
    }
    const c = st?.confirm;
    return c?.revision && c.revision > before ? { revision: c.revision, confirm_deadline: c.deadline } : null;
  }
  return null;
}

/** After login: offers to confirm a revision that still waits (e.g. the page was reloaded). */
export async function checkPendingConfirm(): Promise<void> {
  let st: Status;
  try {
    st = await get<Status>('/status');
  } catch {
    return;
  }
  const c = st?.confirm;
  if (!c || !c.revision || (c.seconds_left ?? 1) <= 0) return;
  const deadline = Date.now() + (c.seconds_left ?? 30) * 1000;
  const count = h('p', { class: 'countdown', 'data-test': 'countdown' });
  const stop = countdown(count, deadline);
  const status = h('p', { class: 'apply-status', role: 'status' }, `Revision ${c.revision} was applied and waits for confirmation.`);
  const dlg = openDialog({ title: 'Confirm the change', test: 'pending-confirm', body: [status, count], onClose: stop });
  const keep = h('button', {
    type: 'button', class: 'primary', 'data-test': 'confirm',
    onclick: async () => {
      keep.disabled = true;
      try {
        await post('/confirm', {});
        stop();
        done(dlg, status, count, c.revision);
      } catch (e) {
        keep.disabled = false;
        fill(status, errorText(e));
      }
    },
  }, 'Keep it');
  dlg.setActions(keep, h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Let it roll back'));
  keep.focus();
}
