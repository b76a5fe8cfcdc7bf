/*
 * A settings card generated from one schema object ("lan", "dns", ...):
 * loads the staged value, renders the form, stages the changed fields on
 * Save and updates the pending-changes pill.
 */
import { configUrl, get } from './api';
import { h, fill, type Child } from './dom';
import { buildForm, planSave, runSteps, type FormOptions, type SchemaForm } from './form';
import { refreshChanges } from './pill';
import { loadSchema, nodeAt, titleOf } from './schema';
import { banner, busy } from './ui';

export interface SectionOptions extends FormOptions {
  /** A heading for the card (default: none, the page title says it). */
  heading?: boolean | string;
  /** Buttons next to Save (made again with the form after each save). */
  actions?: () => Child[];
  /** Suffix of the card's data-test hooks (default: the path). */
  test?: string;
  /** Adjusts the form once built (a select in place of a field, a warning). */
  enhance?: (form: SchemaForm) => void;
}

export function sectionForm(path: string, opts: SectionOptions = {}): HTMLElement {
  const card = h('section', { class: 'card', 'data-test': 'section-' + (opts.test || path) }, h('p', { class: 'muted' }, 'Loading…'));

  const load = async (note?: string) => {
    const msg = banner();
    let schema, value: unknown;
    try {
      [schema, value] = await Promise.all([loadSchema(), get(configUrl(path))]);
    } catch (e) {
      fill(card, msg.el);
      msg.error(e);
      return;
    }
    const form = buildForm(schema, path, value, opts);
    opts.enhance?.(form);
    const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, 'Save');
    const heading = typeof opts.heading === 'string' ? opts.heading : opts.heading ? titleOf(nodeAt(schema, path), path) : '';
    const el = h('form', { class: 'form', novalidate: true, 'data-test': 'form-' + (opts.test || path) }, msg.el, form.el, h('div', { class: 'form-actions' }, save, opts.actions?.()));
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      msg.set(null);
      if (!form.validate()) {
        msg.set('error', 'Some fields need attention.');
        return;
      }
      const leaves = form.leaves();
      if (!leaves.length) {
        msg.set('info', 'Nothing to save: no field was changed.');
        return;
      }
      void busy(save, async () => {
        try {
          await runSteps(planSave(path, value, leaves));
        } catch (err) {
          const rest = form.showErrors(err);
          msg.set('error', rest.length ? rest.map((r) => r.message).join('\n') : 'Some fields need attention.');
          await refreshChanges();
          return;
        }
        const n = (await refreshChanges()).length;
        await load(`Saved. ${n} unsaved change${n === 1 ? '' : 's'}: apply ${n === 1 ? 'it' : 'them'} from the red pill next to the title.`);
      });
    });
    fill(card, heading ? h('h2', null, heading) : null, el);
    if (note) msg.set('ok', note);
  };
  void load();
  return card;
}
