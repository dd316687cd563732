/**
 * Hash routes (`#/approvals`): the function app serves one page, so routes live after the `#` and survive reloads,
 * bookmarks and the sign-in round trip without any server rewrite rules.
 */
import { useEffect, useState } from 'react';

export interface Route {
  /** Path segments after `#/`, e.g. ['admin', 'reviews', '<id>']. */
  segments: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?');
  return {
    segments: path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent),
    query: new URLSearchParams(query),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** `href` for a route: hrefFor('admin', 'reviews', id) → `#/admin/reviews/<id>`. */
export function hrefFor(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(...segments: string[]): void {
  window.location.hash = hrefFor(...segments);
}
