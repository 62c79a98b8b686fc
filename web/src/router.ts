// A small history router: the console's pages are plain paths the API serves index.html for.
import type { ComponentChildren, JSX } from 'preact';
import { jsx } from 'preact/jsx-runtime';
import { store, useStore } from './store';

export const location = store(currentLocation());

function currentLocation(): { path: string; query: URLSearchParams } {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

window.addEventListener('popstate', () => location.set(currentLocation()));

export function navigate(to: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  location.set(currentLocation());
  window.scrollTo(0, 0);
}

export function useLocation() {
  return useStore(location);
}

/** Matches "/hazards/:id" against a path; the params, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.replace(/\/$/, '').split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function Link(props: { href: string; children: ComponentChildren; class?: string; 'data-testid'?: string }): JSX.Element {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return jsx('a', { ...props, onClick });
}
