import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followsLan, lanMove, moveTarget, moveUrl, randomToken, runConfirmed } from '../apply';
import { openDialog } from '../dialog';
import { mockFetch, until } from './helpers';

const move = [{ op: 'modified', path: 'lan.ipv4.address', old: '192.168.1.1', new: '10.0.0.1' }];
const https = (hostname: string, port = '') => ({ protocol: 'https:', hostname, port });

beforeEach(() => document.body.replaceChildren());
afterEach(() => vi.unstubAllGlobals());

describe('following the router to a new address', () => {
  it('finds a LAN address change', () => {
    expect(lanMove(move)).toEqual({ from: '192.168.1.1', to: '10.0.0.1' });
    expect(lanMove([{ op: 'modified', path: 'lan.ipv4.prefix', old: 24, new: 16 }])).toBeNull();
  });
  it('follows when the page was opened at the old address or by name', () => {
    expect(followsLan('192.168.1.1', '192.168.1.1')).toBe(true);
    expect(followsLan('difos.lan', '192.168.1.1')).toBe(true);
    expect(followsLan('203.0.113.5', '192.168.1.1')).toBe(false);
  });
  it('computes the new place, keeping the port', () => {
    expect(moveTarget(move, https('192.168.1.1', '8443'))).toEqual({ host: '10.0.0.1', port: '8443' });
    expect(moveTarget(move, https('203.0.113.5'))).toBeNull();
    expect(moveTarget([{ op: 'modified', path: 'web.https_port', old: 443, new: 8443 }], https('192.168.1.1'))).toEqual({ host: '192.168.1.1', port: '8443' });
    expect(moveTarget([{ op: 'modified', path: 'web.https_port', old: 443, new: 8443 }], https('192.168.1.1', '9443'))).toBeNull();
    expect(moveUrl({ host: '10.0.0.1', port: '' }, '/confirm?token=t', { protocol: 'https:' })).toBe('https://10.0.0.1/#/confirm?token=t');
  });
  it('makes 64 hex character tokens', () => {
    const t = randomToken();
    expect(t).toMatch(/^[0-9a-f]{64}$/);
    expect(randomToken()).not.toBe(t);
  });
});

describe('runConfirmed', () => {
  it('applies, sees the router still answers, confirms by itself', async () => {
    const { seen } = mockFetch({
      'POST /apply': [200, { revision: 7, touched: ['dhcp'], confirm_deadline: 2000000000 }],
      'GET /session': [200, { authenticated: true, csrf: 'c' }],
      'GET /changes': [200, []],
      'POST /confirm': [200, { confirmed: 7 }],
    });
    const dlg = openDialog({ title: 'Unsaved changes' });
    const refreshed = vi.fn();
    window.addEventListener('difos:refresh', refreshed);
    const r = await runConfirmed(dlg, (extra) => fetch('/api/v1/apply', { method: 'POST', body: JSON.stringify(extra) }).then((x) => x.json()), []);
    expect(r).toBe('confirmed');
    expect(seen[1].body).toEqual({ confirm: 60 });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /status', 'POST /apply', 'GET /session', 'POST /confirm']);
    expect(seen[3].body).toEqual({});
    const status = dlg.el.querySelector<HTMLElement>('[data-test=apply-status]')!;
    expect(status.textContent).toBe('Applied revision 7.');
    expect(status.dataset.state).toBe('applied');
    // nothing is unsaved any more: the title says so
    expect(dlg.el.querySelector('h2')!.textContent).toBe('Applied');
    expect(refreshed).toHaveBeenCalled();
    window.removeEventListener('difos:refresh', refreshed);
  });

  it('shows a failed apply and changes nothing else', async () => {
    const { seen } = mockFetch({
      'POST /apply': [422, { error: { code: 'apply_failed', message: 'dnsmasq: bad option' } }],
    });
    const { post } = await import('../api');
    const dlg = openDialog({ title: 'Unsaved changes' });
    const r = await runConfirmed(dlg, (extra) => post('/apply', extra), []);
    expect(r).toBe('error');
    const status = dlg.el.querySelector<HTMLElement>('[data-test=apply-status]')!;
    expect(status.textContent).toContain('dnsmasq: bad option');
    expect(status.textContent).toContain('previous configuration');
    expect(dlg.el.querySelector('h2')!.textContent).toBe('Not applied');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /status', 'POST /apply']);
  });

  it('shows the countdown while it cannot reach the router', async () => {
    let calls = 0;
    mockFetch({
      'POST /apply': [200, { revision: 8, touched: [] }],
      'GET /session': () => (++calls < 2 ? Promise.reject(new TypeError('offline')) : [200, { authenticated: true }]),
      'POST /confirm': [200, { confirmed: 8 }],
    });
    const { post } = await import('../api');
    const dlg = openDialog({ title: 'Unsaved changes' });
    const done = runConfirmed(dlg, (extra) => post('/apply', extra), []);
    await until(() => dlg.el.querySelector<HTMLElement>('[data-test=countdown]')?.textContent?.includes('Rolls back in'));
    expect(dlg.el.querySelector<HTMLElement>('[data-test=countdown]')!.hidden).toBe(false);
    expect(await done).toBe('confirmed');
  });

  it('finds out that an apply whose answer was lost went in, and confirms it', async () => {
    const states = [{ running: 7 }, { running: 7, applying: { author: 'admin' } }, { running: 8, confirm: { revision: 8, seconds_left: 59 } }];
    const { seen } = mockFetch({
      'GET /status': () => [200, states.length > 1 ? states.shift() : states[0]],
      'POST /apply': () => Promise.reject(new TypeError('net::ERR_NETWORK_CHANGED')),
      'GET /session': [200, { authenticated: true }],
      'POST /confirm': [200, { confirmed: 8 }],
    });
    const { post } = await import('../api');
    const dlg = openDialog({ title: 'Unsaved changes' });
    expect(await runConfirmed(dlg, (extra) => post('/apply', extra), [])).toBe('confirmed');
    expect(dlg.el.querySelector<HTMLElement>('[data-test=apply-status]')!.textContent).toBe('Applied revision 8.');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(
      ['GET /status', 'POST /apply', 'GET /status', 'GET /status', 'GET /session', 'POST /confirm']);
  });

  it('says nothing was changed when the answer was lost and no new revision waits', async () => {
    mockFetch({
      'GET /status': [200, { running: 7 }],
      'POST /apply': () => Promise.reject(new TypeError('offline')),
    });
    const { post } = await import('../api');
    const dlg = openDialog({ title: 'Unsaved changes' });
    expect(await runConfirmed(dlg, (extra) => post('/apply', extra), [])).toBe('error');
    const status = dlg.el.querySelector<HTMLElement>('[data-test=apply-status]')!;
    expect(status.textContent).toBe('Cannot reach the router.Nothing was changed.');
  });

  it('does not claim nothing changed when it cannot tell', async () => {
    mockFetch({ 'POST /apply': () => Promise.reject(new TypeError('offline')) });
    const { post } = await import('../api');
    const dlg = openDialog({ title: 'Unsaved changes' });
    expect(await runConfirmed(dlg, (extra) => post('/apply', extra), [])).toBe('error');
    expect(dlg.el.querySelector<HTMLElement>('[data-test=apply-status]')!.textContent).toContain('Reload the page');
  });
});
