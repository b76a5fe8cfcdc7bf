/*
 * A table generated from a collection of the schema ("dhcp.static_leases"):
 * one column per field, Add / Edit in a dialog whose form is generated from
 * the entry schema, Delete per row. Every edit is staged and updates the pill.
 */
import { configUrl, del, get, post, put } from './api';
import { openDialog } from './dialog';
import { h, fill } from './dom';
import { buildForm, type FormOptions } from './form';
import { value as show } from './format';
import { refreshChanges } from './pill';
import { kindOf, loadSchema, nodeAt, titleOf } from './schema';
import { banner, busy, emptyRow, table } from './ui';

export interface TableOptions {
  /** Entry fields shown as columns (default: all). */
  columns?: string[];
  /** What one entry is called: "static lease". */
  noun: string;
  heading?: string;
  form?: FormOptions;
}

type Entry = Record<string, unknown> & { id: number };

export function collectionTable(path: string, opts: TableOptions): HTMLElement {
  const card = h('section', { class: 'card', 'data-test': 'table-' + path }, h('p', { class: 'muted' }, 'Loading…'));
  const msg = banner();

  const load = async () => {
    let schema, rows: Entry[];
    try {
      [schema, rows] = await Promise.all([loadSchema(), get<Entry[]>(configUrl(path))]);
    } catch (e) {
      fill(card, msg.el);
      msg.error(e);
      return;
    }
    const item = nodeAt(schema, path)?.items;
    if (!item?.properties) {
      fill(card, h('p', null, `${path}: not in the schema`));
      return;
    }
    const props = item.properties;
    const cols = (opts.columns || Object.keys(props)).filter((k) => k !== 'id' && props[k] && kindOf(props[k]) !== 'object');
    const list = Array.isArray(rows) ? rows : [];

    const edit = (entry?: Entry) => {
      const form = buildForm(schema, path, entry || {}, { idPrefix: 'dlg', ...opts.form });
      const dmsg = banner('dialog-banner');
      const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, entry ? 'Save' : 'Add');
      const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
      const f = h('form', { novalidate: true, class: 'form', 'data-test': 'entry-form' }, dmsg.el, form.el, h('div', { class: 'form-actions' }, save, cancel));
      const dlg = openDialog({ title: `${entry ? 'Edit' : 'Add'} ${opts.noun}`, body: f, test: 'entry-dialog' });
      f.addEventListener('submit', (e) => {
        e.preventDefault();
        dmsg.set(null);
        if (!form.validate()) {
          dmsg.set('error', 'Some fields need attention.');
          return;
        }
        void busy(save, async () => {
          try {
            if (entry) await put(configUrl(`${path}[${entry.id}]`), form.value());
            else await post(configUrl(path), form.value());
          } catch (err) {
            const rest = form.showErrors(err);
            dmsg.set('error', rest.length ? rest.map((r) => r.message).join('\n') : 'Some fields need attention.');
            return;
          }
          dlg.close();
          await changed(`${opts.noun.charAt(0).toUpperCase() + opts.noun.slice(1)} ${entry ? 'saved' : 'added'}.`);
        });
      });
    };

    const remove = (entry: Entry, btn: HTMLButtonElement) =>
      busy(btn, async () => {
        try {
          await del(configUrl(`${path}[${entry.id}]`));
        } catch (e) {
          msg.error(e);
          return;
        }
        await changed(`${opts.noun.charAt(0).toUpperCase() + opts.noun.slice(1)} deleted.`);
      });

    const label = (e: Entry) => String(e.name || e.hostname || e.mac || e.ip || e.id);
    const rowsEl = list.length
      ? list.map((e) => {
          const delBtn: HTMLButtonElement = h('button', { type: 'button', class: 'small danger', 'data-test': 'delete', 'aria-label': `Delete ${opts.noun} ${label(e)}`, onclick: () => remove(e, delBtn) }, 'Delete');
          return h('tr', { 'data-test': 'entry-' + e.id },
            cols.map((c) => h('td', { 'data-label': titleOf(props[c], c) }, show(e[c] ?? (props[c].default as unknown)))),
            h('td', { class: 'actions' },
              h('button', { type: 'button', class: 'small secondary', 'data-test': 'edit', 'aria-label': `Edit ${opts.noun} ${label(e)}`, onclick: () => edit(e) }, 'Edit'),
              delBtn));
        })
      : [emptyRow(cols.length + 1, `No ${opts.noun}s yet.`)];
    const heading = opts.heading ?? titleOf(nodeAt(schema, path), path);
    fill(card,
      h('div', { class: 'card-head' }, h('h2', null, heading),
        h('button', { type: 'button', class: 'primary small', 'data-test': 'add', onclick: () => edit() }, `Add ${opts.noun}`)),
      msg.el,
      table([...cols.map((c) => titleOf(props[c], c)), 'Actions'], rowsEl, 'collection-' + path));
  };

  const changed = async (note: string) => {
    const n = (await refreshChanges()).length;
    await load();
    msg.set('ok', `${note} ${n} unsaved change${n === 1 ? '' : 's'}: apply from the red pill next to the title.`);
  };

  void load();
  return card;
}
