/*
 * A tiny DOM helper: h(tag, attrs, ...children).
 * Attributes starting with "on" are event listeners; boolean and value-like
 * properties are set as properties; everything else as attributes.
 * Never sets a style attribute (the CSP forbids inline styles).
 */
export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = Record<string, unknown> | null | undefined;

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'readOnly', 'type', 'id', 'name', 'htmlFor', 'tabIndex']);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      } else if (k === 'class') {
        el.className = String(v);
      } else if (k === 'for') {
        el.setAttribute('for', String(v));
      } else if (PROPS.has(k)) {
        (el as unknown as Record<string, unknown>)[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let seq = 0;
/** A document-unique id with a readable prefix. */
export function uid(prefix: string): string {
  return `${prefix}-${++seq}`;
}

/** Turns a config path into a safe id fragment: lan.dhcp.start -> lan-dhcp-start. */
export function pathId(path: string): string {
  return path.replace(/[^A-Za-z0-9_-]+/g, '-');
}
