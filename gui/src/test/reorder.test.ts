import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bySequence, dragRows, moveItem, renumber, reorderPatch } from '../reorder';
import { resetSchema } from '../schema';
import { rulesPage } from '../pages/firewall';
import { mockFetch, schema, until } from './helpers';

beforeEach(() => {
  document.body.replaceChildren();
  resetSchema(schema);
});
afterEach(() => vi.unstubAllGlobals());

const rules = [
  { id: 4, index: 3, description: 'c' },
  { id: 1, index: 1, description: 'a' },
  { id: 7, index: 2, description: 'b' },
];

describe('order by a sequence field', () => {
  it('sorts by the field, then by id; entries without it go last', () => {
    expect(bySequence(rules, 'index').map((r) => r.id)).toEqual([1, 7, 4]);
    expect(bySequence([{ id: 2 }, { id: 9, index: 1 }, { id: 1 }], 'index').map((r) => r.id)).toEqual([9, 1, 2]);
    expect(bySequence([{ id: 3, index: 2 }, { id: 2, index: 2 }], 'index').map((r) => r.id)).toEqual([2, 3]);
  });

  it('moves one item, clamping the target', () => {
    expect(moveItem(['a', 'b', 'c', 'd'], 1, 0)).toEqual(['b', 'a', 'c', 'd']);
    expect(moveItem(['a', 'b', 'c', 'd'], 0, 3)).toEqual(['b', 'c', 'd', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 99)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, -5)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });

  it('renumbers 1..N in the new order, listing only the entries that change', () => {
    const sorted = bySequence(rules, 'index'); // a(1) b(2) c(3)
    expect(renumber(moveItem(sorted, 1, 0), 'index')).toEqual([{ id: 7, value: 1 }, { id: 1, value: 2 }]);
    expect(renumber(moveItem(sorted, 0, 2), 'index')).toEqual([{ id: 7, value: 1 }, { id: 4, value: 2 }, { id: 1, value: 3 }]);
    expect(renumber(sorted, 'index')).toEqual([]);
    // gaps and duplicates are closed up
    expect(renumber([{ id: 1, index: 10 }, { id: 2, index: 10 }, { id: 3, index: 40 }], 'index'))
      .toEqual([{ id: 1, value: 1 }, { id: 2, value: 2 }, { id: 3, value: 3 }]);
  });

  it('stages a renumbering as one PATCH below the collection\'s parent', () => {
    expect(reorderPatch('firewall.rules', 'index', [{ id: 7, value: 1 }, { id: 1, value: 2 }]))
      .toEqual({ path: 'firewall', body: { 'rules[7].index': 1, 'rules[1].index': 2 } });
    expect(reorderPatch('things', 'pos', [{ id: 2, value: 1 }])).toEqual({ path: '', body: { 'things[2].pos': 1 } });
  });
});

/** Rows 30 px high, one under the other (happy-dom has no layout). */
function layOut(tbody: HTMLElement): void {
  for (const tr of [...tbody.children] as HTMLElement[]) {
    tr.getBoundingClientRect = () => {
      const i = [...tbody.children].indexOf(tr);
      return { top: i * 30, bottom: i * 30 + 30, height: 30, left: 0, right: 500, width: 500, x: 0, y: i * 30, toJSON() {} } as DOMRect;
    };
  }
}

function pointer(target: EventTarget, type: string, y: number): void {
  const e = new MouseEvent(type, { bubbles: true, cancelable: true, clientY: y, button: 0 });
  Object.defineProperty(e, 'pointerId', { value: 1 });
  target.dispatchEvent(e);
}

