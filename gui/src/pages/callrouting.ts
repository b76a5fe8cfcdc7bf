/*
 * PBX › Call Routing: the inbound routes (the number called on a trunk, to
 * an extension) and the outbound routes (numbers the extensions dial, to a
 * trunk), and the route preview: which way a number goes, told by the
 * router as Asterisk would take it (in the staged configuration if there
 * is one). A pattern the router refuses shows its reason at the field.
 */
import { ApiError, configUrl, errorText, get } from '../api';
import { h, fill, uid } from '../dom';
import type { PageDef } from '../page';
import { chooser } from '../suggest';
import { collectionTable, type Entry } from '../table';
import { banner, busy } from '../ui';
import { extensionChoices, extensionLabel } from './trunks';

/** GET /pbx/route-preview's answer. */
export interface PreviewAnswer {
  number?: string;
  kind: string;
  /** kind extension: its number and name. */
  extension?: string;
  name?: string;
  /** kind prefix: the trunk's prefix as a pattern. */
  pattern?: string;
  trunk?: string;
  sent?: string;
  caller_id?: string;
  destination?: string;
  route?: { id?: number; name?: string; pattern?: string };
  staged?: boolean;
}

const routeName = (r: PreviewAnswer['route']) => (r?.name ? `${r.name} (${r.pattern ?? ''})` : (r?.pattern ?? ''));

/**
 * The preview's answer in words. trunk: the trunk a call came in on (the
 * question asked); label names an extension's number ("1001 (Desk)").
 */
export function previewWords(a: PreviewAnswer, trunk?: string, label: (n: string) => string = (n) => n): string {
  const n = a.number ?? '';
  if (trunk) {
    const head = `${n} called on trunk ${trunk}`;
    switch (a.kind) {
      case 'route': return `${head}: inbound route ${routeName(a.route)} to ${label(a.destination ?? '')}`;
      case 'default': return `${head}: no inbound route matches: the trunk's default, ${label(a.destination ?? '')}`;
      case 'refused': return `${head}: no inbound route matches and the trunk has no default action: the call is refused`;
      case 'no_trunk': return `${n}: there is no trunk named ${trunk}`;
      default: return `${head}: ${a.kind}`;
    }
  }
  switch (a.kind) {
    case 'extension': return `${n}: the extension ${label(a.extension ?? n)}`;
    case 'prefix': return `${n}: dial-out prefix of trunk ${a.trunk} — ${a.sent} is sent`;
    case 'route': {
      const cid = a.caller_id ? `, with caller ID ${a.caller_id}` : '';
      if (!a.trunk) return `${n}: outbound route ${routeName(a.route)}, whose trunk is gone: the call fails`;
      return `${n}: outbound route ${routeName(a.route)} to trunk ${a.trunk} — the number is sent as dialled${cid}`;
    }
    case 'none': return `${n}: no route: the call fails`;
    default: return `${n}: ${a.kind}`;
  }
}

/** Which configuration the preview read. */
export function previewSource(a: PreviewAnswer): string {
  return a.staged
    ? 'Read from the staged configuration: the changes not applied yet are counted.'
    : 'Read from the configuration in force (nothing is staged).';
}

const SYNTAX =
  'Patterns are Asterisk\'s: a number as it is (2142050), or _ then X (any digit), Z (1-9), N (2-9), a set [135] or range [1-5], ' +
  'and at the end . (one or more characters) or ! (zero or more): _20XX, _00X. . Asterisk does not try the routes in the list\'s ' +
  'order but in its own order of patterns (a plain number first, then the pattern that accepts fewer digits at the first position where they differ): ' +
  'the preview tells which way a number takes.';

