/* The login state, from GET /session, login and setup. */
import { get, setCsrf } from './api';

export interface Session {
  authenticated: boolean;
  setup_required?: boolean;
  user?: string;
  csrf?: string;
  idle_timeout?: number;
  expires?: number;
}

export const session: Session = { authenticated: false };

export async function loadSession(): Promise<Session> {
  const s = await get<Session>('/session', { noRedirect: true });
  Object.assign(session, { setup_required: false, user: undefined }, s);
  setCsrf(s.authenticated ? s.csrf : '');
  return session;
}

export function loggedIn(res: { user?: string; csrf?: string }): void {
  Object.assign(session, { authenticated: true, setup_required: false, user: res.user || 'admin', csrf: res.csrf });
  setCsrf(res.csrf);
}

export function loggedOut(): void {
  Object.assign(session, { authenticated: false, csrf: undefined });
  setCsrf('');
}
