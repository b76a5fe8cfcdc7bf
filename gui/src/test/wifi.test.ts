import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countryChoices, radioText, wifiPage } from '../pages/wifi';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const CLIENTS = {
  clients: [
    { band: '2g', mac: '02:00:00:00:01:01', name: 'Desk laptop', signal: -48, rx_rate: 144.4, tx_rate: 130, connected_time: 3600 },
    { band: '5g', mac: '02:00:00:00:05:01', signal: -60, rx_rate: 866.7, tx_rate: 650, connected_time: 7200 },
  ],
  kicks: [],
  radios: { '2g': { state: 'running', device: 'wlan0', stations: 1 }, '5g': { state: 'no radio device', device: 'wlan1', stations: 0 } },
};

describe('wifi page', () => {
  it('never offers 00 as a country, and names the codes', () => {
    const c = countryChoices(['00', 'DE', 'FR']);
    expect(c.map((x) => x.value)).toEqual(['DE', 'FR']);
    expect(c[0].label).toMatch(/^DE — /);
    expect(radioText({ state: 'no radio device', device: 'wlan1' })).toContain('No radio device wlan1');
  });

  it('the 2.4 GHz form: the country as a select of the router\'s codes, WPA-PSK marked insecure', async () => {
    mockFetch({
      'GET /wifi/countries': [200, ['AD', 'DE', 'FR']],
      'GET /config/wifi_2g': [200, { enabled: false, encryption: 'sae', width: '20', channel: 'auto', device: 'wlan0', legacy_rates: false }],
      'GET /changes': [200, []],
    });
    const root = renderPage(wifiPage, 'tab=2g');
    await until(() => root.querySelector('[data-test="choose-wifi_2g.country"]'));
    const sel = root.querySelector<HTMLSelectElement>('[data-test="choose-wifi_2g.country"]')!;
    const values = [...sel.options].map((o) => o.value);
    expect(values).toEqual(['', 'AD', 'DE', 'FR']);
    expect(values).not.toContain('00');
    const enc = root.querySelector<HTMLSelectElement>('[name="wifi_2g.encryption"]')!;
    expect([...enc.options].find((o) => o.value === 'psk')!.textContent).toContain('insecure');
    const warn = root.querySelector<HTMLElement>('[data-test=insecure-warning]')!;
    expect(warn.hidden).toBe(true);
    type(enc, 'psk');
    expect(warn.hidden).toBe(false);
    type(enc, 'sae');
    expect(warn.hidden).toBe(true);
    expect(root.querySelector('[name="wifi_2g.legacy_rates"]')).not.toBeNull();
  });

  it('lists the clients with band, name, signal and rates; the pencil stages a name, the red button kicks', async () => {
    const { seen } = mockFetch({
      'GET /wifi/clients': [200, CLIENTS],
      'GET /config/wifi/clients': [200, [{ id: 1, mac: '02:00:00:00:01:01', name: 'Desk laptop' }]],
      'POST /config/wifi/clients': [201, { id: 2 }],
      'POST /wifi/kick': [200, { mac: '02:00:00:00:05:01', minutes: 30, until: 1, radios: ['2g'] }],
      'GET /changes': [200, []],
    });
    const root = renderPage(wifiPage, 'tab=clients');
    await until(() => root.querySelectorAll('[data-test=wifi-client]').length === 2);
    const rows = [...root.querySelectorAll<HTMLElement>('[data-test=wifi-client]')];
    expect(rows[0].textContent).toContain('2.4 GHz');
    expect(rows[0].querySelector('[data-test=client-name]')!.textContent).toContain('Desk laptop');
    expect(rows[0].querySelector('[data-test=client-signal]')!.textContent).toBe('-48 dBm');
    expect(rows[1].querySelector('[data-test=client-rates]')!.textContent).toBe('866.7 Mbit/s / 650 Mbit/s');
    expect(root.querySelector('[data-test=radio-5g]')!.getAttribute('data-state')).toBe('no radio device');

    rows[1].querySelector<HTMLButtonElement>('[data-test=edit-name]')!.click();
    const dlg = await (async () => {
      await until(() => document.querySelector('[data-test=client-name-dialog]'));
      return document.querySelector<HTMLElement>('[data-test=client-name-dialog]')!;
    })();
    type(dlg.querySelector<HTMLInputElement>('[name="wifi.clients.name"]')!, 'Living room TV');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST' && s.url.endsWith('/config/wifi/clients')));
    expect(seen.find((s) => s.method === 'POST')!.body).toEqual({ mac: '02:00:00:00:05:01', name: 'Living room TV' });

    rows[1].querySelector<HTMLButtonElement>('[data-test=kick]')!.click();
    await until(() => document.querySelector('[data-test=kick-dialog]'));
    const k = document.querySelector<HTMLElement>('[data-test=kick-dialog]')!;
    type(k.querySelector<HTMLInputElement>('[data-test=kick-minutes]')!, '30');
    k.querySelector<HTMLButtonElement>('[data-test=kick-confirm]')!.click();
    await until(() => seen.some((s) => s.url.endsWith('/wifi/kick')));
    expect(seen.find((s) => s.url.endsWith('/wifi/kick'))!.body).toEqual({ mac: '02:00:00:00:05:01', minutes: 30 });
  });
});
