import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { healthText, wanFacts } from '../pages/dashboard';
import { wanPage } from '../pages/network';
import { uplinksPage } from '../pages/uplinks';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const hidden = (root: HTMLElement, name: string) =>
  root.querySelector<HTMLElement>(`[name="${name}"]`)!.closest<HTMLElement>('.field, label, div')!.hidden;

describe('WAN page with PPPoE', () => {
  it('shows the PPPoE fields only while the protocol is PPPoE, and the session', async () => {
    mockFetch({
      'GET /config/wan': [200, { interface: 'wan0', ipv4: { proto: 'dhcp', dns: [] } }],
      'GET /status': [200, { features: { wan: { detail: { proto: 'pppoe', pppoe: {
        state: 'connecting', interface: 'ppp-wan', device: 'wan0', error: 'no PPP support in this kernel' } } } } }],
      'GET /changes': [200, []],
    });
    const root = renderPage(wanPage);
    await until(() => root.querySelector('[name="wan.ipv4.username"]'));
    for (const f of ['username', 'password', 'service', 'ac_name', 'mtu', 'lcp_echo_interval', 'holdoff'])
      expect(hidden(root, `wan.ipv4.${f}`)).toBe(true);
    type(root.querySelector<HTMLSelectElement>('[name="wan.ipv4.proto"]')!, 'pppoe');
    for (const f of ['username', 'password', 'service', 'ac_name', 'mtu', 'lcp_echo_interval', 'holdoff'])
      expect(hidden(root, `wan.ipv4.${f}`)).toBe(false);
    expect(hidden(root, 'wan.ipv4.address')).toBe(true);
    expect(root.querySelector<HTMLInputElement>('[name="wan.ipv4.password"]')!.type).toBe('password');
    await until(() => root.querySelector('[data-test=pppoe-state]'));
    expect(root.querySelector('[data-test=pppoe-state]')!.textContent).toBe('connecting on ppp-wan over wan0');
    expect(root.querySelector('[data-test=pppoe-error]')!.textContent).toBe('no PPP support in this kernel');
  });
});

describe('uplinks', () => {
  it('the page shows the health, the settings and the targets', async () => {
    mockFetch({
      'GET /config/uplinks': [200, { wan: { enabled: true, interval: 10, timeout: 2000, loss_threshold: 20,
        latency_threshold: 500, down_after: 3, up_after: 2 }, targets: [] }],
      'GET /config/uplinks/targets': [200, [{ id: 1, uplink: 'wan', kind: 'dns', address: '198.51.100.1', name: 'upstream.test' }]],
      'GET /status': [200, { features: { uplinks: { detail: { wan: { state: 'degraded', device: 'wan0', loss: 50,
        rtt_ms: 3, rounds: 7, last: [{ kind: 'dns', address: '198.51.100.1', name: 'upstream.test', ok: true, rtt_ms: 3 },
          { kind: 'icmp', address: '198.51.100.9', ok: false, answer: 'no answer' }] } } } } }],
      'GET /changes': [200, []],
    });
    const root = renderPage(uplinksPage);
    await until(() => root.querySelector('[data-test=health-WAN]'));
    expect(root.querySelector('[data-test=health-WAN]')!.textContent).toBe('degraded on wan0: loss 50 %, 3 ms (7 rounds)');
    expect(root.querySelector('[data-test=health-WAN-1]')!.textContent).toBe('no answer');
    await until(() => root.querySelector('[name="uplinks.wan.interval"]'));
    await until(() => root.querySelector('[data-test=entry-1]'));
    expect(root.querySelector('[data-test=entry-1]')!.textContent).toContain('198.51.100.1');
  });

  it('the dashboard card says the WAN health', () => {
    expect(healthText({ state: 'down', loss: 100, rtt_ms: null, device: 'ppp-wan' })).toBe('down (loss 100 %) on ppp-wan');
    expect(healthText(null)).toBe('not checked (Uplinks)');
    const dd = wanFacts({ proto: 'pppoe', interface: 'ppp-wan', health: { state: 'up', loss: 0, rtt_ms: 4, device: 'ppp-wan' } });
    const text = dd.map((e) => e.textContent).join('|');
    expect(text).toContain('ppp-wan (PPPoE)');
    expect(text).toContain('up (loss 0 %, 4 ms) on ppp-wan');
  });
});

describe('failover facts', () => {
  it('says which uplink carries traffic and why', async () => {
    const { failoverFacts } = await import('../pages/inforce');
    const text = (f: Parameters<typeof failoverFacts>[0]) => failoverFacts(f).map((e) => e.textContent).join('|');
    expect(text({ enabled: true, active: 'wan', wan: { link: true, healthy: true }, wwan: { available: true, device: 'wwan0' }, last: null }))
      .toBe('Traffic through|WAN|WAN|usable|Backup|ready on wwan0|Last switch|none yet');
    const t = text({ enabled: true, active: 'wwan', wan: { link: false, healthy: true, why: "the WAN's link is down" },
      wwan: { available: true, device: 'wwan0' }, last: { at: 1, to: 'wwan', reason: "the WAN's link is down" } });
    expect(t).toContain('WWAN (failed over)');
    expect(t).toContain("WAN|the WAN's link is down");
    expect(t).toContain("to WWAN — the WAN's link is down");
    expect(text({ enabled: false, active: 'wan', wwan: { available: false } })).toContain('WAN (failover off)|');
  });
});