describe('dragging rows', () => {
  function rowsTable(n: number) {
    const tbody = document.createElement('tbody');
    for (let i = 0; i < n; i++) {
      const tr = document.createElement('tr');
      tr.dataset.name = 'r' + i;
      const grip = document.createElement('button');
      grip.className = 'grip';
      tr.append(grip);
      tbody.append(tr);
    }
    document.body.append(tbody);
    layOut(tbody);
    return tbody;
  }
  const order = (tbody: HTMLElement) => [...tbody.children].map((r) => (r as HTMLElement).dataset.name);

  it('moves the row under the pointer and reports from and to on release', () => {
    const tbody = rowsTable(4);
    const drops: [number, number][] = [];
    dragRows(tbody, '.grip', (f, t) => drops.push([f, t]));
    const grip = tbody.children[2].querySelector('.grip')!;
    pointer(grip, 'pointerdown', 75);
    expect(tbody.children[2].classList.contains('dragging')).toBe(true);
    pointer(grip, 'pointermove', 40);
    pointer(grip, 'pointermove', 5);
    expect(order(tbody)).toEqual(['r2', 'r0', 'r1', 'r3']);
    pointer(grip, 'pointerup', 5);
    expect(drops).toEqual([[2, 0]]);
    expect(tbody.querySelector('.dragging')).toBeNull();
    // the listeners are gone: a later move changes nothing
    pointer(window, 'pointermove', 200);
    expect(order(tbody)).toEqual(['r2', 'r0', 'r1', 'r3']);
  });

  it('down to the end; a drop in place reports nothing; a cancel puts the row back', () => {
    const tbody = rowsTable(3);
    const drops: [number, number][] = [];
    dragRows(tbody, '.grip', (f, t) => drops.push([f, t]));
    let grip = tbody.children[0].querySelector('.grip')!;
    pointer(grip, 'pointerdown', 10);
    pointer(grip, 'pointermove', 200);
    pointer(grip, 'pointerup', 200);
    expect(order(tbody)).toEqual(['r1', 'r2', 'r0']);
    expect(drops).toEqual([[0, 2]]);

    grip = tbody.children[1].querySelector('.grip')!;
    pointer(grip, 'pointerdown', 45);
    pointer(grip, 'pointermove', 50);
    pointer(grip, 'pointerup', 50);
    expect(drops).toHaveLength(1);

    grip = tbody.children[2].querySelector('.grip')!;
    pointer(grip, 'pointerdown', 75);
    pointer(grip, 'pointermove', 0);
    expect(order(tbody)).toEqual(['r0', 'r1', 'r2']);
    pointer(grip, 'pointercancel', 0);
    expect(order(tbody)).toEqual(['r1', 'r2', 'r0']);
    expect(drops).toHaveLength(1);
  });
});

