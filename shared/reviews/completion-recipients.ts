/** Who hears that a review instance completed, besides the admins: the series' additional recipients. */
import type { Directory } from '../directory/directory';
import type { ReviewDefinition } from './domain/review-definition';

const USER_QUERY = /^\/(?:v1\.0\/)?users\/([0-9a-fA-F-]{36})$/;

/** The series' additional recipients: `/users/{id}` scopes (their mail) or e-mail addresses. */
export async function additionalRecipients(
  directory: Directory,
  definition: ReviewDefinition,
): Promise<string[]> {
  const addresses: string[] = [];
  const ids: string[] = [];
  for (const r of definition.additionalNotificationRecipients) {
    const scope = r.notificationRecipientScope;
    if (scope.emailAddress) addresses.push(scope.emailAddress);
    const m = scope.query ? USER_QUERY.exec(scope.query) : null;
    if (m?.[1]) ids.push(m[1].toLowerCase());
  }
  if (ids.length > 0) {
    const users = await directory.getUsers(ids);
    for (const id of ids) {
      const u = users[id];
      const address = u?.mail ?? u?.userPrincipalName;
      if (address) addresses.push(address);
    }
  }
  return addresses;
}
