import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wwanPage } from '../pages/wwan';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const settings = { enabled: true, apn: '', pdp_type: 'ipv4v6', ipv6_pd: false, control_port: '/dev/ttyUSB2', device: 'wwan0', backend: 'auto' };

describe('WWAN page', () => {
  it('says the section needs an LTE modem when there is none, and shows the settings', async () => {
    mockFetch({
      'GET /status': [200, { features: { wwan: { detail: { enabled: true, modem: 'absent', connection: 'no modem', error: '/dev/ttyUSB2: No such file or directory' } } } }],
      'GET /config/wwan': [200, settings],
      'GET /changes': [200, []],
    });
    const root = renderPage(wwanPage);
    await until(() => root.querySelector('[data-test=wwan-no-modem]'));
    expect(root.querySelector('[data-test=wwan-no-modem]')!.textContent).toContain('only applicable if your router has an LTE modem');
    await until(() => root.querySelector('[name="wwan.apn"]'));
    expect(root.querySelector('[name="wwan.pin"]')).not.toBeNull();
    expect(root.querySelector('[name="wwan.pdp_type"]')).not.toBeNull();
  });

  it('shows the modem, the SIM, the signal and the uplink it publishes', async () => {
    mockFetch({
      'GET /status': [200, { features: { wwan: { detail: {
        enabled: true, modem: 'present', connection: 'connected', manufacturer: 'Quectel', model: 'EC25', imei: '867962041234567',
        sim: 'ready', operator: 'Stand-in Mobile', registration: 'home', technology: 'LTE',
        signal: { rssi_dbm: -73, quality_percent: 64, rsrp_dbm: -91, rsrq_db: -10 }, apn: '(network default)',
        uplink: { device: 'wwan0', ipv4: { address: '10.64.0.20', prefix: 24, gateway: '10.64.0.1' }, ipv6: null, dns: ['10.64.0.1'], table: 200 },
      } } } }],
      'GET /config/wwan': [200, settings],
      'GET /changes': [200, []],
    });
    const root = renderPage(wwanPage);
    await until(() => root.querySelector('[data-test=wwan-imei]'));
    const text = (t: string) => root.querySelector(`[data-test=${t}]`)!.textContent;
    expect(text('wwan-modem')).toBe('Quectel EC25');
    expect(text('wwan-imei')).toBe('867962041234567');
    expect(text('wwan-sim')).toBe('ready');
    expect(text('wwan-signal')).toBe('64%, RSSI -73 dBm, RSRP -91 dBm, RSRQ -10 dB');
    expect(text('wwan-address')).toBe('10.64.0.20/24');
    expect(text('wwan-gateway')).toBe('10.64.0.1');
    expect(text('wwan-address6')).toBe('—');
    expect(root.querySelector('[data-test=wwan-delegated]')).toBeNull();
    expect(root.querySelector('[data-test=wwan-no-modem]')).toBeNull();
  });

  it('shows the IPv6 address and the prefix delegated for the LAN', async () => {
    mockFetch({
      'GET /status': [200, { features: { wwan: { detail: {
        enabled: true, modem: 'present', connection: 'connected', sim: 'ready',
        uplink: { device: 'wwan0', ipv4: { address: '10.64.0.20', prefix: 24, gateway: '10.64.0.1' },
          ipv6: { address: '2001:db8:64::5', prefix: 64, gateway: 'fe80::1', delegated_prefix: '2001:db8:6400:100::/56' }, dns: [], table: 200 },
      } } } }],
      'GET /config/wwan': [200, { ...settings, ipv6_pd: true }],
      'GET /changes': [200, []],
    });
    const root = renderPage(wwanPage);
    await until(() => root.querySelector('[data-test=wwan-delegated]'));
    expect(root.querySelector('[data-test=wwan-address6]')!.textContent).toBe('2001:db8:64::5/64');
    expect(root.querySelector('[data-test=wwan-delegated]')!.textContent).toBe('2001:db8:6400:100::/56');
  });
});
