import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { interfacesPage } from '../pages/interfaces';
import { resetSchema } from '../schema';
import { mockFetch, renderPage, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

describe('interfaces page', () => {
  it('lists the custom interfaces; the add dialog offers the live devices and stages the entry', async () => {
    const { seen } = mockFetch({
      'GET /config/interfaces/custom': [200, [{ id: 1, name: 'uplink2', device: 'wan1', zone: 'wan', ipv4_address: '203.0.113.2/24', enabled: true }]],
      'GET /interfaces': [200, [{ name: 'lo' }, { name: 'wan1' }, { name: 'eth5' }]],
      'POST /config/interfaces/custom': [201, { id: 2 }],
      'GET /changes': [200, []],
    });
    const root = renderPage(interfacesPage);
    await until(() => root.querySelector('[data-test=entry-1]'));
    expect([...root.querySelectorAll('th')].map((t) => t.textContent)).toEqual(
      ['Name', 'Device', 'Zone', 'IPv4 address', 'IPv4 gateway', 'Description', 'Enabled', 'Actions']);
    expect(root.querySelector('[data-test=entry-1]')!.textContent).toContain('uplink2wan1WAN203.0.113.2/24');

    root.querySelector<HTMLButtonElement>('[data-test=add]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=entry-dialog]')!;
    await until(() => dlg.querySelector('datalist option[value=eth5]'));
    const offered = [...dlg.querySelectorAll('datalist option')].map((o) => o.getAttribute('value'));
    expect(offered).toContain('wan1');
    expect(offered).not.toContain('lo');
    type(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.name"]')!, 'dmz');
    type(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.device"]')!, 'eth5');
    type(dlg.querySelector<HTMLSelectElement>('[name="interfaces.custom.zone"]')!, 'lan');
    type(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.ipv4_address"]')!, '10.5.0.1/24');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST'));
    expect(seen.find((s) => s.method === 'POST')!.body).toMatchObject({ name: 'dmz', device: 'eth5', zone: 'lan', ipv4_address: '10.5.0.1/24' });
  });

  it('shows the router\'s refusal of a network address next to the field and keeps the dialog', async () => {
    const message = 'interfaces.custom[1].ipv4_address: 10.5.0.0/24 is the network address of 10.5.0.0/24, not a host address';
    mockFetch({
      'GET /config/interfaces/custom': [200, []],
      'GET /interfaces': [200, []],
      'POST /config/interfaces/custom': [422, { error: { code: 'invalid', message, path: 'interfaces.custom[1].ipv4_address', value: '10.5.0.0/24' } }],
      'GET /changes': [200, []],
    });
    const root = renderPage(interfacesPage);
    await until(() => root.querySelector('[data-test=add]'));
    root.querySelector<HTMLButtonElement>('[data-test=add]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=entry-dialog]')!;
    type(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.name"]')!, 'dmz');
    type(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.device"]')!, 'eth5');
    type(dlg.querySelector<HTMLSelectElement>('[name="interfaces.custom.zone"]')!, 'lan');
    type(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.ipv4_address"]')!, '10.5.0.0/24');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => dlg.textContent!.includes('not a host address'));
    expect(dlg.querySelector('[data-test="error-interfaces.custom.ipv4_address"]')!.textContent).toContain('not a host address');
    expect(document.querySelector('[data-test=entry-dialog]')).toBe(dlg);
    expect(dlg.querySelector<HTMLInputElement>('[name="interfaces.custom.ipv4_address"]')!.value).toBe('10.5.0.0/24');
  });
});
