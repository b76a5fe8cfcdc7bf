/*
 * Start-up and page switching: reads the session, sends the user to setup
 * or login when needed, renders the page of the current hash route.
 */
import { errorText, onUnauthorized, post } from './api';
import { checkPendingConfirm } from './apply';
import { closeDialogs } from './dialog';
import { h, fill } from './dom';
import { publicFrame, shell, type Shell } from './layout';
import type { PageDef } from './page';
import { refreshChanges } from './pill';
import { current, go, onRoute } from './router';
import { resetSchema } from './schema';
import { loadSession, loggedOut, session } from './session';

let pages: PageDef[] = [];
let frame: Shell | null = null;
let leaving: (() => void)[] = [];
let returnTo = '/dashboard';
let root: HTMLElement;

export const HOME = '/dashboard';

export async function boot(el: HTMLElement, list: PageDef[]): Promise<void> {
  root = el;
  pages = list;
  onUnauthorized(() => {
    const r = current();
    if (session.authenticated || !isPublic(r.path)) {
      if (!isPublic(r.path)) returnTo = r.path + (r.query.toString() ? '?' + r.query : '');
      loggedOut();
      frame = null;
      go('/login');
    }
  });
  onRoute(() => render(true));
  window.addEventListener('difos:refresh', () => render(false));
  try {
    await loadSession();
  } catch (e) {
    const retry = h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Try again');
    const f = publicFrame();
    fill(f.content, h('h1', null, 'The router does not answer'), h('p', { class: 'banner error', role: 'alert' }, errorText(e)), retry);
    root.replaceChildren(f.el);
    return;
  }
  if (session.authenticated) afterLogin(false);
  render(false);
}

const isPublic = (path: string) => !!pages.find((p) => p.path === path)?.public;

/** After login or setup: pill, a revision waiting for confirmation, then the page the user wanted. */
export function afterLogin(navigate = true): void {
  void refreshChanges();
  void checkPendingConfirm();
  if (navigate) {
    const to = returnTo;
    returnTo = HOME;
    go(to);
  }
}

export async function logout(): Promise<void> {
  try {
    await post('/auth/logout', {}, { noRedirect: true });
  } catch {
    // the session is gone either way
  }
  loggedOut();
  resetSchema();
  frame = null;
  returnTo = HOME;
  go('/login');
}

function render(moved: boolean): void {
  for (const fn of leaving) {
    try {
      fn();
    } catch {
      // a page's clean-up must not stop the next page
    }
  }
  leaving = [];
  if (moved) closeDialogs();
  const r = current();
  const page = pages.find((p) => p.path === r.path);
  if (page?.path !== '/confirm') {
    if (session.setup_required && r.path !== '/setup') return go('/setup');
    if (!session.authenticated && !page?.public) {
      if (page) returnTo = r.path + (r.query.toString() ? '?' + r.query : '');
      return go('/login');
    }
    if (session.authenticated && (page?.public || !page)) return go(HOME);
  }
  if (!page) return go(HOME);
  const ctx = { query: r.query, onLeave: (fn: () => void) => leaving.push(fn) };
  if (page.public) {
    frame = null;
    const f = publicFrame();
    root.replaceChildren(f.el);
    document.title = `${page.title} · difos`;
    page.render({ ...ctx, root: f.content });
    return;
  }
  if (!frame || !frame.el.isConnected) {
    frame = shell(pages, () => void logout());
    root.replaceChildren(frame.el);
  }
  frame.show(page);
  frame.content.replaceChildren();
  page.render({ ...ctx, root: frame.content });
  if (moved) frame.el.querySelector<HTMLElement>('main')?.focus({ preventScroll: true });
}
