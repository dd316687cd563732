/**
 * An `@odata.nextLink` (an absolute URL the API wrote, `…/api/auditLogs/directoryAudits?…`) as the path below /api
 * that `api.get` takes: the link's own origin may be the function app's, not the one the portal was loaded from.
 */
export function apiPathOf(link: string): string {
  const url = new URL(link, window.location.origin);
  const at = url.pathname.indexOf('/api/');
  return `${at >= 0 ? url.pathname.slice(at + 4) : url.pathname}${url.search}`;
}

/** An OData collection page as pimflow's lists answer it. */
export interface ODataPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
}
