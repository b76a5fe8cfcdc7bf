/* What a page gets and gives. */
export interface PageCtx {
  /** Where the page renders. */
  root: HTMLElement;
  query: URLSearchParams;
  /** Called when the page is left (close sockets, stop timers). */
  onLeave(fn: () => void): void;
}

export interface PageDef {
  path: string;
  title: string;
  /** The menu's label when it differs from the title. */
  menu?: string;
  /** Menu group (the manual's menu); absent: not in the menu. */
  group?: string;
  /** Shown without a login (setup, login, confirm). */
  public?: boolean;
  render(ctx: PageCtx): void;
}
