import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aliasesPage, listState, loadCountries, updateSummary } from '../pages/firewall';
import { bandwidthPage, readSpeed, sqmNotice } from '../pages/bandwidth';
import { policyMatch, policyUplinks, routesPage } from '../pages/routing';
import { resetSchema } from '../schema';
import { completions, withItem, withoutItem } from '../suggest';
import { mockFetch, renderPage as render, schema, type, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

describe('list text helpers', () => {
  it('adds and removes items of a list typed as text', () => {
    expect(withItem('', 'lan')).toBe('lan');
    expect(withItem('10.0.0.0/8 192.0.2.1', 'lan')).toBe('10.0.0.0/8, 192.0.2.1, lan');
    expect(withItem('lan, x', 'lan')).toBe('lan, x');
    expect(withoutItem('af, de,fr', 'de')).toBe('af, fr');
  });
  it('completes the item being typed and keeps the others', () => {
    expect(completions('', ['a', 'b'])).toEqual(['a', 'b']);
    expect(completions('wa', ['wanclient'])).toEqual(['wanclient']);
    expect(completions('10.0.0.0/8, wa', ['wanclient', 'office'])).toEqual(['10.0.0.0/8, wanclient', '10.0.0.0/8, office']);
    expect(completions('office wa', ['wanclient', 'office'])).toEqual(['office, wanclient']);
  });
});

const COUNTRIES = {
  countries: [
    { code: 'af', name: 'Afghanistan', v4: { updated: 1700000000, entries: 1234 }, v6: { updated: 1700000000, entries: 1 } },
    { code: 'de', name: 'Germany', v4: null, v6: null },
    { code: 'fr', name: 'France', v4: null, v6: null },
  ],
};

describe('country lists', () => {
  it('says when a list was never fetched', () => {
    expect(listState(null)).toBe('never fetched — empty');
    expect(listState({ updated: 1700000000, entries: 1234 })).toMatch(/^1,234 entries, updated 2023-11-1\d /);
    expect(listState({ updated: 1700000000, entries: 1 })).toMatch(/^1 entry,/);
  });

  it('sums up an update', () => {
    const names = new Map([['af', 'Afghanistan'], ['de', 'Germany']]);
    expect(updateSummary({ updated: [], failed: [] }, names).tone).toBe('info');
    const ok = updateSummary({ updated: [{ country: 'af', family: 4, entries: 1234 }], failed: [], applied: true }, names);
    expect(ok).toEqual({ tone: 'ok', text: 'Updated 1 list: Afghanistan IPv4 (1,234).\nThe firewall uses the new lists.' });
    const mixed = updateSummary({ updated: [{ country: 'af', family: 4, entries: 3 }], failed: [{ country: 'de', family: 6, error: 'not downloaded' }], applied: false, apply_error: 'nft: busy' }, names);
    expect(mixed.tone).toBe('info');
    expect(mixed.text).toContain('1 failed: Germany IPv6: not downloaded.');
    expect(mixed.text).toContain('not in use yet: nft: busy');
    expect(updateSummary({ updated: [], failed: [{ country: 'xx', family: 4, error: 'HTTP 404' }] }, names)).toEqual({ tone: 'error', text: '1 failed: XX IPv4: HTTP 404.' });
  });

  it('the aliases page: countries by name with the state of their lists; a country picker for automated aliases; Update lists', async () => {
    let updated = false;
    const { seen } = mockFetch({
      'GET /firewall/countries': () => [200, updated ? { countries: [{ ...COUNTRIES.countries[0] }, { ...COUNTRIES.countries[1], v4: { updated: 1700000500, entries: 9 }, v6: null }, COUNTRIES.countries[2]] } : COUNTRIES],
      'GET /config/firewall/ip_aliases': [200, [
        { id: 1, name: 'vps4', type: 'manual', addresses: ['67.21.121.241/32'] },
        { id: 2, name: 'geo', type: 'automated', countries: ['af', 'de'] },
      ]],
      'GET /config/firewall/port_aliases': [200, [{ id: 1, name: 'HTTP', ports: ['80', '443'] }]],
      'GET /config/firewall': [200, { wan_ping: true, forward_lan_to_wan: true, lists_url_v4: 'https://x/{cc}.zone', lists_url_v6: 'https://y/{cc}.zone' }],
      'POST /config/firewall/ip_aliases': [201, { id: 3 }],
      // the router starts the download and reports its result when asked again
      'POST /firewall/update-lists': [200, { running: true, started: 1700000500, countries: { af: true, de: true } }],
      'GET /firewall/update-lists': () => {
        updated = true;
        return [200, { running: false, updated: [{ country: 'de', family: 4, entries: 9 }], failed: [{ country: 'de', family: 6, error: 'not downloaded' }], applied: true }];
      },
      'GET /changes': [200, []],
    });
    await loadCountries(true); // no list kept from another test
    const root = render(aliasesPage);
    await until(() => root.querySelector('[data-test=entry-2]')?.textContent?.includes('Germany'));
    const geo = root.querySelector('[data-test="table-firewall.ip_aliases"] [data-test=entry-2]')!;
    expect(geo.textContent).toContain('Afghanistan (af)');
    expect(geo.textContent).toContain('IPv4: 1,234 entries');
    expect(geo.textContent).toContain('Germany (de)IPv4: never fetched — empty · IPv6: never fetched — empty');
    expect(root.querySelector('[data-test=entry-1]')!.textContent).toContain('67.21.121.241/32');
    await until(() => root.querySelector('[data-test=list-de]'));
    expect(root.querySelector('[data-test=list-de]')!.textContent).toBe('Germany (de)never fetched — emptynever fetched — empty');
    // the URL form shows only the two URLs
    await until(() => root.querySelector('[data-test=form-firewall-lists]'));
    expect([...root.querySelectorAll('[data-test=form-firewall-lists] [name]')].map((e) => e.getAttribute('name'))).toEqual(['firewall.lists_url_v4', 'firewall.lists_url_v6']);

    // add an automated alias by ticking countries
    root.querySelector<HTMLButtonElement>('[data-test="table-firewall.ip_aliases"] [data-test=add]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=entry-dialog]')!;
    const kind = dlg.querySelector<HTMLSelectElement>('[name="firewall.ip_aliases.type"]')!;
    const countries = dlg.querySelector<HTMLElement>('[data-field="firewall.ip_aliases.countries"]')!;
    expect(countries.hidden).toBe(true);
    kind.value = 'automated';
    kind.dispatchEvent(new Event('change'));
    expect(countries.hidden).toBe(false);
    expect(dlg.querySelector<HTMLElement>('[data-field="firewall.ip_aliases.addresses"]')!.hidden).toBe(true);
    await until(() => dlg.querySelector('[data-test=pick-fr]'));
    const filter = dlg.querySelector<HTMLInputElement>('[data-test=picker-filter]')!;
    filter.value = 'germ';
    filter.dispatchEvent(new Event('input'));
    expect(dlg.querySelector<HTMLElement>('li[data-value=af]')!.hidden).toBe(true);
    expect(dlg.querySelector<HTMLElement>('li[data-value=de]')!.hidden).toBe(false);
    expect(dlg.querySelector('li[data-value=de]')!.textContent).toContain('never fetched — empty');
    const de = dlg.querySelector<HTMLInputElement>('[data-test=pick-de]')!;
    de.checked = true;
    de.dispatchEvent(new Event('change'));
    const text = dlg.querySelector<HTMLInputElement>('[name="firewall.ip_aliases.countries"]')!;
    expect(text.value).toBe('de');
    type(text, 'de, fr');
    expect(dlg.querySelector<HTMLInputElement>('[data-test=pick-fr]')!.checked).toBe(true);
    expect(dlg.querySelector('[data-test=picked]')!.textContent).toBe('Chosen: Germany, France');
    type(dlg.querySelector<HTMLInputElement>('[name="firewall.ip_aliases.name"]')!, 'europe');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST' && s.url === '/config/firewall/ip_aliases'));
    expect(seen.find((s) => s.method === 'POST')!.body).toEqual({ name: 'europe', type: 'automated', countries: ['de', 'fr'] });

    // Update lists: the countries of the staged aliases, a summary, the new state
    await until(() => !document.querySelector('[data-test=entry-dialog]'));
    root.querySelector<HTMLButtonElement>('[data-test=update-lists]')!.click();
    await until(() => /Updated 1 list/.test(root.querySelector('[data-test=lists-banner]')!.textContent || ''));
    const upd = seen.find((s) => s.method === 'POST' && s.url === '/firewall/update-lists')!;
    expect(upd.body).toEqual({ countries: ['af', 'de'] });
    const b = root.querySelector('[data-test=lists-banner]')!;
    expect(b.textContent).toBe('Updated 1 list: Germany IPv4 (9).\n1 failed: Germany IPv6: not downloaded.\nThe firewall uses the new lists.');
    expect(b.className).toBe('banner info');
    await until(() => root.querySelector('[data-test=list-de]')!.textContent!.includes('9 entries'));
  });
});

describe('bandwidth control', () => {
  it('words the SQM status and reads speeds', () => {
    expect(sqmNotice({ available: true })).toBeNull();
    expect(sqmNotice({ available: false, reason: 'the kernel has no sch_cake module' })).toMatch(/^SQM is not available on this router: the kernel has no sch_cake module\. /);
    expect(readSpeed(' 100 ')).toBe(100);
    expect(readSpeed('8.5')).toBe(8.5);
    expect(readSpeed('0')).toMatch(/above 0/);
    expect(readSpeed('fast')).toMatch(/Mbps/);
  });

  it('SQM tab: a banner when SQM cannot run; Auto fill asks the advertised speeds and fills the form', async () => {
    const { seen } = mockFetch({
      'GET /qos/sqm': [200, { available: false, reason: 'the kernel has no sch_cake module', enabled: false }],
      'GET /config/sqm': [200, { enabled: false }],
      'GET /qos/sqm/autofill?advertised_download=100&advertised_upload=20': [200, { download: 92, upload: 18.4, factor: 0.92 }],
      'PATCH /config/sqm': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const root = render(bandwidthPage, 'tab=sqm');
    await until(() => root.querySelector('[data-test=sqm-status]:not([hidden])'));
    const st = root.querySelector<HTMLElement>('[data-test=sqm-status]')!;
    expect(st.className).toBe('banner error');
    expect(st.getAttribute('role')).toBe('alert');
    expect(st.textContent).toContain('the kernel has no sch_cake module');
    await until(() => root.querySelector('[data-test=autofill]'));
    root.querySelector<HTMLButtonElement>('[data-test=autofill]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=autofill-dialog]')!;
    const down = dlg.querySelector<HTMLInputElement>('[name=advertised_download]')!;
    const up = dlg.querySelector<HTMLInputElement>('[name=advertised_upload]')!;
    down.value = 'lots';
    dlg.querySelector<HTMLButtonElement>('[data-test=autofill-go]')!.click();
    expect(dlg.querySelector('[data-test=error-advertised_download]')!.textContent).toMatch(/Mbps/);
    expect(seen.some((s) => s.url.startsWith('/qos/sqm/autofill'))).toBe(false);
    down.value = '100';
    up.value = '20';
    dlg.querySelector<HTMLButtonElement>('[data-test=autofill-go]')!.click();
    await until(() => !document.querySelector('[data-test=autofill-dialog]'));
    expect(root.querySelector<HTMLInputElement>('[name="sqm.download"]')!.value).toBe('92');
    expect(root.querySelector<HTMLInputElement>('[name="sqm.upload"]')!.value).toBe('18.4');
    root.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'PATCH'));
    expect(seen.find((s) => s.method === 'PATCH')!.body).toEqual({ download: 92, upload: 18.4 });
  });

  it('QoS tabs: general settings without the whitelist, limits with their default rates', async () => {
    mockFetch({
      'GET /config/qos': [200, { enabled: true, download: 10, upload: 5, whitelist_ips: [], whitelist_macs: [] }],
      'GET /config/qos/by_ip': [200, [{ id: 1, ip: '192.168.1.50', download: 2 }]],
    });
    let root = render(bandwidthPage);
    await until(() => root.querySelector('[data-test=form-qos]'));
    expect([...root.querySelectorAll('[data-test=form-qos] [name]')].map((e) => e.getAttribute('name'))).toEqual(['qos.enabled', 'qos.download', 'qos.upload']);
    document.body.replaceChildren();
    root = render(bandwidthPage, 'tab=by-ip');
    await until(() => root.querySelector('[data-test=entry-1]'));
    expect(root.querySelector('[data-test=entry-1]')!.textContent).toContain('192.168.1.502 Mbpsdefault');
    document.body.replaceChildren();
    root = render(bandwidthPage, 'tab=whitelist');
    await until(() => root.querySelector('[data-test=form-qos-whitelist]'));
    expect([...root.querySelectorAll('[data-test=form-qos-whitelist] [name]')].map((e) => e.getAttribute('name'))).toEqual(['qos.whitelist_ips', 'qos.whitelist_macs']);
  });
});

describe('routes', () => {
  it('policy routes leave through the WAN or a custom interface in zone wan', () => {
    expect(policyUplinks(undefined)).toEqual(['wan']);
    expect(policyUplinks([{ id: 1, device: 'eth2', zone: 'wan' }, { id: 2, device: 'eth3', zone: 'lan' }])).toEqual(['wan', 'eth2']);
    // the WireGuard clients' devices too, not the disabled ones
    expect(policyUplinks([], [{ id: 1, name: 'PIA' }, { id: 2, name: 'off', enabled: false }])).toEqual(['wan', 'wgc_PIA']);
    expect(policyMatch({ id: 1, domains: ['mullvad.net'], domain_lists: ['streaming'] })).toBe('mullvad.net, list streaming');
    expect(policyMatch({ id: 1 })).toBe('any');
  });

  it('a static route with the target, metric and table of another is refused in the dialog', async () => {
    const { seen } = mockFetch({
      'GET /config/routes/static4': [200, [{ id: 1, target: '10.9.0.0/16', gateway: '192.168.1.9', metric: 0, table: 254 }]],
      'GET /config/routes/policy': [200, []],
      'GET /config/routes/static6': [200, []],
      'GET /config/interfaces/custom': [200, []],
      'GET /routes/domain-lists': [200, { lists: [] }],
      'POST /config/routes/static4': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const root = render(routesPage, 'tab=static4');
    const card = () => root.querySelector<HTMLElement>('[data-test="table-routes.static4"]');
    await until(() => card()?.querySelector('[data-test=entry-1]'));
    card()!.querySelector<HTMLButtonElement>('[data-test=add]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=entry-dialog]')!;
    const input = (name: string) => dlg.querySelector<HTMLInputElement>(`[data-field="routes.static4.${name}"] input`)!;
    type(input('target'), '10.9.0.0/16');
    type(input('gateway'), '192.168.1.8');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => dlg.querySelector('[data-test="error-routes.static4.target"]')!.textContent);
    expect(dlg.querySelector('[data-test="error-routes.static4.target"]')!.textContent).toBe(
      '10.9.0.0/16 with metric 0 in table 254 is already routed by routes.static4[1]');
    expect(seen.some((s) => s.method === 'POST')).toBe(false);
    type(input('metric'), '5');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST'));
  });

  it('the policy route dialog picks premade lists and offers the uplinks', async () => {
    const { seen } = mockFetch({
      'GET /config/routes/policy': [200, [{ id: 1, name: 'vpn', source: ['192.168.1.101/32'], domains: ['mullvad.net'], interface: 'wan' }]],
      'GET /config/interfaces/custom': [200, [{ id: 1, name: 'lte', device: 'wwan0', zone: 'wan' }]],
      'GET /routes/domain-lists': [200, { lists: [{ name: 'streaming', domains: 120, description: 'Video services' }] }],
      'PUT /config/routes/policy/1': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const root = render(routesPage);
    await until(() => root.querySelector('[data-test=entry-1]'));
    expect(root.querySelector('[data-test=entry-1]')!.textContent).toContain('192.168.1.101/32mullvad.netwan');
    root.querySelector<HTMLButtonElement>('[data-test=entry-1] [data-test=edit]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=entry-dialog]')!;
    await until(() => dlg.querySelector('[data-test=pick-streaming]') && dlg.querySelector('[data-test="suggest-routes.policy.interface"], datalist option[value=wwan0]'));
    expect(dlg.querySelector('li[data-value=streaming]')!.textContent).toContain('Video services · 120 domains');
    dlg.querySelector<HTMLInputElement>('[data-test=pick-streaming]')!.click();
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'PUT'));
    expect(seen.find((s) => s.method === 'PUT')!.body).toMatchObject({ domain_lists: ['streaming'], domains: ['mullvad.net'], interface: 'wan' });
  });
});
