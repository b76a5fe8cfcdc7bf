/*
 * The frame around the pages once logged in: top bar (menu button on
 * phones, log out), the menu in the manual's order, the title row with the
 * pending-changes pill.
 */
import { h, fill } from './dom';
import type { PageDef } from './page';
import { pill } from './pill';

/** The manual's menu; groups without working pages are left out. */
export const GROUPS = ['Dashboards', 'Network Settings', 'Firewall', 'Services', 'VPN', 'Administration', 'PBX'];

export interface Shell {
  el: HTMLElement;
  content: HTMLElement;
  show(page: PageDef): void;
}

export function shell(pages: PageDef[], onLogout: () => void): Shell {
  const links = new Map<string, HTMLAnchorElement>();
  const nav = h('nav', { id: 'nav', class: 'nav', 'aria-label': 'Main menu' },
    GROUPS.map((g) => {
      const items = pages.filter((p) => p.group === g);
      if (!items.length) return null;
      const gid = 'nav-' + g.replace(/\W+/g, '-').toLowerCase();
      return h('div', { class: 'nav-group' },
        h('h2', { id: gid }, g),
        h('ul', { 'aria-labelledby': gid }, items.map((p) => {
          const a = h('a', { href: '#' + p.path, 'data-test': 'nav-' + p.path.slice(1), onclick: () => toggle(false) }, p.menu || p.title);
          links.set(p.path, a);
          return h('li', null, a);
        })));
    }));
  const menuBtn = h('button', { type: 'button', class: 'menu-toggle', 'aria-controls': 'nav', 'aria-expanded': 'false', onclick: () => toggle() }, h('span', { class: 'burger', 'aria-hidden': 'true' }), 'Menu');
  const toggle = (open = menuBtn.getAttribute('aria-expanded') !== 'true') => {
    menuBtn.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  };
  const title = h('h1', { 'data-test': 'page-title' });
  const content = h('div', { class: 'page' });
  const main = h('main', { id: 'main', tabindex: '-1' }, h('div', { class: 'title-row' }, title, pill), content);
  const el = h('div', { class: 'app' },
    h('button', { type: 'button', class: 'skip', onclick: () => main.focus() }, 'Skip to content'),
    h('header', { class: 'topbar' }, menuBtn, h('span', { class: 'brand' }, 'difos'), h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'secondary small', 'data-test': 'logout', onclick: onLogout }, 'Log out')),
    h('div', { class: 'frame' }, nav, main));
  nav.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && nav.classList.contains('open')) {
      toggle(false);
      menuBtn.focus();
    }
  });
  return {
    el,
    content,
    show(page) {
      // a new page closes the phone's menu, however it came (a link, Back)
      toggle(false);
      fill(title, page.title);
      document.title = `${page.title} · difos`;
      for (const [p, a] of links) {
        if (p === page.path) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
  };
}

/** The frame of the pages shown before login. */
export function publicFrame(): { el: HTMLElement; content: HTMLElement } {
  const content = h('div', { class: 'card narrow' });
  return { el: h('main', { id: 'main', class: 'public' }, h('p', { class: 'brand big' }, 'difos'), content), content };
}
