/** pimflow's lists as OData collections: one page, and every page through `@odata.nextLink`. */
import { API_BASE, type Api } from './client';

/** A collection page as the API answers it. */
export interface ODataPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

/**
 * An `@odata.nextLink` (an absolute URL the API wrote) as the path below /api that the API client takes: the link's
 * origin may be the function app's own, not the one the portal was loaded from.
 */
export function apiPathOf(link: string): string {
  const url = new URL(link, window.location.origin);
  const path = url.pathname.startsWith(`${API_BASE}/`) ? url.pathname.slice(API_BASE.length) : url.pathname;
  return `${path}${url.search}`;
}

/** Every page of a collection, following `@odata.nextLink` (capped, so a runaway list can't hang the page). */
export async function listAll<T>(api: Api, path: string, maxPages = 50): Promise<T[]> {
  const all: T[] = [];
  let next: string | undefined = path;
  for (let page = 0; next && page < maxPages; page++) {
    const body: ODataPage<T> = await api.get<ODataPage<T>>(next);
    all.push(...body.value);
    const link = body['@odata.nextLink'];
    next = link ? apiPathOf(link) : undefined;
  }
  return all;
}
