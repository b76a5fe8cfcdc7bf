/* A change list ([{op, path, old, new}]) as rows: path, old -> new. */
import { h } from './dom';
import { value } from './format';

export interface Change {
  op: 'added' | 'removed' | 'modified' | string;
  path: string;
  old?: unknown;
  new?: unknown;
}

export function changeList(changes: Change[], test = 'change-list'): HTMLElement {
  if (!changes.length) return h('p', { class: 'muted', 'data-test': test }, 'No differences.');
  return h('ul', { class: 'changes', 'data-test': test },
    changes.map((c) => h('li', { class: 'change op-' + c.op, 'data-test': 'change', 'data-path': c.path },
      h('span', { class: 'op' }, c.op),
      h('code', { class: 'path' }, c.path),
      h('span', { class: 'diff' },
        c.op !== 'added' ? h('del', { class: 'old' }, value(c.old)) : null,
        c.op === 'modified' ? h('span', { class: 'arrow', 'aria-label': 'becomes' }, ' → ') : null,
        c.op !== 'removed' ? h('ins', { class: 'new' }, value(c.new)) : null))));
}
