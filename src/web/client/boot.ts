// Loaded first by every page of the browser UI: installs window.portwatch over HTTP (the same createApi the
// app's preload uses) and adds the bar that links the pages, since a browser has no tray menu.
import { createApi } from '../../preload/api.ts';
import { browserTransport, LOGIN_PAGE } from './transport.ts';
import './web.css';

window.portwatch = createApi(browserTransport(), 'web');

const pages: [string, string][] = [
  ['/status.html', 'Status'],
  ['/settings.html', 'Settings'],
  ['/history.html', 'History'],
];

function addNavigation(): void {
  const nav = document.createElement('nav');
  nav.className = 'web-nav';
  nav.setAttribute('aria-label', 'Portwatch pages');
  const brand = document.createElement('strong');
  brand.textContent = 'Portwatch';
  nav.append(brand);
  for (const [href, label] of pages) {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = label;
    if (location.pathname === href) link.setAttribute('aria-current', 'page');
    nav.append(link);
  }
  const signOut = document.createElement('button');
  signOut.type = 'button';
  signOut.className = 'btn small';
  signOut.textContent = 'Sign out';
  signOut.addEventListener('click', () => {
    void fetch('/logout', { method: 'POST', credentials: 'same-origin' }).finally(() =>
      location.assign(LOGIN_PAGE),
    );
  });
  nav.append(signOut);
  document.body.prepend(nav);
}

addNavigation();
