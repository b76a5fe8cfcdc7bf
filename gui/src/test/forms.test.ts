import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildForm } from '../form';
import { plural, time } from '../format';
import { shell } from '../layout';
import { rulesPage, ruleWarning } from '../pages/firewall';
import { resetSchema } from '../schema';
import { cellText } from '../table';
import { checkScalar } from '../validate';
import { nodeAt, tabsOf } from '../schema';
import { mockFetch, renderPage as render, schema, until } from './helpers';
import { offerClients } from '../clients';
import { dnsPage } from '../pages/dns';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

describe('words, not values', () => {
  it('selects show the labels of the schema, and keep the values', () => {
    const f = buildForm(schema, 'firewall.port_forwards', {});
    const sel = f.el.querySelector<HTMLSelectElement>('[name="firewall.port_forwards.proto"]')!;
    const opt = [...sel.options].find((o) => o.value === 'tcpudp')!;
    expect(opt.textContent).toBe('TCP and UDP');
    const w = buildForm(schema, 'wan', { ipv4: { proto: 'dhcp' } });
    const wsel = w.el.querySelector<HTMLSelectElement>('[name="wan.ipv4.proto"]')!;
    expect(wsel.value).toBe('dhcp');
    expect(wsel.selectedOptions[0].textContent).toBe('DHCP client');
  });
  it('table cells show the labels too', () => {
    expect(cellText('tcpudp', nodeAt(schema, 'firewall.port_forwards.1.proto'))).toBe('TCP and UDP');
  });
  it('plurals: no "aliass"', () => {
    expect(plural('IP alias')).toBe('IP aliases');
    expect(plural('rule')).toBe('rules');
  });
  it('times name their time zone', () => {
    expect(time(1700000000)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/);
  });
  it('an alias name that does not fit says what is allowed, quoting it', () => {
    const r = checkScalar(nodeAt(schema, 'firewall.ip_aliases.1.name')!, '1st-office', 'string');
    expect(r.error).toBe('“1st-office” is not an alias name: a letter, then letters, digits or _ (32 at most)');
  });
});

describe('traffic rules', () => {
  it('a new rule has no zones or action chosen: they are required', () => {
    const f = buildForm(schema, 'firewall.rules', {});
    for (const k of ['src_zone', 'dest_zone', 'action']) {
      const sel = f.el.querySelector<HTMLSelectElement>(`[name="firewall.rules.${k}"]`)!;
      expect(sel.value, k).toBe('');
    }
    expect(f.validate()).toBe(false);
    expect(f.el.querySelector('[data-test="error-firewall.rules.action"]')!.textContent).toBe('Required');
  });
  it('warns about accepting every port from the WAN', () => {
    expect(ruleWarning({ src_zone: 'wan', dest_zone: 'lan', action: 'accept' })).toMatch(/every port from the WAN to the LAN/);
    expect(ruleWarning({ src_zone: 'wan', dest_zone: 'router', action: 'accept', proto: 'tcp' })).toMatch(/to the router/);
    expect(ruleWarning({ src_zone: 'wan', dest_zone: 'lan', action: 'accept', proto: 'tcp', dest_ports: ['22'] })).toBeNull();
    expect(ruleWarning({ src_zone: 'wan', dest_zone: 'lan', action: 'drop' })).toBeNull();
    expect(ruleWarning({ src_zone: 'lan', dest_zone: 'wan', action: 'accept' })).toBeNull();
    expect(ruleWarning({ src_zone: 'wan', dest_zone: 'router', action: 'accept', proto: 'icmp' })).toBeNull();
  });
});

describe('the phone menu', () => {
  it('closes when another page shows, also by Back', () => {
    const pages = [{ path: '/a', title: 'A', group: 'Firewall', render: () => {} }, { path: '/b', title: 'B', group: 'Firewall', render: () => {} }];
    const s = shell(pages, () => {});
    document.body.append(s.el);
    const btn = s.el.querySelector<HTMLButtonElement>('.menu-toggle')!;
    btn.click();
    expect(s.el.querySelector('#nav')!.classList.contains('open')).toBe(true);
    s.show(pages[1]);
    expect(s.el.querySelector('#nav')!.classList.contains('open')).toBe(false);
    expect(btn.getAttribute('aria-expanded')).toBe('false');
  });
});

