import type { DirectoryUser } from './directory';

/** Where to mail a user: their mail, else their UPN; none for a missing or disabled account. */
export function mailAddressOf(user: DirectoryUser | null | undefined): string | undefined {
  if (!user || !user.accountEnabled) return undefined;
  return user.mail ?? user.userPrincipalName ?? undefined;
}