/** The route preview card; returns it and a function that asks again (after a change). */
function previewCard(trunks: Entry[], label: (n: string) => string): { el: HTMLElement; again: () => void } {
  const id = uid('preview');
  const msg = banner('preview-banner');
  const number = h('input', {
    id, type: 'text', inputmode: 'tel', autocomplete: 'off', spellcheck: 'false', 'data-test': 'preview-number',
    'aria-describedby': id + '-err',
  });
  const err = h('p', { class: 'field-error', id: id + '-err', 'data-test': 'preview-error', 'aria-live': 'polite' });
  const trunk = h('select', { id: id + '-trunk', 'data-test': 'preview-trunk' },
    h('option', { value: '' }, 'Dialled by an extension'),
    trunks.map((t) => h('option', { value: String(t.name) }, `Called in on trunk ${t.name}`)));
  const answer = h('p', { class: 'preview-answer', 'data-test': 'preview-answer', 'aria-live': 'polite' });
  const source = h('p', { class: 'hint', 'data-test': 'preview-source' });
  const go = h('button', { type: 'submit', class: 'primary', 'data-test': 'preview' }, 'Preview');
  let asked = false;
  const ask = () => busy(go, async () => {
    msg.set(null);
    err.textContent = '';
    number.removeAttribute('aria-invalid');
    const n = number.value.trim();
    if (!n) {
      err.textContent = 'Type a number';
      number.setAttribute('aria-invalid', 'true');
      return;
    }
    const q = new URLSearchParams({ number: n });
    if (trunk.value) q.set('trunk', trunk.value);
    try {
      const a = await get<PreviewAnswer>('/pbx/route-preview?' + q.toString());
      asked = true;
      answer.className = 'preview-answer route-' + a.kind;
      answer.dataset.kind = a.kind;
      answer.dataset.staged = String(!!a.staged);
      fill(answer, previewWords(a, trunk.value || undefined, label));
      fill(source, previewSource(a));
    } catch (e) {
      fill(answer, '');
      fill(source, '');
      if (e instanceof ApiError && (e.path === 'number' || e.errors.some((x) => x.path === 'number'))) {
        err.textContent = errorText(e).replace(/^number: /, '');
        number.setAttribute('aria-invalid', 'true');
      } else msg.error(e);
    }
  });
  const form = h('form', { class: 'form', novalidate: true, 'data-test': 'route-preview' },
    msg.el,
    h('div', { class: 'field' }, h('label', { for: id }, 'Number'), number,
      h('p', { class: 'hint' }, 'As an extension dials it (with a trunk\'s prefix, if any), or the number called on a trunk.'), err),
    h('div', { class: 'field' }, h('label', { for: id + '-trunk' }, 'The call'), trunk),
    h('div', { class: 'form-actions' }, go),
    answer, source);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void ask();
  });
  const el = h('section', { class: 'card', 'data-test': 'preview-card' },
    h('h2', null, 'Route preview'),
    h('p', { class: 'muted' }, 'Where a number goes: an extension, a trunk\'s dial-out prefix or an outbound route; called in on a trunk, an inbound route or the trunk\'s default.'),
    form);
  return { el, again: () => void (asked && number.value.trim() ? ask() : undefined) };
}

export const callRoutingPage: PageDef = {
  path: '/pbx/routing',
  title: 'Call Routing',
  group: 'PBX',
  render(ctx) {
    const holder = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
    ctx.root.append(holder);
    const list = (path: string) => get<Entry[]>(configUrl(path)).then((l) => (Array.isArray(l) ? l : []), () => [] as Entry[]);
    void Promise.all([list('trunks.list'), list('extensions.list')]).then(([trunks, exts]) => {
      const label = (n: string) => extensionLabel(n, exts);
      const preview = previewCard(trunks, label);
      const trunkName = (id: unknown) => trunks.find((t) => t.id === id)?.name;
      const inbound = collectionTable('call_routing.inbound', {
        noun: 'inbound route',
        heading: 'Inbound routes',
        intro: 'A call in on any trunk, by the number called (its DID), to an extension. A number no route matches goes to the trunk\'s default action.',
        columns: ['name', 'pattern', 'destination', 'enabled'],
        cells: { destination: { title: 'Destination', render: (e) => label(String(e.destination ?? '')) } },
        label: (e) => String(e.name || e.pattern || e.id),
        onChange: preview.again,
        enhance: (form) => {
          const f = form.fields.get('call_routing.inbound.destination');
          if (f) chooser(f, extensionChoices(exts), { missing: (v) => `${v} (no such extension)` });
        },
      });
      const outbound = collectionTable('call_routing.outbound', {
        noun: 'outbound route',
        heading: 'Outbound routes',
        intro: 'Numbers the extensions dial, by pattern, to a trunk, optionally with another caller ID. The number is sent as dialled.',
        columns: ['name', 'pattern', 'trunk', 'caller_id', 'enabled'],
        cells: { trunk: { title: 'Trunk', render: (e) => String(trunkName(e.trunk) ?? `#${e.trunk} (no such trunk)`) } },
        label: (e) => String(e.name || e.pattern || e.id),
        onChange: preview.again,
        enhance: (form) => {
          const f = form.fields.get('call_routing.outbound.trunk');
          if (f) chooser(f, trunks.map((t) => ({ value: String(t.id), label: String(t.name) })), { missing: (v) => `#${v} (no such trunk)` });
        },
      });
      fill(holder,
        h('p', { class: 'rule', 'data-test': 'pattern-syntax' }, SYNTAX),
        trunks.length ? null : h('p', { class: 'banner info', 'data-test': 'no-trunks' }, 'There is no trunk yet: an outbound route needs one (PBX › Trunks).'),
        preview.el, inbound, outbound);
    });
  },
};
