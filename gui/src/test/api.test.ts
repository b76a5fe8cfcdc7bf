import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, call, configUrl, errorText, get, onUnauthorized, post, setCsrf } from '../api';
import { parse } from '../router';
import { mockFetch } from './helpers';

/** The ApiError a call ends with. */
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('the call succeeded'); }, (e: ApiError) => e);

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrf('');
  onUnauthorized(() => {});
});

describe('configUrl', () => {
  it('turns document paths into URLs', () => {
    expect(configUrl('lan.dhcp')).toBe('/config/lan/dhcp');
    expect(configUrl('dhcp.static_leases[3]')).toBe('/config/dhcp/static_leases/3');
    expect(configUrl('dhcp.static_leases[3].ip')).toBe('/config/dhcp/static_leases/3/ip');
    expect(configUrl('')).toBe('/config');
  });
});

describe('call', () => {
  it('sends the CSRF token on state-changing calls only', async () => {
    const { seen } = mockFetch({ 'GET /session': [200, {}], 'PATCH /config/lan/dhcp': [200, { staged: true }] });
    setCsrf('abc');
    await get('/session');
    await call('PATCH', '/config/lan/dhcp', { start: '192.168.1.50' });
    expect(seen[0].headers['X-Auth-Token']).toBeUndefined();
    expect(seen[1].headers['X-Auth-Token']).toBe('abc');
    expect(seen[1].headers['X-CSRF-Token']).toBe('abc');
    expect(seen[1].headers['Content-Type']).toBe('application/json');
    expect(seen[1].body).toEqual({ start: '192.168.1.50' });
  });

  it('uses "login" for setup and login', async () => {
    const { seen } = mockFetch({ 'POST /auth/login': [200, { user: 'admin', csrf: 'x' }] });
    await post('/auth/login', { password: 'pw' }, { csrf: 'login' });
    expect(seen[0].headers['X-Auth-Token']).toBe('login');
  });

  it('turns error bodies into ApiError with path and errors', async () => {
    mockFetch({
      'PATCH /config/lan/dhcp': [422, { error: { code: 'invalid', message: 'lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24', path: 'lan.dhcp.start', value: '10.0.0.5', errors: [{ path: 'lan.dhcp.start', value: '10.0.0.5', message: 'm' }] } }],
    });
    const e = await failure(call('PATCH', '/config/lan/dhcp', {}));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.code).toBe('invalid');
    expect(e.path).toBe('lan.dhcp.start');
    expect(e.errors).toHaveLength(1);
    expect(errorText(e)).toBe('lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24');
  });

  it('reads Retry-After on 429', async () => {
    mockFetch({ 'POST /auth/login': [429, { error: { code: 'throttled', message: 'too many' } }, { 'Retry-After': '42' }] });
    const e = await failure(post('/auth/login', {}, { csrf: 'login', noRedirect: true }));
    expect(e.status).toBe(429);
    expect(e.retryAfter).toBe(42);
  });

  it('calls the 401 handler unless told not to', async () => {
    mockFetch({ 'GET /changes': [401, { error: { code: 'unauthorized', message: 'no session' } }] });
    const seen = vi.fn();
    onUnauthorized(seen);
    await get('/changes').catch(() => {});
    expect(seen).toHaveBeenCalledTimes(1);
    await get('/changes', { noRedirect: true }).catch(() => {});
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('rejects an answer cut short', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{"type":"obj', { status: 200 })));
    const e = await failure(get('/schema'));
    expect(e.code).toBe('bad_response');
  });

  it('reports a network failure as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    const e = await failure(get('/session'));
    expect(e.status).toBe(0);
    expect(e.code).toBe('network');
  });
});

describe('router', () => {
  it('parses hash routes with a query', () => {
    expect(parse('#/setup?token=abc').path).toBe('/setup');
    expect(parse('#/setup?token=abc').query.get('token')).toBe('abc');
    expect(parse('').path).toBe('/');
    expect(parse('#lan').path).toBe('/lan');
  });
});

describe('a router that cannot be reached for a moment', () => {
  it('is asked again for a read and for a login, not for a change', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', vi.fn(async () => {
      calls++;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    }));
    expect(await get('/status')).toEqual({ ok: true });
    expect(calls).toBe(2);
    calls = 0;
    expect(await post('/auth/login', {}, { retries: 3 })).toEqual({ ok: true });
    expect(calls).toBe(2);
    calls = 0;
    await expect(post('/apply', {})).rejects.toMatchObject({ code: 'network' });
    expect(calls).toBe(1);
  });
});
