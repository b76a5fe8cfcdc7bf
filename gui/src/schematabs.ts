/*
 * A page of tabs made from the schema: each section, or each member of a
 * section, names the tab it shows on (x-difos-tab), so the tabs, their
 * titles, their order and what each holds come from the daemon. A tab
 * shows its section's fields in one form and each collection in a table;
 * the page gives options for those, or draws a tab itself.
 */
import { h } from './dom';
import type { PageCtx } from './page';
import { setQuery } from './router';
import { sectionForm, type SectionOptions } from './section';
import { kindOf, loadSchema, nodeAt, tabsOf, type SchemaNode, type SchemaTab } from './schema';
import { collectionTable, type TableOptions } from './table';
import { tabs } from './tabs';
import { banner } from './ui';

export interface SchemaTabsOptions {
  /** The form of a tab's fields, by tab id. */
  forms?: Record<string, SectionOptions>;
  /** The table of a collection, by its path ("qos.by_ip"); noun defaults to its title. */
  tables?: Record<string, Partial<TableOptions>>;
  /** Tabs the page draws itself (what the schema puts there stays for it to use). */
  draw?: Record<string, (panel: HTMLElement, tab: SchemaTab) => void>;
  /** Above a tab's content, by tab id. */
  before?: Record<string, (panel: HTMLElement) => HTMLElement>;
  /** Below a tab's content, by tab id. */
  after?: Record<string, () => HTMLElement>;
}

function drawTab(schema: SchemaNode, sections: string[], tab: SchemaTab, opts: SchemaTabsOptions, panel: HTMLElement): void {
  const draw = opts.draw?.[tab.id];
  if (draw) return draw(panel, tab);
  const before = opts.before?.[tab.id];
  if (before) panel.append(before(panel));
  // whole sections; then each section's fields on the tab in one form; then its collections
  const whole = tab.paths.filter((p) => !p.includes('.'));
  const members = tab.paths.filter((p) => p.includes('.'));
  const tables = members.filter((p) => kindOf(nodeAt(schema, p)!) === 'collection');
  const fields = new Map<string, string[]>();
  for (const p of members.filter((m) => !tables.includes(m))) {
    const [section, key] = [p.slice(0, p.indexOf('.')), p.slice(p.indexOf('.') + 1)];
    fields.set(section, [...(fields.get(section) || []), key]);
  }
  for (const path of whole) panel.append(sectionForm(path, opts.forms?.[tab.id]));
  for (const [section, only] of fields) {
    // the section's first tab keeps the section's name in its hooks
    const first = tabsOf(schema, sections).find((t) => t.paths.some((p) => p.startsWith(section + '.')))?.id === tab.id;
    panel.append(sectionForm(section, { heading: tab.title, test: first ? section : `${section}-${tab.id}`, ...opts.forms?.[tab.id], only }));
  }
  for (const path of tables) {
    const node = nodeAt(schema, path)!;
    panel.append(collectionTable(path, { noun: (node.title || path).toLowerCase(), ...opts.tables?.[path] }));
  }
  const after = opts.after?.[tab.id];
  if (after) panel.append(after());
}

/** Appends the page's tabs for these sections to ctx.root (the active one from ?tab=). */
export function schemaTabs(ctx: PageCtx, sections: string[], opts: SchemaTabsOptions = {}): void {
  const holder = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  ctx.root.append(holder);
  loadSchema().then(
    (schema) => {
      const list = tabsOf(schema, sections);
      holder.replaceChildren(tabs(list.map((t) => ({ id: t.id, title: t.title, render: (p) => drawTab(schema, sections, t, opts, p) })),
        ctx.query.get('tab') || list[0]?.id || '', (id) => setQuery({ tab: id })));
    },
    (e) => {
      const msg = banner();
      holder.replaceChildren(msg.el);
      msg.error(e);
    });
}
