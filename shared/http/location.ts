/** The `Location` of a created item: `{collection URL}/{id}`, whatever query the POST carried. */
export function locationOf(collectionUrl: string, id: string): string {
  const u = new URL(collectionUrl);
  u.search = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL(encodeURIComponent(id), u).toString();
}
