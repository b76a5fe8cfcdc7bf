import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ifaceState, overviewInterfaces, overviewPage } from '../pages/overview';
import { resetSchema } from '../schema';
import { mockFetch, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const ifaces = [
  { name: 'lo', state: 'UNKNOWN', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], addresses: [{ address: '127.0.0.1', prefix: 8 }] },
  { name: 'ifb-lanup', kind: 'ifb', state: 'UNKNOWN', flags: ['UP', 'LOWER_UP'] },
  { name: 'br-lan', kind: 'bridge', role: 'lan', title: 'LAN', state: 'UP', flags: ['UP', 'LOWER_UP'], mac: '02:00:00:00:00:01',
    addresses: [{ address: '192.168.1.1', prefix: 24 }, { address: 'fe80::1', prefix: 64 }] },
  { name: 'wan0', role: 'wan', title: 'WAN', state: 'DOWN', flags: ['NO-CARRIER', 'UP'], mac: '02:00:00:00:00:02', addresses: [] },
  { name: 'wwan0', role: 'wwan', title: 'WWAN', state: 'UP', flags: ['UP', 'LOWER_UP'], uplink_state: 'standby' },
  { name: 'eth5', state: 'UNKNOWN', flags: ['UP'] },
];

describe('overview', () => {
  it('says up, down, standby or failed over', () => {
    expect(ifaceState(ifaces[2])).toBe('up');
    expect(ifaceState(ifaces[3])).toBe('down');
    expect(ifaceState(ifaces[4])).toBe('standby');
    expect(ifaceState({ ...ifaces[3], uplink_state: 'failed over' })).toBe('failed over');
    // a bridge says UNKNOWN: up with a carrier, down without
    expect(ifaceState({ state: 'UNKNOWN', flags: ['UP', 'LOWER_UP'] })).toBe('up');
    expect(ifaceState(ifaces[5])).toBe('down');
  });

  it('leaves out the loopback and the QoS devices, uplinks first', () => {
    expect(overviewInterfaces(ifaces).map((i) => i.name)).toEqual(['wan0', 'wwan0', 'br-lan', 'eth5']);
  });

  it('shows each interface with its graph, state and addresses on hover', async () => {
    mockFetch({ 'GET /dashboard': [200, { interfaces: ifaces, traffic: { period_ms: 3000, samples: 100,
      interfaces: { 'br-lan': { rx: [0, 2048], tx: [0, 1024] } } } }] });
    const root = document.createElement('div');
    document.body.append(root);
    overviewPage.render({ root, query: new URLSearchParams(), onLeave: () => {} });
    await until(() => root.querySelector('[data-test=overview-br-lan]') !== null);
    const lan = root.querySelector('[data-test=overview-br-lan]')!;
    expect(lan.querySelector('h2')!.textContent).toBe('LAN (br-lan)');
    expect(lan.querySelector('[data-test=state]')!.textContent).toBe('up');
    expect(lan.querySelector('svg')).not.toBeNull();
    expect(lan.textContent).toContain('↓ 16 kbit/s');
    expect(lan.textContent).toContain('↑ 8.2 kbit/s');
    // the link-local address is left out of the details
    expect(lan.querySelector('[data-test=ip]')!.textContent).toBe('192.168.1.1/24');
    expect(lan.querySelector('[data-test=mac]')!.textContent).toBe('02:00:00:00:00:01');
    expect(root.querySelector('[data-test=overview-wwan0] [data-test=state]')!.textContent).toBe('standby');
    expect(root.querySelector('[data-test=overview-lo]')).toBeNull();
  });
});
