import { describe, expect, it } from 'vitest';
import {
  checkList, checkScalar, duplicates, uniqueKey, isCidr4, isCidr6, isDuid, isFqdn, isIfname, isIPv4, isIPv6, isIPv6Suffix,
  isLabel, isMac, parseDuration, parseIPv6, portRange, splitList,
} from '../validate';
import { nodeAt } from '../schema';
import { schema } from './helpers';

const at = (p: string) => nodeAt(schema, p)!;

describe('ipv4', () => {
  it.each(['0.0.0.0', '192.168.1.1', '255.255.255.255', '10.0.0.10'])('accepts %s', (s) => expect(isIPv4(s)).toBe(true));
  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.04', '1.2.3.-4', ' 1.2.3.4', '1..2.3', 'a.b.c.d', '1.2.3.4/24', '0001.2.3.4'])(
    'rejects %j', (s) => expect(isIPv4(s)).toBe(false));
});

describe('ipv6', () => {
  it.each(['::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:192.168.1.1', '1:2:3:4:5:6:1.2.3.4', 'ABCD::ef'])(
    'accepts %s', (s) => expect(isIPv6(s)).toBe(true));
  it.each(['', ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7', ':1::', '::1.2.3', '::01.2.3.4', '1:2:3:4:5:6:7:1.2.3.4'])(
    'rejects %j', (s) => expect(isIPv6(s)).toBe(false));
  it('expands groups', () => {
    expect(parseIPv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
  });
});

describe('networks', () => {
  it('cidr4', () => {
    expect(isCidr4('10.0.0.0/8')).toBe(true);
    expect(isCidr4('10.0.0.1')).toBe(true);
    expect(isCidr4('10.0.0.0/33')).toBe(false);
    expect(isCidr4('10.0.0.0/08')).toBe(false);
    expect(isCidr4('10.0.0/8')).toBe(false);
  });
  it('cidr6', () => {
    expect(isCidr6('2001:db8::/32')).toBe(true);
    expect(isCidr6('2001:db8::/129')).toBe(false);
    expect(isCidr6('2001:db8:/32')).toBe(false);
  });
});

describe('names and identifiers', () => {
  it('mac: one separator throughout', () => {
    expect(isMac('aa:bb:cc:dd:ee:ff')).toBe(true);
    expect(isMac('AA-BB-CC-DD-EE-FF')).toBe(true);
    expect(isMac('aa:bb-cc:dd:ee:ff')).toBe(false);
    expect(isMac('aa:bb:cc:dd:ee')).toBe(false);
    expect(isMac('aabbccddeeff')).toBe(false);
    expect(checkScalar(at('dhcp.static_leases.1.mac'), '00:00:00:00:00:00').error).toMatch(/all-zero/);
  });
  it('hostname: one label', () => {
    expect(isLabel('difos')).toBe(true);
    expect(isLabel('a-1')).toBe(true);
    expect(isLabel('-a')).toBe(false);
    expect(isLabel('a-')).toBe(false);
    expect(isLabel('a.b')).toBe(false);
    expect(isLabel('a_b')).toBe(false);
    expect(isLabel('x'.repeat(63))).toBe(true);
    expect(isLabel('x'.repeat(64))).toBe(false);
  });
  it('fqdn', () => {
    expect(isFqdn('lan')).toBe(true);
    expect(isFqdn('example.com')).toBe(true);
    expect(isFqdn('a.-b.com')).toBe(false);
    expect(isFqdn('a..b')).toBe(false);
    expect(isFqdn('example.com.')).toBe(false);
    expect(isFqdn(('a'.repeat(63) + '.').repeat(4) + 'abc')).toBe(false);
  });
  it('duid, ifname, ipv6 suffix', () => {
    expect(isDuid('00:01:00:01')).toBe(true);
    expect(isDuid('00')).toBe(false);
    expect(isDuid('0:01')).toBe(false);
    expect(isIfname('br-lan')).toBe(true);
    expect(isIfname('eth0.10')).toBe(true);
    expect(isIfname('a/b')).toBe(false);
    expect(isIfname('a b')).toBe(false);
    expect(isIfname('x'.repeat(16))).toBe(false);
    expect(isIPv6Suffix('::42')).toBe('ok');
    expect(isIPv6Suffix('::')).toBe('zero');
    expect(isIPv6Suffix('2001::42')).toBe('bad');
  });
  it('port ranges', () => {
    expect(portRange('80')).toBeNull();
    expect(portRange('1000-2000')).toBeNull();
    expect(portRange('0')).not.toBeNull();
    expect(portRange('2000-1000')).toMatch(/above/);
    expect(portRange('65536')).not.toBeNull();
  });
});

describe('durations', () => {
  it('parses units', () => {
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('12h')).toBe(43200);
    expect(parseDuration('7d')).toBe(604800);
    expect(parseDuration('2w')).toBe(1209600);
    expect(parseDuration('infinite')).toBe(-1);
    expect(parseDuration('0')).toMatch(/positive/);
    expect(parseDuration('12x')).toMatch(/valid duration/);
    expect(parseDuration('1h30m')).toMatch(/valid duration/);
    expect(parseDuration('99999w')).toMatch(/10 years/);
  });
  it('infinite only where the schema allows it', () => {
    expect(checkScalar(at('lan.dhcp.lease_time'), 'infinite').error).toMatch(/finite/);
    expect(checkScalar(at('dhcp.static_leases.1.lease_time'), 'infinite').error).toBeUndefined();
    expect(checkScalar(at('lan.dhcp.lease_time'), '12h').value).toBe('12h');
  });
});

describe('checkScalar by kind', () => {
  it('int with minimum and maximum', () => {
    const n = at('lan.ipv4.prefix');
    expect(checkScalar(n, '24')).toEqual({ value: 24 });
    expect(checkScalar(n, '7').error).toBe('Must be at least 8');
    expect(checkScalar(n, '31').error).toBe('Must be at most 30');
    expect(checkScalar(n, '2.5').error).toMatch(/whole number/);
    expect(checkScalar(n, 'x').error).toMatch(/whole number/);
  });
  it('port', () => {
    const n = at('web.https_port');
    expect(checkScalar(n, '443').value).toBe(443);
    expect(checkScalar(n, '0').error).toMatch(/port between 1 and 65535/);
    expect(checkScalar(n, '70000').error).toMatch(/port/);
  });
  it('ipv4 field', () => {
    expect(checkScalar(at('lan.dhcp.start'), '192.168.1.100').value).toBe('192.168.1.100');
    expect(checkScalar(at('lan.dhcp.start'), '192.168.1.300').error).toMatch(/IPv4/);
  });
  it('string length and pattern', () => {
    const n = at('dhcp.static_leases.1.name');
    expect(checkScalar(n, 'x'.repeat(64)).error).toBeUndefined();
    expect(checkScalar(n, 'x'.repeat(65)).error).toMatch(/at most 64/);
    expect(checkScalar(n, 'é'.repeat(33)).error).toMatch(/at most 64/); // bytes, as the daemon counts
    expect(checkScalar({ type: 'string', 'x-difos-kind': 'string', pattern: '^(a+)$' }, 'aaa').error).toBeUndefined();
    expect(checkScalar({ type: 'string', 'x-difos-kind': 'string', pattern: '^(a+)$' }, 'ab').error).toMatch(/format/);
    expect(checkScalar(n, 'a\u0001b').error).toMatch(/control/);
  });
  it('enum', () => {
    const n = at('wan.ipv4.proto');
    expect(checkScalar(n, 'static').value).toBe('static');
    expect(checkScalar(n, 'pppoe').value).toBe('pppoe');
    expect(checkScalar(n, 'pptp').error).toMatch(/one of: dhcp, static, pppoe/);
  });
  it('rate and ref', () => {
    expect(checkScalar({ 'x-difos-kind': 'rate', exclusiveMinimum: 0 }, '2.5').value).toBe(2.5);
    expect(checkScalar({ 'x-difos-kind': 'rate', exclusiveMinimum: 0 }, '0').error).toMatch(/positive/);
    expect(checkScalar({ 'x-difos-kind': 'ref', minimum: 1 }, '3').value).toBe(3);
    expect(checkScalar({ 'x-difos-kind': 'ref', minimum: 1 }, '0').error).toBeDefined();
  });
});

describe('uniqueness from the schema', () => {
  it('a unique list refuses an item twice, compared as the kind compares', () => {
    expect(checkList(at('extensions.list').items!.properties!.codecs, 'ulaw, opus, ulaw').error).toBe('ulaw is listed twice');
    expect(checkList(at('extensions.list').items!.properties!.codecs, 'ulaw, opus').value).toEqual(['ulaw', 'opus']);
    expect(checkList(at('pbx.local_subnets'), '10.9.9.9, 10.9.9.9/32').error).toBe('10.9.9.9/32 is listed twice');
    expect(uniqueKey('cidr6', '2001:DB8:0::/32')).toBe(uniqueKey('cidr6', '2001:db8::/32'));
    expect(uniqueKey('mac', '02-AA-00-00-00-01')).toBe(uniqueKey('mac', '02:aa:00:00:00:01'));
  });
  it('a collection key of several members, absent ones at their defaults', () => {
    const others = [{ id: 1, target: '10.9.0.0/16', gateway: '10.0.0.1' }];
    expect(duplicates(at('routes.static4'), 'routes.static4', { target: '10.9.0.0/16', interface: 'eth2' }, others)).toEqual([
      { field: 'target', error: '10.9.0.0/16 with metric 0 in table 254 is already routed by routes.static4[1]' }]);
    expect(duplicates(at('routes.static4'), 'routes.static4', { target: '10.9.0.0/16', metric: 5 }, others)).toEqual([]);
  });
  it('a unique member among the entries', () => {
    const others = [{ id: 3, mac: '00:11:22:33:44:55', ip: '192.168.1.20' }];
    expect(duplicates(at('dhcp.static_leases'), 'dhcp.static_leases', { mac: '00-11-22-33-44-66', ip: '192.168.1.20' }, others))
      .toEqual([{ field: 'ip', error: '192.168.1.20 is already used by dhcp.static_leases[3]' }]);
  });
});

describe('lists', () => {
  it('splits on commas and spaces', () => {
    expect(splitList(' 1.1.1.1, 8.8.8.8  9.9.9.9,')).toEqual(['1.1.1.1', '8.8.8.8', '9.9.9.9']);
    expect(splitList('')).toEqual([]);
  });
  it('checks each item and the count', () => {
    const n = at('dns.upstreams');
    expect(checkList(n, '1.1.1.1, 8.8.8.8')).toEqual({ value: ['1.1.1.1', '8.8.8.8'] });
    expect(checkList(n, '')).toEqual({ value: [] });
    expect(checkList(n, '1.1.1.1 8.8.8.888').error).toMatch(/^8\.8\.8\.888: not a valid IPv4/);
    expect(checkList(n, Array.from({ length: 9 }, (_, i) => `10.0.0.${i + 1}`).join(',')).error).toMatch(/At most 8/);
    expect(checkList(at('lan.interfaces'), '').error).toMatch(/At least one/);
    expect(checkList(at('lan.interfaces'), 'lan0 lan1').value).toEqual(['lan0', 'lan1']);
  });
});
