/*
 * xterm.js writes its renderer's styles (cell sizes, colours) into <style>
 * elements, which the router's Content-Security-Policy (style-src 'self',
 * no inline styles) leaves unapplied. Their text is applied instead as
 * constructed style sheets (document.adoptedStyleSheets), which that
 * policy allows: the CSP stays strict and the terminal keeps its looks.
 */
export function mirrorStyles(root: HTMLElement): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const adopt = (list: CSSStyleSheet[]) => {
    document.adoptedStyleSheets = list;
  };
  const sync = () => {
    for (const el of Array.from(root.querySelectorAll('style'))) {
      let sheet = sheets.get(el);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheets.set(el, sheet);
        adopt([...document.adoptedStyleSheets, sheet]);
      }
      sheet.replaceSync(el.textContent || '');
    }
    for (const [el, sheet] of sheets) {
      if (el.isConnected) continue;
      sheets.delete(el);
      adopt(document.adoptedStyleSheets.filter((s) => s !== sheet));
    }
  };
  const observer = new MutationObserver(sync);
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  sync();
  return () => {
    observer.disconnect();
    const gone = new Set(sheets.values());
    adopt(document.adoptedStyleSheets.filter((s) => !gone.has(s)));
    sheets.clear();
  };
}
