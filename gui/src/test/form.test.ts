import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { buildForm, planSave } from '../form';
import { schema, type } from './helpers';

const lan = {
  device: 'br-lan',
  interfaces: ['lan0'],
  ipv4: { address: '192.168.1.1', prefix: 24 },
  dhcp: { enabled: true, start: '192.168.1.100', size: 150, lease_time: '12h', authoritative: true },
};

const input = (root: HTMLElement, name: string) => root.querySelector<HTMLInputElement>(`[name="${name}"]`)!;
const errorOf = (root: HTMLElement, path: string) => root.querySelector<HTMLElement>(`[data-test="error-${path}"]`)!;

beforeEach(() => document.body.replaceChildren());

describe('buildForm from the schema', () => {
  it('makes one input per field, named by its config path, with labels', () => {
    const f = buildForm(schema, 'lan', lan);
    document.body.append(f.el);
    const names = [...f.el.querySelectorAll<HTMLInputElement>('[name]')].map((e) => e.name);
    expect(names.sort()).toEqual(['lan.device', 'lan.dhcp.authoritative', 'lan.dhcp.enabled', 'lan.dhcp.lease_time',
      'lan.dhcp.size', 'lan.dhcp.start', 'lan.interfaces', 'lan.ipv4.address', 'lan.ipv4.prefix',
      'lan.ipv6.lease_time', 'lan.ipv6.mode', 'lan.ipv6.prefix_subnet', 'lan.ipv6.ula']);
    for (const el of f.el.querySelectorAll<HTMLInputElement>('[name]')) {
      const label = f.el.querySelector(`label[for="${el.id}"]`);
      expect(label, el.name).not.toBeNull();
    }
    expect(f.el.querySelector('label[for="' + input(f.el, 'lan.dhcp.start').id + '"]')!.textContent).toContain('Pool start');
    expect(input(f.el, 'lan.dhcp.start').value).toBe('192.168.1.100');
    expect(input(f.el, 'lan.interfaces').value).toBe('lan0');
  });

  it('renders nested objects as fieldsets, in the schema\'s order', () => {
    const f = buildForm(schema, 'lan', lan);
    const legends = [...f.el.querySelectorAll('legend')].map((l) => l.textContent);
    expect(legends).toEqual(['IPv4', 'DHCP server', 'IPv6']);
    const top = [...f.el.children].map((c) => (c as HTMLElement).dataset.group || (c as HTMLElement).dataset.field);
    expect(top).toEqual(['lan.ipv4', 'lan.device', 'lan.interfaces', 'lan.dhcp', 'lan.ipv6']);
  });

  it('picks a widget by kind: checkbox for bool, select for enum, text otherwise', () => {
    const f = buildForm(schema, 'lan', lan);
    expect(input(f.el, 'lan.dhcp.enabled').type).toBe('checkbox');
    expect(input(f.el, 'lan.dhcp.enabled').checked).toBe(true);
    expect(input(f.el, 'lan.dhcp.size').getAttribute('inputmode')).toBe('numeric');
    const w = buildForm(schema, 'wan', { interface: 'wan0', ipv4: { proto: 'dhcp', dns: [] } });
    const sel = w.el.querySelector<HTMLSelectElement>('[name="wan.ipv4.proto"]')!;
    expect(sel.tagName).toBe('SELECT');
    expect([...sel.options].map((o) => o.value)).toContain('static');
    expect(sel.value).toBe('dhcp');
  });

  it('shows the default as a placeholder for a missing value', () => {
    const f = buildForm(schema, 'dns', {});
    expect(input(f.el, 'dns.domain').placeholder).toBe('lan');
    expect(input(f.el, 'dns.rebind_protection').checked).toBe(true);
    expect(f.leaves()).toEqual([]);
  });

  it('validates as the user types: error text, aria-invalid, aria-describedby', () => {
    const f = buildForm(schema, 'lan', lan);
    document.body.append(f.el);
    const start = input(f.el, 'lan.dhcp.start');
    type(start, '192.168.1.300');
    const err = errorOf(f.el, 'lan.dhcp.start');
    expect(err.textContent).toMatch(/Not a valid IPv4 address/);
    expect(start.getAttribute('aria-invalid')).toBe('true');
    expect(start.getAttribute('aria-describedby')!.split(' ')).toContain(err.id);
    type(start, '192.168.1.50');
    expect(err.textContent).toBe('');
    expect(start.hasAttribute('aria-invalid')).toBe(false);
  });

  it('requires required fields and blocks validate()', () => {
    const f = buildForm(schema, 'lan', lan);
    document.body.append(f.el);
    type(input(f.el, 'lan.ipv4.address'), '');
    type(input(f.el, 'lan.ipv4.prefix'), '40');
    expect(f.validate()).toBe(false);
    expect(errorOf(f.el, 'lan.ipv4.address').textContent).toBe('Required');
    expect(errorOf(f.el, 'lan.ipv4.prefix').textContent).toBe('Must be at most 30');
    expect(document.activeElement).toBe(input(f.el, 'lan.ipv4.address'));
  });

  it('lists the changed fields with typed values', () => {
    const f = buildForm(schema, 'lan', lan);
    type(input(f.el, 'lan.dhcp.start'), '192.168.1.50');
    type(input(f.el, 'lan.dhcp.size'), '100');
    input(f.el, 'lan.dhcp.authoritative').checked = false;
    type(input(f.el, 'lan.interfaces'), 'lan0, lan1');
    expect(f.validate()).toBe(true);
    const byPath = f.leaves().sort((x, y) => (x.path < y.path ? -1 : 1));
    expect(byPath).toEqual([
      { path: 'lan.dhcp.authoritative', value: false },
      { path: 'lan.dhcp.size', value: 100 },
      { path: 'lan.dhcp.start', value: '192.168.1.50' },
      { path: 'lan.interfaces', value: ['lan0', 'lan1'] },
    ]);
  });

  it('hides and skips conditional fields', () => {
    const w = buildForm(schema, 'wan', { interface: 'wan0', ipv4: { proto: 'dhcp', dns: [] } });
    const addr = w.el.querySelector<HTMLElement>('[data-field="wan.ipv4.address"]')!;
    expect(addr.hidden).toBe(true);
    const sel = w.el.querySelector<HTMLSelectElement>('[name="wan.ipv4.proto"]')!;
    sel.value = 'static';
    sel.dispatchEvent(new Event('change'));
    expect(addr.hidden).toBe(false);
    type(input(w.el, 'wan.ipv4.address'), '203.0.113.2');
    expect(w.leaves().map((l) => l.path).sort()).toEqual(['wan.ipv4.address', 'wan.ipv4.proto']);
  });

  it("the LAN's IPv6: the manual's five modes by their names, the subnet only where the router serves", () => {
    const f = buildForm(schema, 'lan', { ...lan, ipv6: { ula: 'fd12:3456:789a::/48', mode: 'slaac_dhcpv6', prefix_subnet: 0, lease_time: '12h' } });
    const sel = f.el.querySelector<HTMLSelectElement>('[name="lan.ipv6.mode"]')!;
    expect([...sel.options].filter((o) => o.value).map((o) => o.textContent)).toEqual(['SLAAC only', 'SLAAC & DHCPv6', 'IPv6 Relay',
      'IPv6 Hybrid (Relay + Server)', 'PPPoE mode']);
    expect(input(f.el, 'lan.ipv6.ula').value).toBe('fd12:3456:789a::/48');
    const subnet = f.el.querySelector<HTMLElement>('[data-field="lan.ipv6.prefix_subnet"]')!;
    const lease = f.el.querySelector<HTMLElement>('[data-field="lan.ipv6.lease_time"]')!;
    expect(subnet.hidden).toBe(false);
    expect(lease.hidden).toBe(false);
    sel.value = 'relay';
    sel.dispatchEvent(new Event('change'));
    expect(subnet.hidden).toBe(true);
    expect(lease.hidden).toBe(true);
    sel.value = 'pppoe';
    sel.dispatchEvent(new Event('change'));
    expect(subnet.hidden).toBe(false);
    expect(lease.hidden).toBe(true);
  });

  it("the WAN's IPv6: the prefix length with DHCPv6, the address with static", () => {
    const w = buildForm(schema, 'wan', { interface: 'wan0', ipv4: { proto: 'dhcp', dns: [] }, ipv6: { proto: 'dhcpv6', pd_length: 56, dns: [] } });
    const pd = w.el.querySelector<HTMLElement>('[data-field="wan.ipv6.pd_length"]')!;
    const addr = w.el.querySelector<HTMLElement>('[data-field="wan.ipv6.address"]')!;
    expect(pd.hidden).toBe(false);
    expect(addr.hidden).toBe(true);
    const sel = w.el.querySelector<HTMLSelectElement>('[name="wan.ipv6.proto"]')!;
    expect(sel.selectedOptions[0].textContent).toBe('DHCPv6 client');
    sel.value = 'static';
    sel.dispatchEvent(new Event('change'));
    expect(pd.hidden).toBe(true);
    expect(addr.hidden).toBe(false);
  });

  it('puts server errors on their fields, the rest in the returned list', () => {
    const f = buildForm(schema, 'lan', lan);
    document.body.append(f.el);
    const e = new ApiError(422, 'invalid', 'lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24', 'lan.dhcp.start', '10.0.0.5', [
      { path: 'lan.dhcp.start', value: '10.0.0.5', message: 'lan.dhcp.start: 10.0.0.5 is outside 192.168.1.0/24' },
      { path: 'wan.ipv4.address', message: 'wan.ipv4.address: overlaps the LAN' },
    ]);
    const rest = f.showErrors(e);
    expect(errorOf(f.el, 'lan.dhcp.start').textContent).toBe('10.0.0.5 is outside 192.168.1.0/24');
    expect(input(f.el, 'lan.dhcp.start').getAttribute('aria-invalid')).toBe('true');
    expect(rest.map((r) => r.path)).toEqual(['wan.ipv4.address']);
  });
});

