/*
 * The REST client: JSON in and out, CSRF header on every state-changing
 * call, errors as ApiError, 401 sends the user to the login page.
 */
export interface ErrorItem {
  path?: string;
  value?: unknown;
  message: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public path?: string,
    public value?: unknown,
    public errors: ErrorItem[] = [],
    public retryAfter?: number,
  ) {
    super(message);
  }
}

export const BASE = '/api/v1';
/*
 * The CSRF token travels in X-Auth-Token (docs/rest-api.md: a header name
 * libwebsockets keeps over HTTP/2); X-CSRF-Token carries the same value for
 * servers that read the older name.
 */
export const CSRF_HEADERS = ['X-Auth-Token', 'X-CSRF-Token'];
let csrf = '';
let unauthorized: () => void = () => {};

export function setCsrf(token: string | undefined): void {
  csrf = token || '';
}

export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

export const READ_TIMEOUT_MS = 20000;

export interface CallOptions {
  /** CSRF header value to use instead of the session's ("login" for setup, login, token confirm). */
  csrf?: string;
  /** Abort after this many milliseconds (GET: 20 s unless given). */
  timeout?: number;
  /** Do not go to the login page on 401. */
  noRedirect?: boolean;
  /** Times to try again, NETWORK_RETRY_MS apart, when the router cannot be reached (GET: 2). */
  retries?: number;
}

/*
 * difosd-web restarts to serve a new certificate a moment after an apply or
 * a confirm; a request made in that moment finds no one listening. Reads
 * (and the login, which is harmless twice) are tried again, a little later.
 */
export const NETWORK_RETRY_MS = 400;

export async function call<T = unknown>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  let retries = opts.retries ?? (method === 'GET' ? 2 : 0);
  for (;;) {
    try {
      return await callOnce<T>(method, path, body, opts);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'network' || retries-- <= 0) throw e;
      await new Promise((r) => setTimeout(r, NETWORK_RETRY_MS));
    }
  }
}

async function callOnce<T>(method: string, path: string, body: unknown, opts: CallOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') for (const name of CSRF_HEADERS) headers[name] = opts.csrf || csrf || 'none';
  const ctl = new AbortController();
  // a read never hangs a page for good; apply and friends take the time they need
  const limit = opts.timeout ?? (method === 'GET' ? READ_TIMEOUT_MS : undefined);
  const timer = limit ? setTimeout(() => ctl.abort(), limit) : undefined;
  let res: Response;
  let text: string;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctl.signal,
    });
    text = await res.text();
  } catch {
    const timedOut = ctl.signal.aborted;
    throw new ApiError(0, timedOut ? 'timeout' : 'network',
      timedOut ? 'The router did not answer in time.' : 'Cannot reach the router.');
  } finally {
    if (timer) clearTimeout(timer);
  }
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', 'The router sent an answer that is not JSON (cut short?).');
    }
  }
  if (res.ok) return data as T;
  const e = (data && typeof data === 'object' && (data as { error?: unknown }).error) as
    | { code?: string; message?: string; path?: string; value?: unknown; errors?: ErrorItem[] }
    | undefined;
  const retry = Number(res.headers.get('Retry-After'));
  const err = new ApiError(
    res.status,
    e?.code || 'http_' + res.status,
    e?.message || `${res.status} ${res.statusText || 'error'}`,
    e?.path,
    e?.value,
    Array.isArray(e?.errors) ? e!.errors! : [],
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
  if (res.status === 401 && !opts.noRedirect) unauthorized();
  throw err;
}

export const get = <T = unknown>(path: string, opts?: CallOptions) => call<T>('GET', path, undefined, opts);
export const post = <T = unknown>(path: string, body: unknown = {}, opts?: CallOptions) => call<T>('POST', path, body, opts);
export const put = <T = unknown>(path: string, body: unknown, opts?: CallOptions) => call<T>('PUT', path, body, opts);
export const patch = <T = unknown>(path: string, body: unknown, opts?: CallOptions) => call<T>('PATCH', path, body, opts);
export const del = <T = unknown>(path: string, opts?: CallOptions) => call<T>('DELETE', path, undefined, opts);

/** Document path (lan.dhcp, dhcp.static_leases[3]) to its URL: /config/lan/dhcp, /config/dhcp/static_leases/3. */
export function configUrl(path: string): string {
  const segs = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  return '/config' + segs.map((s) => '/' + encodeURIComponent(s)).join('');
}

/** A message for any error, for banners. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.errors.length > 1) return e.errors.map((x) => x.message).join('\n');
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
