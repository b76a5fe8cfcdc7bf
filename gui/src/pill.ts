/*
 * The pending-changes pill: a red count next to the page title, hidden when
 * nothing is staged. Opens the "Unsaved changes" dialog: the change list,
 * Apply (with the confirm countdown) and Discard.
 */
import { del, get, post } from './api';
import { runConfirmed, refreshPage, type ApplyResult } from './apply';
import { changeList, type Change } from './changes';
import { openDialog } from './dialog';
import { h } from './dom';
import { loadSchema } from './schema';
import { banner, busy } from './ui';

let changes: Change[] = [];

export const pill = h('button', {
  type: 'button',
  class: 'pill',
  'data-test': 'pill',
  'aria-haspopup': 'dialog',
  hidden: true,
  onclick: () => openChanges(),
});

function render(): void {
  const n = changes.length;
  pill.hidden = n === 0;
  pill.textContent = String(n);
  const label = `${n} unsaved change${n === 1 ? '' : 's'}`;
  pill.setAttribute('aria-label', label);
  pill.title = label;
}

export function pendingChanges(): Change[] {
  return changes;
}

/** Reads the staged changes and updates the pill; call after every change. */
export async function refreshChanges(): Promise<Change[]> {
  try {
    const list = await get<Change[]>('/changes');
    changes = Array.isArray(list) ? list : [];
  } catch {
    // keep the last known list; the page shows its own error
  }
  render();
  return changes;
}

export function openChanges(): void {
  const msg = banner('changes-banner');
  const comment = h('input', { type: 'text', id: 'apply-comment', name: 'comment', maxlength: '200', autocomplete: 'off', placeholder: 'What and why (optional)' });
  const apply = h('button', { type: 'button', class: 'primary', 'data-test': 'apply' }, 'Apply');
  const discard = h('button', { type: 'button', class: 'danger', 'data-test': 'discard' }, 'Discard');
  const list = h('div', { class: 'changes-box' }, changeList(changes));
  const dlg = openDialog({
    title: 'Unsaved changes',
    test: 'changes-dialog',
    wide: true,
    body: [msg.el, list,
      h('div', { class: 'field' }, h('label', { for: 'apply-comment' }, 'Comment'), comment)],
    actions: [apply, discard],
  });
  // the list may be stale: show the current one, in words (titles, entries by name)
  void Promise.all([refreshChanges(), loadSchema().catch(() => undefined), get<unknown>('/config').catch(() => undefined)]).then(([c, schema, doc]) => {
    list.replaceChildren(changeList(c, 'change-list', { schema, doc }));
    apply.disabled = discard.disabled = c.length === 0;
  });
  apply.addEventListener('click', async () => {
    const staged = await refreshChanges();
    if (!staged.length) {
      msg.set('info', 'There is nothing to apply.');
      return;
    }
    const note = comment.value.trim();
    await runConfirmed(dlg, (extra) => post<ApplyResult>('/apply', { ...extra, ...(note ? { comment: note } : {}) }), staged);
    void refreshChanges();
  });
  discard.addEventListener('click', () =>
    busy(discard, async () => {
      try {
        await del('/changes');
        await refreshChanges();
        dlg.close();
        refreshPage();
      } catch (e) {
        msg.error(e);
      }
    }));
}