describe('collection entry forms', () => {
  it('builds the entry form from the item schema, without the id', () => {
    const f = buildForm(schema, 'dhcp.static_leases', { id: 3, mac: 'aa:bb:cc:dd:ee:ff', ip: '192.168.1.20' });
    const names = [...f.el.querySelectorAll<HTMLInputElement>('[name]')].map((e) => e.name).sort();
    expect(names).toEqual(['dhcp.static_leases.duid', 'dhcp.static_leases.hostname', 'dhcp.static_leases.ip',
      'dhcp.static_leases.ipv6_suffix', 'dhcp.static_leases.lease_time', 'dhcp.static_leases.mac', 'dhcp.static_leases.name']);
    expect(f.value()).toEqual({ mac: 'aa:bb:cc:dd:ee:ff', ip: '192.168.1.20' });
  });
  it('maps entry error paths (static_leases[3].mac) to the entry form', () => {
    const f = buildForm(schema, 'dhcp.static_leases', {});
    const rest = f.showErrors(new ApiError(422, 'invalid', 'x', 'dhcp.static_leases[3].mac', 'zz', [
      { path: 'dhcp.static_leases[3].mac', message: 'dhcp.static_leases[3].mac: zz is not a valid MAC address' }]));
    expect(rest).toEqual([]);
    expect(errorOf(f.el, 'dhcp.static_leases.mac').textContent).toBe('Zz is not a valid MAC address');
  });
  it('requires mac and ip', () => {
    const f = buildForm(schema, 'dhcp.static_leases', {});
    expect(f.validate()).toBe(false);
    expect(errorOf(f.el, 'dhcp.static_leases.mac').textContent).toBe('Required');
    expect(errorOf(f.el, 'dhcp.static_leases.ip').textContent).toBe('Required');
    expect(errorOf(f.el, 'dhcp.static_leases.name').textContent).toBe('');
  });
});

