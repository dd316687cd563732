/**
 * Who may do what with an access review: admins manage (stop, reset, reviewers, reminders) and, with auditors, read
 * everything; a reviewer reads the instance and the items they review, and decides those — nobody else decides, and
 * reviewing is a person's (an app-only caller is never a reviewer).
 */
import { APP_ROLES, type CallerPrincipal } from '../../auth/principal';

export function callerAccess(caller: Pick<CallerPrincipal, 'roles'>): {
  isAdmin: boolean;
  readsAll: boolean;
} {
  const isAdmin = caller.roles.includes(APP_ROLES.admin);
  return { isAdmin, readsAll: isAdmin || caller.roles.includes(APP_ROLES.auditor) };
}

/** The caller as the reviewer of a decision (ids in lower case, as items list their reviewers). */
export function reviewerOf(caller: Pick<CallerPrincipal, 'objectId' | 'displayName' | 'userPrincipalName'>) {
  return {
    id: caller.objectId.toLowerCase(),
    displayName: caller.displayName ?? null,
    userPrincipalName: caller.userPrincipalName ?? null,
  };
}
