/* Small shared pieces: banners, busy buttons, a copy button. */
import { errorText } from './api';
import { h, fill } from './dom';

export type Tone = 'error' | 'ok' | 'info';

/** A message area; set() shows or hides it. */
export function banner(test = 'banner') {
  const el = h('div', { class: 'banner', 'data-test': test, role: 'status', hidden: true });
  return {
    el,
    set(tone: Tone | null, text?: string) {
      el.hidden = !tone;
      el.className = 'banner ' + (tone || '');
      el.setAttribute('role', tone === 'error' ? 'alert' : 'status');
      fill(el, text || '');
    },
    error(e: unknown) {
      this.set('error', errorText(e));
    },
  };
}
export type Banner = ReturnType<typeof banner>;

/** Disables a button while the work runs. */
export async function busy<T>(btn: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

export function copyButton(text: string): HTMLButtonElement {
  const b = h('button', {
    type: 'button',
    class: 'secondary',
    'data-test': 'copy',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        b.textContent = 'Copied';
      } catch {
        b.textContent = 'Select the text and copy it';
      }
    },
  }, 'Copy');
  return b;
}

/** A table inside a scrolling wrapper (narrow screens). */
export function table(head: string[], rows: Node[], test?: string): HTMLElement {
  return h('div', { class: 'table-wrap' },
    h('table', { 'data-test': test },
      h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows)));
}

export function emptyRow(cols: number, text: string): HTMLTableRowElement {
  return h('tr', { class: 'empty' }, h('td', { colspan: String(cols) }, text));
}