describe('known clients', () => {
  const leases = { active: [{ mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.1.57', hostname: 'laptop', expires: 1700000000 }] };

  it('"Make static" turns an active lease into a staged static lease, prefilled', async () => {
    const { seen } = mockFetch({
      'GET /leases': [200, leases],
      'GET /config/dns': [200, {}],
      'GET /config/dhcp': [200, { static_leases: [], hostnames: [] }],
      'GET /config/dhcp/static_leases': [200, []],
      'GET /config/dhcp/hostnames': [200, []],
      'POST /config/dhcp/static_leases': [200, { staged: true }],
      'GET /changes': [200, [{ op: 'added', path: 'dhcp.static_leases[1]', new: {} }]],
    });
    const root = render(dnsPage, 'tab=leases');
    await until(() => root.querySelector('[data-test=make-static]'));
    root.querySelector<HTMLButtonElement>('[data-test=make-static]')!.click();
    await until(() => document.querySelector('[data-test=make-static-dialog]'));
    const dlg = document.querySelector<HTMLElement>('[data-test=make-static-dialog]')!;
    expect(dlg.querySelector<HTMLInputElement>('[name="dhcp.static_leases.mac"]')!.value).toBe('aa:bb:cc:dd:ee:01');
    expect(dlg.querySelector<HTMLInputElement>('[name="dhcp.static_leases.ip"]')!.value).toBe('192.168.1.57');
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST'));
    expect(seen.find((s) => s.method === 'POST')!.body).toMatchObject({ mac: 'aa:bb:cc:dd:ee:01', ip: '192.168.1.57', name: 'laptop', hostname: 'laptop' });
  });

  it('a lease that is static already says so instead', async () => {
    mockFetch({
      'GET /leases': [200, { ...leases, static: [{ id: 1, mac: 'AA:BB:CC:DD:EE:01', ip: '192.168.1.57' }] }],
      'GET /config/dns': [200, {}],
      'GET /config/dhcp': [200, { static_leases: [], hostnames: [] }],
      'GET /config/dhcp/static_leases': [200, []],
      'GET /config/dhcp/hostnames': [200, []],
    });
    const root = render(dnsPage, 'tab=leases');
    await until(() => root.querySelector('[data-test=is-static]'));
    expect(root.querySelector('[data-test=make-static]')).toBeNull();
  });

  it('the LAN address of a port forward offers the known clients, static ones too', async () => {
    mockFetch({ 'GET /leases': [200, { ...leases, static: [{ id: 1, mac: 'aa:bb:cc:dd:ee:02', ip: '192.168.1.5', hostname: 'nas' }] }] });
    const f = buildForm(schema, 'firewall.port_forwards', {});
    document.body.append(f.el);
    offerClients(f, { ip: 'firewall.port_forwards.lan_ip' });
    await until(() => f.el.querySelector('[data-test="clients-firewall.port_forwards.lan_ip"] [data-test=client]'));
    f.el.querySelector<HTMLButtonElement>('[data-test=client]')!.click();
    expect(f.el.querySelector<HTMLInputElement>('[name="firewall.port_forwards.lan_ip"]')!.value).toBe('192.168.1.57');
    f.el.querySelector<HTMLButtonElement>('[data-test=client][data-value="192.168.1.5"]')!.click();
    expect(f.el.querySelector<HTMLInputElement>('[name="firewall.port_forwards.lan_ip"]')!.value).toBe('192.168.1.5');
  });
});

describe('the lists say it in words', () => {
  it('traffic rules: zones and actions in words, the warning next to a rule that opens every port', async () => {
    mockFetch({
      'GET /config/firewall/rules': [200, [
        { id: 1, index: 1, description: 'open', proto: 'all', src_zone: 'wan', dest_zone: 'lan', action: 'accept' },
        { id: 2, index: 2, description: 'ssh', proto: 'tcp', src_zone: 'wan', dest_zone: 'router', dest_ports: ['22'], action: 'accept' },
      ]],
      'GET /config/firewall/ip_aliases': [200, []],
      'GET /config/firewall/port_aliases': [200, []],
    });
    const root = render(rulesPage);
    await until(() => root.querySelector('[data-test=entry-2]'));
    const open = root.querySelector<HTMLElement>('[data-test=entry-1]')!, ssh = root.querySelector<HTMLElement>('[data-test=entry-2]')!;
    expect(open.textContent).toContain('WAN');
    expect(open.textContent).toContain('Accept');
    expect(open.textContent).toContain('Any protocol');
    expect(open.querySelector('[data-test=rule-warning]')!.textContent).toMatch(/every port from the WAN to the LAN/);
    expect(ssh.querySelector('[data-test=rule-warning]')).toBeNull();
    expect(ssh.textContent).toContain('The router');
  });

  it('the QoS switch names the tabs its clients are on, which the page has', () => {
    const help = nodeAt(schema, 'qos.enabled')!.description!;
    const tabs = tabsOf(schema, ['qos', 'sqm']).map((t) => t.title);
    expect(help).not.toMatch(/below/);
    for (const t of ['Limit by IP', 'Limit by MAC']) {
      expect(help).toContain(t);
      expect(tabs).toContain(t);
    }
  });
});
