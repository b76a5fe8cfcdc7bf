import { vi } from 'vitest';
import schemaJson from './fixtures/schema.json';
import type { PageDef } from '../page';
import type { SchemaNode } from '../schema';

export const schema = schemaJson as unknown as SchemaNode;

export interface Seen {
  method: string;
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

type Reply = [number, unknown?, Record<string, string>?];
export type Handler = (req: Seen) => Reply | Promise<Reply>;

/** Replaces fetch: routes are "METHOD /path" (path without /api/v1, query included). */
export function mockFetch(routes: Record<string, Handler | Reply>) {
  const seen: Seen[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method || 'GET';
    const path = url.replace(/^\/api\/v1/, '');
    const req: Seen = {
      method,
      url: path,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      headers: (init.headers || {}) as Record<string, string>,
    };
    seen.push(req);
    const r = routes[`${method} ${path}`];
    if (!r) return new Response(JSON.stringify({ error: { code: 'not_found', message: `${method} ${path}: no mock` } }), { status: 404 });
    const [status, body, headers] = typeof r === 'function' ? await r(req) : r;
    return new Response(body === undefined ? '' : JSON.stringify(body), { status, headers });
  });
  vi.stubGlobal('fetch', fn);
  return { fn, seen };
}

export const flush = () => new Promise((r) => setTimeout(r, 0));

export async function until(cond: () => unknown, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function type(input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Renders a page into a fresh element of the document; returns the element. */
export function renderPage(page: Pick<PageDef, 'render'>, query = ''): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  page.render({ root, query: new URLSearchParams(query), onLeave: () => {} });
  return root;
}
