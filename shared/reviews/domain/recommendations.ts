/**
 * Recommendations from sign-in activity, as Entra's access reviews make them: a user who signed in within the
 * look-back (default 30 days) → Approve; one who didn't, or never did → Deny, with the last sign-in shown to the
 * reviewers as the evidence. Groups and service principals have no sign-ins here → NoInfoAvailable. Pure.
 */
import type { SignInActivity } from '../../directory/directory';
import { parseIsoDuration } from '../../iso-duration';

export type Recommendation = 'Approve' | 'Deny' | 'NoInfoAvailable';

export const DEFAULT_LOOK_BACK_MS = 30 * 86_400_000;

/** The look-back in milliseconds; a malformed or zero duration falls back to 30 days. */
export function lookBackMs(duration: string | null | undefined): number {
  const ms = duration ? parseIsoDuration(duration) : undefined;
  return ms && ms > 0 ? ms : DEFAULT_LOOK_BACK_MS;
}

/** The user's last interactive sign-in (the evidence reviewers see); null: never, or unknown. */
export function lastSignInOf(activity: SignInActivity | null | undefined): string | null {
  return activity?.lastSignInDateTime ?? null;
}

export function recommend(
  principalType: 'user' | 'group' | 'servicePrincipal',
  activity: SignInActivity | null | undefined,
  lookBack: number,
  now: Date,
): Recommendation {
  if (principalType !== 'user' || activity === undefined || activity === null) return 'NoInfoAvailable';
  const last = lastSignInOf(activity);
  if (!last) return 'Deny';
  return new Date(last).getTime() >= now.getTime() - lookBack ? 'Approve' : 'Deny';
}

/** For "inactive users only" scopes: no sign-in for `days` days (never signed in counts as inactive). */
export function isInactive(activity: SignInActivity | null | undefined, days: number, now: Date): boolean {
  const last = lastSignInOf(activity);
  return !last || new Date(last).getTime() < now.getTime() - days * 86_400_000;
}