describe('planSave', () => {
  it('one object changed: one PATCH of that object', () => {
    expect(planSave('lan', lan, [{ path: 'lan.dhcp.start', value: '192.168.1.50' }, { path: 'lan.dhcp.size', value: 20 }])).toEqual([
      { method: 'PATCH', path: 'lan.dhcp', body: { start: '192.168.1.50', size: 20 } },
    ]);
  });
  it('several objects changed: one PATCH with the touched sub-objects whole', () => {
    const steps = planSave('lan', lan, [
      { path: 'lan.ipv4.address', value: '10.0.0.1' },
      { path: 'lan.dhcp.start', value: '10.0.0.100' },
    ]);
    expect(steps).toEqual([{
      method: 'PATCH', path: 'lan', body: {
        ipv4: { address: '10.0.0.1', prefix: 24 },
        dhcp: { ...lan.dhcp, start: '10.0.0.100' },
      },
    }]);
  });
  it('a cleared optional field is deleted', () => {
    expect(planSave('wan', {}, [{ path: 'wan.ipv4.gateway', clear: true }])).toEqual([{ method: 'DELETE', path: 'wan.ipv4.gateway' }]);
    const steps = planSave('wan', { ipv4: { proto: 'static', gateway: '1.2.3.4' } }, [
      { path: 'wan.ipv4.gateway', clear: true }, { path: 'wan.ipv4.proto', value: 'dhcp' }]);
    expect(steps).toEqual([{ method: 'PATCH', path: 'wan', body: { ipv4: { proto: 'dhcp' } } }]);
  });
  it('nothing changed: nothing to send', () => {
    expect(planSave('lan', lan, [])).toEqual([]);
  });
});
