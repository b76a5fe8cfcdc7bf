/* Accessible tabs (role=tablist, arrow keys move between tabs). */
import { h, uid } from './dom';

export interface Tab {
  id: string;
  title: string;
  render: (panel: HTMLElement) => void | Promise<void>;
}

export function tabs(list: Tab[], active: string, onSelect: (id: string) => void): HTMLElement {
  const base = uid('tab');
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel', id: base + '-panel', tabindex: '0' });
  const buttons = list.map((t) =>
    h('button', {
      type: 'button',
      role: 'tab',
      id: `${base}-${t.id}`,
      class: 'tab',
      'data-test': 'tab-' + t.id,
      'aria-controls': base + '-panel',
      onclick: () => select(t.id, true),
      onkeydown: (e: KeyboardEvent) => {
        const i = list.indexOf(t);
        const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : -2;
        if (j === -2) return;
        e.preventDefault();
        const n = list[(j + list.length) % list.length];
        select(n.id, true);
        buttons[list.indexOf(n)].focus();
      },
    }, t.title));
  const select = (id: string, user: boolean) => {
    const t = list.find((x) => x.id === id) || list[0];
    buttons.forEach((b, i) => {
      const on = list[i] === t;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `${base}-${t.id}`);
    panel.replaceChildren();
    void t.render(panel);
    if (user) onSelect(t.id);
  };
  const el = h('div', { class: 'tabs' }, h('div', { class: 'tablist', role: 'tablist' }, buttons), panel);
  select(active, false);
  return el;
}
