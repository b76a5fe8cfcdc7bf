import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chart, points, rate } from '../chart';
import { dashboardPage, internet } from '../pages/dashboard';
import { leaseFacts, upstreamsCard, wanLeaseCard } from '../pages/inforce';
import { resetSchema } from '../schema';
import { mockFetch, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const now = Math.floor(Date.now() / 1000);
const data = {
  version: '0.1.0',
  system: { hostname: 'difos', uptime: 60, load: [0, 0, 0], memory: { total: 100, free: 50, buffers: 0 } },
  interfaces: [],
  leases: { active: [{ mac: '02:df:05:00:00:01', ip: '192.168.1.100', hostname: 'phone', expires: now + 3600 }], static: [] },
  clients: [
    { mac: '02:df:05:00:00:01', name: 'phone', ip: '192.168.1.100', kind: 'lease', online: true, expires: now + 3600 },
    { mac: '02:df:05:00:00:77', name: null, ip: '192.168.1.77', kind: 'neighbour', online: true },
  ],
  lan_clients: 2,
  wan: {
    interface: 'wan0', proto: 'dhcp', state: 'UP', address: '198.51.100.23/24', gateway: '198.51.100.1',
    dns: ['198.51.100.1'], lease: { seconds: 3600, obtained: now - 600, expires: now + 3000, left: 3000 }, uptime: 700,
    check: { gateway: { address: '198.51.100.1', ok: true, rtt_ms: 3, answer: 'echo reply' }, dns: { server: '198.51.100.1', ok: true, rtt_ms: 5, answer: 'NOERROR' }, at: now },
  },
  features: [
    { name: 'dhcp', title: 'DNS & DHCP', state: 'ok', message: '', engines: [{ name: 'dnsmasq', state: 'running', restarts: 0, message: '' }] },
    { name: 'wan', title: 'WAN', state: 'failed', message: 'udhcpc exited', engines: [{ name: 'udhcpc', state: 'failed', restarts: 3, message: 'no lease' }] },
  ],
  traffic: { period_ms: 3000, samples: 100, times: [1, 2, 3], interfaces: { 'br-lan': { rx: [0, 1000, 125000], tx: [0, 10, 20], rx_bytes: 9, tx_bytes: 9 } } },
  revision: 1, pending_changes: 0,
};

describe('dashboard: is the internet up, is everything running', () => {
  it('shows the WAN card, the services, a chart per interface and the clients', async () => {
    vi.stubGlobal('WebSocket', class { close() {} onclose = null; constructor() {} });
    mockFetch({ 'GET /dashboard': [200, data], 'GET /changes': [200, []] });
    const root = document.createElement('div');
    const leave: (() => void)[] = [];
    dashboardPage.render({ root, query: new URLSearchParams(), onLeave: (f) => leave.push(f) });
    const dash = root.querySelector<HTMLElement>('[data-test=dashboard]')!;
    await until(() => dash.dataset.updated);
    const q = (t: string) => root.querySelector(`[data-test="${t}"]`)!.textContent;
    expect(q('internet')).toBe('Up');
    expect(q('wan-address')).toBe('198.51.100.23/24');
    expect(q('wan-gateway')).toBe('198.51.100.1');
    expect(q('wan-dns')).toBe('198.51.100.1');
    expect(q('wan-lease')).toBe('1h 0m, 50m 0s left');
    expect(q('wan-uptime')).toBe('11m 40s');
    expect(q('wan-check')).toContain('gateway 198.51.100.1: answers in 3 ms');
    expect(q('version')).toBe('difos 0.1.0');
    // every feature and engine with its badge; a failed one says why
    const wan = root.querySelector('[data-test=feature-wan]')!;
    expect(wan.querySelector('[data-test=badge]')!.textContent).toBe('failed');
    expect(wan.textContent).toContain('udhcpc exited');
    expect(root.querySelector('[data-test=engine-dnsmasq] [data-test=badge]')!.textContent).toBe('ok');
    expect(root.querySelector('[data-test=engine-udhcpc]')!.textContent).toContain('3 restarts');
    // the chart: two lines, the latest rate in words
    const fig = root.querySelector('[data-test="chart-br-lan"]')!;
    expect(fig.querySelectorAll('polyline').length).toBe(2);
    expect(fig.textContent).toContain('↓ 1.0 Mbit/s');
    // the count is the list's length
    expect(q('lan-clients')).toBe('2');
    const rows = root.querySelectorAll('[data-test=client]');
    expect(rows.length).toBe(2);
    expect(rows[1].textContent).toContain('Fixed address');
    expect(rows[1].textContent).toContain('192.168.1.77');
    leave.forEach((f) => f());
  });

  it('has the quick actions: restart an engine, reload the PBX, reboot after a confirm', async () => {
    vi.stubGlobal('WebSocket', class { close() {} onclose = null; constructor() {} });
    const withPbx = {
      ...data,
      features: [...data.features,
        { name: 'pbx', title: 'PBX', state: 'ok', engines: [{ name: 'asterisk', state: 'running' }] },
        { name: 'web', title: 'Web interface', state: 'ok', engines: [{ name: 'difosd-web', state: 'running' }] },
        { name: 'ips', title: 'Intrusion prevention', state: 'ok', engines: [{ name: 'ips-reader', state: 'stopped' }] }],
    };
    const { seen } = mockFetch({
      'GET /dashboard': [200, withPbx], 'GET /changes': [200, []],
      'POST /engine/restart': [200, { engine: 'dnsmasq', old_pid: 10, pid: 11 }],
      'POST /pbx/reload': [200, { reloading: true }],
      'POST /system/reboot': [200, { rebooting: true }],
    });
    const root = document.createElement('div');
    document.body.append(root);
    const leave: (() => void)[] = [];
    dashboardPage.render({ root, query: new URLSearchParams(), onLeave: (f) => leave.push(f) });
    await until(() => root.querySelector('[data-test=restart-dnsmasq]'));
    const menu = root.querySelector<HTMLDetailsElement>('[data-test=quick-actions]')!;
    const item = (t: string) => menu.querySelector<HTMLButtonElement>(`[data-test="${t}"]`)!;
    expect(item('restart-dnsmasq').textContent).toBe('Restart dnsmasq (DNS & DHCP)');
    expect(item('restart-udhcpc')).not.toBeNull();     // failed: waits to start again
    expect(item('restart-difosd-web')).toBeNull();     // it would cut this very request
    expect(item('restart-ips-reader')).toBeNull();     // stopped: off in the configuration
    menu.open = true;
    item('restart-dnsmasq').click();
    await until(() => seen.some((r) => r.url === '/engine/restart'));
    expect(seen.find((r) => r.url === '/engine/restart')!.body).toEqual({ engine: 'dnsmasq' });
    await until(() => !menu.open);
    expect(root.querySelector('[data-test=banner]')!.textContent).toBe('dnsmasq restarted (process 11).');
    item('pbx-reload').click();
    await until(() => seen.some((r) => r.url === '/pbx/reload'));
    // the reboot asks first: nothing is sent until the dialog says yes
    item('reboot').click();
    const dlg = document.querySelector('[data-test=reboot-dialog]')!;
    expect(dlg.textContent).toContain('couple of minutes');
    expect(seen.some((r) => r.url === '/system/reboot')).toBe(false);
    dlg.querySelector<HTMLButtonElement>('[data-test=reboot-cancel]')!.click();
    expect(seen.some((r) => r.url === '/system/reboot')).toBe(false);
    item('reboot').click();
    document.querySelector<HTMLButtonElement>('[data-test=reboot-dialog] [data-test=reboot-confirm]')!.click();
    await until(() => seen.some((r) => r.url === '/system/reboot'));
    await until(() => root.querySelector('[data-test=banner]')!.textContent!.includes('rebooting'));
    leave.forEach((f) => f());
  });

  it('offers no PBX reload while there is no PBX', async () => {
    vi.stubGlobal('WebSocket', class { close() {} onclose = null; constructor() {} });
    mockFetch({ 'GET /dashboard': [200, data], 'GET /changes': [200, []] });
    const root = document.createElement('div');
    dashboardPage.render({ root, query: new URLSearchParams(), onLeave: () => {} });
    await until(() => root.querySelector('[data-test=restart-dnsmasq]'));
    expect(root.querySelector('[data-test=pbx-reload]')).toBeNull();
    expect(root.querySelector('[data-test=reboot]')).not.toBeNull();
  });

  it('says down, degraded or not checked', () => {
    expect(internet(null).text).toBe('Not checked yet');
    expect(internet({ gateway: { ok: false }, dns: { ok: false } }).text).toBe('Down');
    expect(internet({ gateway: { ok: true }, dns: { ok: true, answer: 'REFUSED' } }).text).toBe('Degraded');
  });
});

describe('traffic chart', () => {
  it('puts the newest sample at the right edge on one scale', () => {
    expect(points([0, 10], 10, 100, 12, 2)).toBe('0.0,11.0 100.0,1.0');
    expect(points([5], 10, 100, 12, 11)).toBe('100.0,6.0');
    const svg = chart([1, 2], [], 100, 'x');
    expect(svg.querySelectorAll('polyline').length).toBe(1);
    const dot = svg.querySelector('circle')!;
    expect([dot.getAttribute('cx'), dot.getAttribute('cy')]).toEqual(['300.0', '1.0']);
    expect(svg.getAttribute('aria-label')).toBe('x');
  });
  it('rates in bits per second', () => {
    expect(rate(125)).toBe('1.0 kbit/s');
    expect(rate(0)).toBe('0 bit/s');
    expect(rate(NaN)).toBe('—');
  });
});

describe('what is in force', () => {
  it('the WAN page shows the DHCP lease and its time left', async () => {
    mockFetch({ 'GET /status': [200, { features: { wan: { detail: { proto: 'dhcp', dhcp: { ip: '198.51.100.23', prefix: 24, routers: ['198.51.100.1'], dns: ['198.51.100.1'], lease: 3600, since: now - 60 } } } } }] });
    const card = wanLeaseCard();
    document.body.append(card);
    await until(() => card.querySelector('[data-test=wan-address]'));
    expect(card.querySelector('[data-test=wan-address]')!.textContent).toBe('198.51.100.23/24');
    expect(card.querySelector('[data-test=wan-lease]')!.textContent).toMatch(/^1h 0m, 5[89]m \d+s left$/);
    expect(leaseFacts(undefined)[1].textContent).toBe('none yet');
  });
  it('the DNS page shows the upstreams in use', async () => {
    mockFetch({ 'GET /status': [200, { features: { dhcp: { detail: { upstreams: { source: 'configured', servers: ['9.9.9.9', '1.1.1.1'] } } } } }] });
    const card = upstreamsCard();
    document.body.append(card);
    await until(() => card.querySelector('[data-test=upstream-servers]'));
    expect(card.querySelector('[data-test=upstream-servers]')!.textContent).toBe('9.9.9.9, 1.1.1.1');
    expect(card.querySelector('[data-test=upstream-source]')!.textContent).toBe('configured here');
  });
});
