/* Hash routing: #/lan, #/dns?tab=leases, #/setup?token=... */

export interface Route {
  path: string;
  query: URLSearchParams;
}

export function parse(hash: string): Route {
  const s = hash.replace(/^#/, '');
  const i = s.indexOf('?');
  const path = (i < 0 ? s : s.slice(0, i)) || '/';
  return { path: path.startsWith('/') ? path : '/' + path, query: new URLSearchParams(i < 0 ? '' : s.slice(i + 1)) };
}

export function current(): Route {
  return parse(location.hash);
}

export function go(path: string): void {
  if (location.hash === '#' + path) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = '#' + path;
}

/** Changes the query of the current route without adding a history entry or re-rendering. */
export function setQuery(q: Record<string, string>): void {
  const r = current();
  const p = new URLSearchParams(q).toString();
  history.replaceState(null, '', '#' + r.path + (p ? '?' + p : ''));
}

export function onRoute(fn: (r: Route) => void): void {
  window.addEventListener('hashchange', () => fn(current()));
}
