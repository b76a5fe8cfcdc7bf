/*
 * Accessible modal dialog on the native <dialog>: labelled by its title,
 * focus kept inside (Tab wraps), Escape closes unless the dialog is busy,
 * focus goes back to the opener.
 */
import { h, fill, uid, type Child } from './dom';

export interface Dialog {
  el: HTMLDialogElement;
  body: HTMLElement;
  actions: HTMLElement;
  setTitle(t: string): void;
  setBody(...c: Child[]): void;
  setActions(...c: Child[]): void;
  /** While locked, Escape and the close button do nothing (an apply is running). */
  lock(on: boolean): void;
  close(): void;
}

const open = new Set<Dialog>();

/** Closes the dialogs that are not busy (when the user goes to another page). */
export function closeDialogs(): void {
  for (const d of [...open]) d.close();
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function openDialog(opts: { title: string; body?: Child; actions?: Child[]; onClose?: () => void; test?: string; wide?: boolean }): Dialog {
  const opener = document.activeElement as HTMLElement | null;
  const titleId = uid('dlg-title');
  let locked = false;
  let closed = false;
  const title = h('h2', { id: titleId }, opts.title);
  const body = h('div', { class: 'dialog-body' }, opts.body);
  const actions = h('div', { class: 'dialog-actions' }, opts.actions);
  const closeBtn = h('button', { type: 'button', class: 'icon close', 'aria-label': 'Close', onclick: () => d.close() }, '×');
  const el = h('dialog', { class: opts.wide ? 'dialog wide' : 'dialog', 'aria-labelledby': titleId, 'data-test': opts.test },
    h('div', { class: 'dialog-head' }, title, closeBtn), body, actions);

  el.addEventListener('cancel', (e) => {
    e.preventDefault();
    d.close();
  });
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      d.close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => !x.closest('[hidden]'));
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });

  const d: Dialog = {
    el, body, actions,
    setTitle: (t) => (title.textContent = t),
    setBody: (...c) => fill(body, ...c),
    setActions: (...c) => fill(actions, ...c),
    lock(on) {
      locked = on;
      closeBtn.disabled = on;
    },
    close() {
      if (locked || closed) return;
      closed = true;
      open.delete(d);
      if (el.open && typeof el.close === 'function') el.close();
      el.remove();
      opts.onClose?.();
      if (opener && opener.isConnected) opener.focus();
    },
  };
  open.add(d);
  document.body.appendChild(el);
  if (typeof el.showModal === 'function') el.showModal();
  else el.setAttribute('open', '');
  const auto = el.querySelector<HTMLElement>('[autofocus]') || body.querySelector<HTMLElement>(FOCUSABLE) || actions.querySelector<HTMLElement>(FOCUSABLE);
  auto?.focus();
  return d;
}
