import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { interfacesText, ipsecPage, peerStateText, routesText, statusText } from '../pages/ipsec';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const peers = [{ id: 1, name: 'branch', enabled: true, remote_gateway: '203.0.113.2', version: 'ikev2',
  local_networks: ['192.168.1.0/24'], remote_networks: ['10.2.0.0/24', '10.3.0.0/24'], psk: '********' }];

const ipsecStatus = {
  running: true, esp: 'userspace (kernel-libipsec)', version: '5.9.8',
  peers: [
    { name: 'branch', version: 'ikev2', state: 'up', problem: null, sas: [{
      state: 'ESTABLISHED', local_host: '198.51.100.10', remote_host: '203.0.113.2', established_ago: 12, rekey_in: 14000, reauth_in: null,
      children: [{ name: 'branch', state: 'INSTALLED', bytes_in: 840, packets_in: 10, bytes_out: 840, packets_out: 10, rekey_in: 3300,
        local_ts: ['192.168.1.0/24'], remote_ts: ['10.2.0.0/24'] }] }] },
    { name: 'legacy', version: 'ikev1', state: 'down', problem: 'no answer / authentication failed?', sas: [] },
  ],
};

describe('IPsec page', () => {
  it('words a peer that is not up with why', () => {
    expect(peerStateText({ name: 'x', state: 'up' })).toBe('Up');
    expect(peerStateText({ name: 'x', state: 'down', problem: 'authentication failed (the pre-shared key differs)' }))
      .toBe('Down: authentication failed (the pre-shared key differs)');
  });

  it('prints the status with the SAs, bytes, packets and rekey times', () => {
    const t = statusText(ipsecStatus);
    expect(t).toContain('charon: running (strongSwan 5.9.8), ESP: userspace (kernel-libipsec)');
    expect(t).toContain('branch (ikev2): Up');
    expect(t).toContain('IKE ESTABLISHED 198.51.100.10 <-> 203.0.113.2, established 12s ago, rekey in 14000s');
    expect(t).toContain('CHILD branch INSTALLED 192.168.1.0/24 <-> 10.2.0.0/24: in 840 bytes / 10 packets, out 840 bytes / 10 packets, rekey in 3300s');
    expect(t).toContain('legacy (ikev1): Down: no answer / authentication failed?');
    expect(statusText({ running: false, peers: [] })).toBe('charon: not running\nno peer configured');
  });

  it('prints interfaces and routes', () => {
    expect(interfacesText([{ name: 'lo', state: 'UNKNOWN', addresses: ['127.0.0.1/8'] }, { name: 'ipsec0', state: 'UNKNOWN' }]))
      .toBe('lo UNKNOWN 127.0.0.1/8\nipsec0 UNKNOWN');
    expect(routesText([{ dst: '10.2.0.0/24', dev: 'ipsec0', table: '220' }, { dst: 'default', gateway: '198.51.100.1', dev: 'wan0', table: 'main' }]))
      .toBe('10.2.0.0/24 dev ipsec0 table 220\ndefault via 198.51.100.1 dev wan0 table main');
  });

  it('shows the peers, their live state, and a quick command\'s answer', async () => {
    mockFetch({
      'GET /status': [200, { features: { ipsec: { detail: { peers: [{ name: 'branch', state: 'down', problem: 'authentication failed (the pre-shared key differs)' }] } } } }],
      'GET /config/ipsec/peers': [200, peers],
      'GET /ipsec/status': [200, ipsecStatus],
      'GET /changes': [200, []],
    });
    const root = renderPage(ipsecPage);
    await until(() => root.querySelector('[data-test=ipsec-state-branch]'));
    expect(root.querySelector('[data-test=ipsec-state-branch]')!.textContent).toBe('Down: authentication failed (the pre-shared key differs)');
    await until(() => root.querySelector('[data-test="table-ipsec.peers"]')?.textContent?.includes('10.2.0.0/24, 10.3.0.0/24'));
    (root.querySelector('[data-test=ipsec-status]') as HTMLButtonElement).click();
    await until(() => !(root.querySelector('[data-test=ipsec-output]') as HTMLElement).hidden);
    expect(root.querySelector('[data-test=ipsec-output]')!.textContent).toContain('CHILD branch INSTALLED');
  });
});
