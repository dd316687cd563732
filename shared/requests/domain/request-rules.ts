/**
 * What a schedule request must satisfy, as pure functions of the request, the caller, the role settings and the
 * clock: PIM's rules for self-activation (duration, justification, ticket, MFA, authentication context, within the
 * eligibility) and for admin assignments (permanent where allowed, else bounded). Each failure says why.
 */
import type { CallerPrincipal } from '../../auth/principal';
import { MAX_ISO_DURATION, parseIsoDuration } from '../../iso-duration';
import type { RoleSettings } from '../../policies/domain/role-settings';
import type { ScheduleInfo } from './schedule-request';
import type { RequestKind } from './request-body';

export type RuleFailure =
  | { kind: 'invalid'; detail: string }
  /** The token lacks MFA or an authentication context: the caller must sign in again (401 + claims challenge). */
  | { kind: 'stepUp'; detail: string; claims: string };

export interface Window {
  start: Date;
  /** null: permanent. */
  end: Date | null;
}

const MINUTE = 60_000;

/**
 * How far in the past a start may be and still mean "now": Graph's own examples send a start that is already past
 * by the time they run (and clocks differ a little). Further back is refused: nothing is backdated.
 */
export const PAST_START_TOLERANCE_MINUTES = 5;

/** Resolves Graph's scheduleInfo (start now or later; end by date, by duration, or never) into a window. */
export function resolveWindow(info: ScheduleInfo, now: Date): Window | RuleFailure {
  const given = info.startDateTime ? new Date(info.startDateTime) : now;
  if (given.getTime() < now.getTime() - PAST_START_TOLERANCE_MINUTES * MINUTE)
    return invalid(
      `scheduleInfo.startDateTime is more than ${PAST_START_TOLERANCE_MINUTES} minutes in the past; leave it out to start now`,
    );
  const start = given < now ? now : given;
  const e = info.expiration;
  switch (e.type) {
    case 'noExpiration':
      return { start, end: null };
    case 'afterDateTime': {
      if (!e.endDateTime)
        return invalid('scheduleInfo.expiration.endDateTime is required for type afterDateTime');
      const end = new Date(e.endDateTime);
      if (end <= start) return invalid('scheduleInfo.expiration.endDateTime must be after the start');
      return { start, end };
    }
    case 'afterDuration': {
      const ms = e.duration ? parseIsoDuration(e.duration) : undefined;
      if (ms === undefined || ms <= 0)
        return invalid(
          `scheduleInfo.expiration.duration must be a positive ISO 8601 duration (e.g. PT2H) of at most ${MAX_ISO_DURATION} (100 years); got ${JSON.stringify(e.duration ?? null).slice(0, 40)}`,
        );
      return { start, end: new Date(start.getTime() + ms) };
    }
    default:
      return invalid('scheduleInfo.expiration.type must be afterDateTime, afterDuration or noExpiration');
  }
}

export interface ActivationInput {
  window: Window;
  justification: string | null;
  ticketNumber: string | null;
  caller: CallerPrincipal;
  settings: RoleSettings;
  /** The eligibility the activation comes from: it must cover the whole window. */
  eligibilityEnd: Date | null;
}

export function checkActivation(a: ActivationInput): RuleFailure | undefined {
  const s = a.settings.activation;
  if (a.window.end === null)
    return invalid('An activation must end: give scheduleInfo.expiration as afterDuration or afterDateTime');
  const max = parseIsoDuration(s.maximumDuration) ?? 8 * 60 * MINUTE;
  const length = a.window.end.getTime() - a.window.start.getTime();
  if (length > max)
    return invalid(
      `The activation may last at most ${s.maximumDuration} for this role; asked for ${Math.round(length / MINUTE)} minutes`,
    );
  if (a.eligibilityEnd && a.window.end > a.eligibilityEnd) {
    return invalid(`The activation must end by ${a.eligibilityEnd.toISOString()}, when the eligibility ends`);
  }
  if (s.requireJustification && !a.justification?.trim())
    return invalid('This role requires a justification to activate');
  if (s.requireTicket && !a.ticketNumber?.trim())
    return invalid('This role requires ticket information (ticketInfo.ticketNumber) to activate');
  if (s.authenticationContext && !a.caller.authenticationContexts.includes(s.authenticationContext)) {
    return stepUp(
      `This role requires the authentication context ${s.authenticationContext}`,
      s.authenticationContext,
    );
  }
  if (s.requireMfa && !a.caller.authenticationMethods.includes('mfa')) {
    return {
      kind: 'stepUp',
      detail: 'This role requires multi-factor authentication to activate',
      claims: claimsChallenge(null),
    };
  }
  return undefined;
}

export interface AssignmentInput {
  kind: RequestKind;
  window: Window;
  justification: string | null;
  caller: CallerPrincipal;
  settings: RoleSettings;
}

export function checkAdminAssignment(a: AssignmentInput): RuleFailure | undefined {
  const length = checkAssignmentLength(a);
  if (length) return length;
  if (a.kind === 'assignment') {
    const active = a.settings.activeAssignment;
    if (active.requireJustification && !a.justification?.trim())
      return invalid('Active assignments of this role require a justification');
    if (active.requireMfa && !a.caller.authenticationMethods.includes('mfa')) {
      return {
        kind: 'stepUp',
        detail: 'Active assignments of this role require multi-factor authentication',
        claims: claimsChallenge(null),
      };
    }
  }
  return undefined;
}

/**
 * An assignment's window against the role: permanent only where allowed; where it isn't (the expiration rule's
 * `isExpirationRequired`), at most the maximum. Where permanent is allowed any end is, as in Graph (its own example
 * makes a two-year eligibility under the default rule, whose `maximumDuration` is P365D).
 */
export function checkAssignmentLength(
  a: Pick<AssignmentInput, 'kind' | 'window' | 'settings'>,
): RuleFailure | undefined {
  const rules = a.kind === 'eligibility' ? a.settings.eligibleAssignment : a.settings.activeAssignment;
  if (a.window.end === null) {
    if (!rules.allowPermanent)
      return invalid(
        `Permanent ${a.kind === 'eligibility' ? 'eligible' : 'active'} assignments are not allowed for this role; give an end`,
      );
  } else if (!rules.allowPermanent) {
    const max = parseIsoDuration(rules.maximumDuration);
    if (max !== undefined && a.window.end.getTime() - a.window.start.getTime() > max) {
      return invalid(
        `This role's ${a.kind === 'eligibility' ? 'eligible' : 'active'} assignments may last at most ${rules.maximumDuration}`,
      );
    }
  }
  return undefined;
}

/** The maximum length of a kind of schedule, as the role's settings say (activations default to 8 hours). */
export function maximumDurationOf(
  settings: RoleSettings,
  what: 'activation' | 'assignment' | 'eligibility',
): string {
  return what === 'activation'
    ? settings.activation.maximumDuration
    : what === 'eligibility'
      ? settings.eligibleAssignment.maximumDuration
      : settings.activeAssignment.maximumDuration;
}

function invalid(detail: string): RuleFailure {
  return { kind: 'invalid', detail };
}

function stepUp(detail: string, context: string): RuleFailure {
  return { kind: 'stepUp', detail, claims: claimsChallenge(context) };
}

/** The claims challenge Entra ID clients understand (base64 of `{"access_token":{"acrs":{...}}}`). */
function claimsChallenge(context: string | null): string {
  const claims = context
    ? { access_token: { acrs: { essential: true, value: context } } }
    : { access_token: { amr: { essential: true, values: ['mfa'] } } };
  return Buffer.from(JSON.stringify(claims)).toString('base64');
}
