/**
 * The `claims` request parameter (OpenID Connect §5.5) as Conditional Access uses it: the API's 401 challenges
 * with `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}` (or `amr` … `mfa`), MSAL passes it on, and the
 * sign-in must then satisfy it. Only what the stand-in can satisfy is read: MFA and authentication contexts.
 */
import { TokenRequestError } from './token-request-error';

export interface ClaimsDemand {
  mfa: boolean;
  acrs: string[];
}

export const NO_DEMAND: ClaimsDemand = { mfa: false, acrs: [] };

export function parseClaimsRequest(raw: string | null): ClaimsDemand {
  if (!raw) return NO_DEMAND;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new TokenRequestError(
      "AADSTS90014: The request body must contain the following parameter: 'claims' as valid JSON.",
    );
  }
  const demand: ClaimsDemand = { mfa: false, acrs: [] };
  const record = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  // Entra ID reads both `access_token` and `id_token` claims requests.
  for (const target of [record(value).access_token, record(value).id_token]) {
    const amr = record(record(target).amr);
    if (wanted(amr).includes('mfa')) demand.mfa = true;
    for (const acr of wanted(record(record(target).acrs))) {
      if (!demand.acrs.includes(acr)) demand.acrs.push(acr);
    }
  }
  return demand;
}

/** What the session lacks to satisfy a demand (empty when it is met). */
export function unmet(demand: ClaimsDemand, amr: string[], acrs: string[]): ClaimsDemand {
  return { mfa: demand.mfa && !amr.includes('mfa'), acrs: demand.acrs.filter((a) => !acrs.includes(a)) };
}

/** Entra ID's words for a sign-in that must step up (AADSTS50076), with `interaction_required`. */
export function stepUpMessage(missing: ClaimsDemand, resource: string): string {
  return missing.mfa
    ? `AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`
    : `AADSTS50076: Access to '${resource}' requires the authentication context ${missing.acrs.join(', ')}, which this sign-in has not satisfied. Sign in interactively.`;
}

export function isMet(demand: ClaimsDemand): boolean {
  return !demand.mfa && demand.acrs.length === 0;
}

function wanted(claim: Record<string, unknown>): string[] {
  const values = [claim.value, ...(Array.isArray(claim.values) ? (claim.values as unknown[]) : [])];
  return values.filter((v): v is string => typeof v === 'string');
}