describe('traffic rules table', () => {
  const list = [
    { id: 1, index: 1, description: 'reject 8443', proto: 'tcp', src_zone: 'wan', dest_zone: 'router', dest_ports: ['8443'], action: 'reject', enabled: true },
    { id: 2, index: 2, description: 'allow wanclient', proto: 'tcp', src_zone: 'wan', src: ['wanclient'], dest_zone: 'router', dest_ports: ['8443'], action: 'accept' },
    { id: 5, index: 3, description: 'sip', family: 'ipv4', proto: 'udp', src_zone: 'wan', dest_zone: 'lan', dest_ports: ['6067/udp'], action: 'accept', enabled: false },
  ];

  function render() {
    const root = document.createElement('div');
    document.body.append(root);
    rulesPage.render({ root, query: new URLSearchParams(), onLeave: () => {} });
    return root;
  }
  const ids = (root: HTMLElement) => [...root.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-test'));

  it('lists the rules in index order with their sides, action and state', async () => {
    mockFetch({ 'GET /config/firewall/rules': [200, [list[2], list[0], list[1]]] });
    const root = render();
    await until(() => root.querySelector('[data-test=entry-5]'));
    expect(ids(root)).toEqual(['entry-1', 'entry-2', 'entry-5']);
    expect([...root.querySelectorAll('th')].map((t) => t.textContent)).toEqual(
      ['Move', 'Index', 'Description', 'Family', 'Protocol', 'Source', 'Destination', 'Action', 'Enabled', 'Actions']);
    const r2 = root.querySelector('[data-test=entry-2]')!.textContent!;
    expect(r2).toContain('WAN wanclient');
    expect(r2).toContain('The router any port 8443');
    expect(root.querySelector('[data-test=entry-5]')!.textContent).toContain('No');
    expect(root.querySelector('[data-test=entry-1] [data-test=move-up]')!.hasAttribute('disabled')).toBe(true);
    expect(root.querySelector('[data-test=entry-5] [data-test=move-down]')!.hasAttribute('disabled')).toBe(true);
  });

  it('Move up stages the new order in one PATCH and keeps the focus on the moved rule', async () => {
    let current = list;
    const { seen } = mockFetch({
      'GET /config/firewall/rules': () => [200, current],
      'PATCH /config/firewall': (req) => {
        const b = req.body as Record<string, number>;
        current = list.map((r) => ({ ...r, index: b[`rules[${r.id}].index`] ?? r.index }));
        return [200, { staged: true }];
      },
      'GET /changes': [200, [{ op: 'modified', path: 'firewall.rules[2].index', old: 2, new: 1 }, { op: 'modified', path: 'firewall.rules[1].index', old: 1, new: 2 }]],
    });
    const root = render();
    await until(() => root.querySelector('[data-test=entry-2] [data-test=move-up]'));
    root.querySelector<HTMLButtonElement>('[data-test=entry-2] [data-test=move-up]')!.click();
    await until(() => ids(root)[0] === 'entry-2');
    const writes = seen.filter((s) => s.method !== 'GET');
    expect(writes).toHaveLength(1);
    expect(writes[0].url).toBe('/config/firewall');
    expect(writes[0].body).toEqual({ 'rules[2].index': 1, 'rules[1].index': 2 });
    expect(ids(root)).toEqual(['entry-2', 'entry-1', 'entry-5']);
    expect(root.querySelector('[data-test=banner]')!.textContent).toMatch(/moved to position 1; 2 renumbered\. 2 unsaved changes/);
    // at the top Move up is disabled: the focus goes to the row's grip
    expect(document.activeElement?.getAttribute('data-test')).toBe('grip');
    expect(document.activeElement?.closest('tr')?.getAttribute('data-test')).toBe('entry-2');
  });

  it('Arrow Down on a grip moves the rule one place down', async () => {
    const { seen } = mockFetch({
      'GET /config/firewall/rules': [200, list],
      'PATCH /config/firewall': [200, { staged: true }],
      'GET /changes': [200, []],
    });
    const root = render();
    await until(() => root.querySelector('[data-test=entry-1] [data-test=grip]'));
    root.querySelector('[data-test=entry-1] [data-test=grip]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    await until(() => seen.some((s) => s.method === 'PATCH'));
    expect(seen.find((s) => s.method === 'PATCH')!.body).toEqual({ 'rules[2].index': 1, 'rules[1].index': 2 });
  });

  it('a refused reorder shows the error and the order the router has', async () => {
    mockFetch({
      'GET /config/firewall/rules': [200, list],
      'PATCH /config/firewall': [422, { error: { code: 'invalid', message: 'firewall.rules[2].index: no', path: 'firewall.rules[2].index' } }],
      'GET /changes': [200, []],
    });
    const root = render();
    await until(() => root.querySelector('[data-test=entry-5] [data-test=move-up]'));
    root.querySelector<HTMLButtonElement>('[data-test=entry-5] [data-test=move-up]')!.click();
    await until(() => root.querySelector('[data-test=banner]:not([hidden])'));
    expect(root.querySelector('[data-test=banner]')!.textContent).toContain('no');
    expect(ids(root)).toEqual(['entry-1', 'entry-2', 'entry-5']);
  });

  it('the rule dialog offers the aliases on the address and port fields and hides ports without a port protocol', async () => {
    const { seen } = mockFetch({
      'GET /config/firewall/rules': [200, []],
      'GET /config/firewall/ip_aliases': [200, [{ id: 1, name: 'wanclient', type: 'manual', addresses: ['198.51.100.1/32'] }]],
      'GET /config/firewall/port_aliases': [200, [{ id: 1, name: 'HTTP', ports: ['80', '443'] }]],
      'POST /config/firewall/rules': [201, { id: 1 }],
      'GET /changes': [200, []],
    });
    const root = render();
    await until(() => root.querySelector('[data-test=add]'));
    root.querySelector<HTMLButtonElement>('[data-test=add]')!.click();
    const dlg = document.querySelector<HTMLElement>('[data-test=entry-dialog]')!;
    await until(() => dlg.querySelector('[data-test="suggest-firewall.rules.src"]'));
    const src = dlg.querySelector<HTMLInputElement>('[name="firewall.rules.src"]')!;
    expect(dlg.querySelector('[data-test="suggest-firewall.rules.dest"]')).not.toBeNull();
    expect(dlg.querySelector('[data-test="suggest-firewall.rules.dest_ports"] [data-value=HTTP]')).not.toBeNull();
    src.value = '10.0.0.0/8';
    dlg.querySelector<HTMLButtonElement>('[data-test="suggest-firewall.rules.src"] [data-value=wanclient]')!.click();
    expect(src.value).toBe('10.0.0.0/8, wanclient');
    const proto = dlg.querySelector<HTMLSelectElement>('[name="firewall.rules.proto"]')!;
    const ports = dlg.querySelector<HTMLElement>('[data-field="firewall.rules.dest_ports"]')!;
    expect(ports.hidden).toBe(true); // proto "all"
    proto.value = 'tcp';
    proto.dispatchEvent(new Event('change'));
    expect(ports.hidden).toBe(false);
    dlg.querySelector<HTMLButtonElement>('[data-test="suggest-firewall.rules.dest_ports"] [data-value=HTTP]')!.click();
    for (const [k, v] of [['src_zone', 'wan'], ['dest_zone', 'router'], ['action', 'accept']]) {
      const sel = dlg.querySelector<HTMLSelectElement>(`[name="firewall.rules.${k}"]`)!;
      sel.value = v;
      sel.dispatchEvent(new Event('change'));
    }
    dlg.querySelector<HTMLButtonElement>('[data-test=save]')!.click();
    await until(() => seen.some((s) => s.method === 'POST'));
    expect(seen.find((s) => s.method === 'POST')!.body).toMatchObject({ proto: 'tcp', src: ['10.0.0.0/8', 'wanclient'], dest_ports: ['HTTP'] });
  });
});
