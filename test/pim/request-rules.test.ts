/**
 * The request rules (shared/requests/domain/request-rules.ts) as pure functions, at their boundaries: the window a
 * scheduleInfo resolves to, what an activation needs (length, eligibility, justification, ticket, authentication
 * context, MFA — with the claims challenge a client signs in again with), and what an admin assignment needs.
 * Fast, so the mutation run (`npm run mutate`) can use them; the HTTP behaviour is in member-activation and step-up.
 */
import { describe, expect, it } from 'vitest';
import type { CallerPrincipal } from '../../shared/auth/principal';
import {
  checkActivation,
  checkAdminAssignment,
  checkAssignmentLength,
  maximumDurationOf,
  resolveWindow,
  type ActivationInput,
  type AssignmentInput,
  type RuleFailure,
  type Window,
} from '../../shared/requests/domain/request-rules';
import { defaultRoleSettings, type RoleSettings } from '../../shared/policies/domain/role-settings';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(NOW.getTime() + ms);

const caller = (over: Partial<CallerPrincipal> = {}): CallerPrincipal => ({
  kind: 'user',
  objectId: 'c781603a-5b4b-40c2-ab94-17a11192cd60',
  tenantId: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  roles: [],
  authenticationMethods: ['pwd', 'mfa'],
  authenticationContexts: [],
  ...over,
});

type SettingsChange = {
  activation?: Partial<RoleSettings['activation']>;
  eligibleAssignment?: Partial<RoleSettings['eligibleAssignment']>;
  activeAssignment?: Partial<RoleSettings['activeAssignment']>;
};
function settings(over: SettingsChange = {}): RoleSettings {
  const s = defaultRoleSettings('e3d4b516-8621-440b-a7a2-58d0c8c710af', 'member');
  return {
    ...s,
    activation: { ...s.activation, ...over.activation },
    eligibleAssignment: { ...s.eligibleAssignment, ...over.eligibleAssignment },
    activeAssignment: { ...s.activeAssignment, ...over.activeAssignment },
  };
}

function activation(over: Partial<ActivationInput> = {}): ActivationInput {
  return {
    window: { start: NOW, end: at(HOUR) },
    justification: 'Ticket queue is on fire',
    ticketNumber: null,
    caller: caller(),
    settings: settings(),
    eligibilityEnd: null,
    ...over,
  };
}

function claimsOf(failure: RuleFailure | undefined): unknown {
  expect(failure?.kind).toBe('stepUp');
  const claims = failure?.kind === 'stepUp' ? failure.claims : '';
  return JSON.parse(Buffer.from(claims, 'base64').toString('utf8'));
}

const invalid = (detail: RegExp) => ({ kind: 'invalid', detail: expect.stringMatching(detail) as string });

describe('resolveWindow', () => {
  it('starts now without a start, or at the given start', () => {
    expect(resolveWindow({ expiration: { type: 'noExpiration' } }, NOW)).toEqual({ start: NOW, end: null });
    const start = at(30 * MIN).toISOString();
    expect(
      resolveWindow({ startDateTime: start, expiration: { type: 'afterDuration', duration: 'PT2H' } }, NOW),
    ).toEqual({ start: new Date(start), end: at(150 * MIN) });
  });

  it('takes a start up to 5 minutes in the past as now (Graph examples, clock skew), not more', () => {
    const skewed = at(-5 * MIN).toISOString();
    expect(resolveWindow({ startDateTime: skewed, expiration: { type: 'noExpiration' } }, NOW)).toEqual({
      start: NOW,
      end: null,
    });
    // The duration counts from now, not from the past start.
    expect(
      resolveWindow({ startDateTime: skewed, expiration: { type: 'afterDuration', duration: 'PT1H' } }, NOW),
    ).toEqual({ start: NOW, end: at(HOUR) });
    const past = new Date(NOW.getTime() - 5 * MIN - 1).toISOString();
    expect(resolveWindow({ startDateTime: past, expiration: { type: 'noExpiration' } }, NOW)).toEqual(
      invalid(/^scheduleInfo.startDateTime is more than 5 minutes in the past; leave it out to start now$/),
    );
  });

  it('ends at endDateTime, which must be after the start', () => {
    const end = at(HOUR).toISOString();
    expect(resolveWindow({ expiration: { type: 'afterDateTime', endDateTime: end } }, NOW)).toEqual({
      start: NOW,
      end: new Date(end),
    });
    expect(
      resolveWindow({ expiration: { type: 'afterDateTime', endDateTime: at(1).toISOString() } }, NOW),
    ).toEqual({ start: NOW, end: at(1) });
    expect(
      resolveWindow({ expiration: { type: 'afterDateTime', endDateTime: NOW.toISOString() } }, NOW),
    ).toEqual(invalid(/^scheduleInfo.expiration.endDateTime must be after the start$/));
    expect(resolveWindow({ expiration: { type: 'afterDateTime' } }, NOW)).toEqual(
      invalid(/^scheduleInfo.expiration.endDateTime is required for type afterDateTime$/),
    );
  });

  it('ends a positive ISO 8601 duration after the start', () => {
    expect(resolveWindow({ expiration: { type: 'afterDuration', duration: 'PT1S' } }, NOW)).toEqual({
      start: NOW,
      end: at(1000),
    });
    const bad = invalid(
      /^scheduleInfo.expiration.duration must be a positive ISO 8601 duration \(e.g. PT2H\) of at most P36500D \(100 years\); got /,
    );
    for (const duration of ['PT0S', 'P', 'two hours', undefined]) {
      expect(
        resolveWindow({ expiration: { type: 'afterDuration', duration } }, NOW),
        String(duration),
      ).toEqual(bad);
    }
  });

  it('refuses an unknown expiration type', () => {
    expect(resolveWindow({ expiration: { type: 'whenever' } } as never, NOW)).toEqual(
      invalid(/^scheduleInfo.expiration.type must be afterDateTime, afterDuration or noExpiration$/),
    );
  });
});

describe('checkActivation', () => {
  it('passes a request that meets every rule', () => {
    expect(checkActivation(activation())).toBeUndefined();
  });

  it('refuses a permanent activation', () => {
    expect(checkActivation(activation({ window: { start: NOW, end: null } }))).toEqual(
      invalid(/^An activation must end: give scheduleInfo.expiration as afterDuration or afterDateTime$/),
    );
  });

  it("allows exactly the role's maximum, not a millisecond more", () => {
    const s = settings({ activation: { maximumDuration: 'PT4H' } });
    expect(checkActivation(activation({ settings: s, window: { start: NOW, end: at(4 * HOUR) } }))).toBe(
      undefined,
    );
    expect(checkActivation(activation({ settings: s, window: { start: NOW, end: at(5 * HOUR) } }))).toEqual(
      invalid(/^The activation may last at most PT4H for this role; asked for 300 minutes$/),
    );
    expect(
      checkActivation(activation({ settings: s, window: { start: NOW, end: at(4 * HOUR + 1) } })),
    ).toEqual(invalid(/at most PT4H/));
    // The length is measured from the start, not from now.
    const later: Window = { start: at(2 * HOUR), end: at(6 * HOUR) };
    expect(checkActivation(activation({ settings: s, window: later }))).toBeUndefined();
  });

  it('takes 8 hours when the maximum is unreadable', () => {
    const s = settings({ activation: { maximumDuration: 'whenever' } });
    expect(checkActivation(activation({ settings: s, window: { start: NOW, end: at(8 * HOUR) } }))).toBe(
      undefined,
    );
    expect(
      checkActivation(activation({ settings: s, window: { start: NOW, end: at(8 * HOUR + 1) } })),
    ).toEqual(invalid(/at most whenever/));
  });

  it('must end by the end of the eligibility', () => {
    const window = { start: NOW, end: at(2 * HOUR) };
    expect(checkActivation(activation({ window, eligibilityEnd: at(2 * HOUR) }))).toBeUndefined();
    expect(checkActivation(activation({ window, eligibilityEnd: at(2 * HOUR - 1) }))).toEqual(
      invalid(
        new RegExp(
          `^The activation must end by ${at(2 * HOUR - 1).toISOString()}, when the eligibility ends$`,
        ),
      ),
    );
  });

  it('needs a justification (not blank) when the role says so', () => {
    for (const justification of [null, '', '   ']) {
      expect(checkActivation(activation({ justification })), String(justification)).toEqual(
        invalid(/^This role requires a justification to activate$/),
      );
    }
    expect(
      checkActivation(
        activation({
          justification: null,
          settings: settings({ activation: { requireJustification: false } }),
        }),
      ),
    ).toBeUndefined();
  });

  it('needs a ticket number (not blank) when the role says so', () => {
    const s = settings({ activation: { requireTicket: true } });
    for (const ticketNumber of [null, '', '  ']) {
      expect(checkActivation(activation({ settings: s, ticketNumber })), String(ticketNumber)).toEqual(
        invalid(/^This role requires ticket information \(ticketInfo.ticketNumber\) to activate$/),
      );
    }
    expect(checkActivation(activation({ settings: s, ticketNumber: 'INC-1' }))).toBeUndefined();
    expect(checkActivation(activation({ ticketNumber: null }))).toBeUndefined();
  });

  it('needs the authentication context itself, with a claims challenge naming it', () => {
    const s = settings({ activation: { authenticationContext: 'c7' } });
    for (const acrs of [[], ['c1'], ['c70'], ['C7']]) {
      const failure = checkActivation(
        activation({ settings: s, caller: caller({ authenticationContexts: acrs }) }),
      );
      expect(failure).toMatchObject({
        kind: 'stepUp',
        detail: 'This role requires the authentication context c7',
      });
      expect(claimsOf(failure), acrs.join()).toEqual({
        access_token: { acrs: { essential: true, value: 'c7' } },
      });
    }
    expect(
      checkActivation(activation({ settings: s, caller: caller({ authenticationContexts: ['c1', 'c7'] }) })),
    ).toBeUndefined();
    // Without a context in the settings, none is needed.
    expect(checkActivation(activation({ caller: caller({ authenticationContexts: [] }) }))).toBeUndefined();
  });

  it('needs mfa in the token when the role requires MFA, with a claims challenge for mfa', () => {
    const s = settings({ activation: { requireMfa: true } });
    for (const amr of [[], ['pwd'], ['pwd', 'rsa'], ['MFA']]) {
      const failure = checkActivation(
        activation({ settings: s, caller: caller({ authenticationMethods: amr }) }),
      );
      expect(failure).toMatchObject({
        kind: 'stepUp',
        detail: 'This role requires multi-factor authentication to activate',
      });
      expect(claimsOf(failure), amr.join()).toEqual({
        access_token: { amr: { essential: true, values: ['mfa'] } },
      });
    }
    expect(
      checkActivation(activation({ settings: s, caller: caller({ authenticationMethods: ['pwd', 'mfa'] }) })),
    ).toBeUndefined();
    expect(
      checkActivation(activation({ caller: caller({ authenticationMethods: ['pwd'] }) })),
    ).toBeUndefined();
  });

  it('asks for the authentication context before MFA when both are missing', () => {
    const s = settings({ activation: { requireMfa: true, authenticationContext: 'c2' } });
    const failure = checkActivation(
      activation({
        settings: s,
        caller: caller({ authenticationMethods: ['pwd'], authenticationContexts: [] }),
      }),
    );
    expect(claimsOf(failure)).toEqual({ access_token: { acrs: { essential: true, value: 'c2' } } });
  });
});

describe('checkAdminAssignment and checkAssignmentLength', () => {
  const assignment = (over: Partial<AssignmentInput> = {}): AssignmentInput => ({
    kind: 'assignment',
    window: { start: NOW, end: at(24 * HOUR) },
    justification: 'Rota',
    caller: caller({ authenticationMethods: ['pwd'] }),
    settings: settings(),
    ...over,
  });

  it('allows permanent assignments only where the role allows them', () => {
    const permanent = { start: NOW, end: null };
    expect(checkAdminAssignment(assignment({ window: permanent }))).toBeUndefined();
    expect(checkAdminAssignment(assignment({ kind: 'eligibility', window: permanent }))).toBeUndefined();
    const s = settings({
      activeAssignment: { allowPermanent: false },
      eligibleAssignment: { allowPermanent: false },
    });
    expect(checkAdminAssignment(assignment({ window: permanent, settings: s }))).toEqual(
      invalid(/^Permanent active assignments are not allowed for this role; give an end$/),
    );
    expect(checkAdminAssignment(assignment({ kind: 'eligibility', window: permanent, settings: s }))).toEqual(
      invalid(/^Permanent eligible assignments are not allowed for this role; give an end$/),
    );
  });

  it("bounds an assignment by its kind's maximum where an end is required, to the millisecond", () => {
    const s = settings({
      activeAssignment: { maximumDuration: 'P1D', allowPermanent: false },
      eligibleAssignment: { maximumDuration: 'P2D', allowPermanent: false },
    });
    const day = 24 * HOUR;
    expect(
      checkAssignmentLength({ kind: 'assignment', settings: s, window: { start: NOW, end: at(day) } }),
    ).toBe(undefined);
    expect(
      checkAssignmentLength({ kind: 'assignment', settings: s, window: { start: NOW, end: at(day + 1) } }),
    ).toEqual(invalid(/^This role's active assignments may last at most P1D$/));
    expect(
      checkAssignmentLength({ kind: 'eligibility', settings: s, window: { start: NOW, end: at(2 * day) } }),
    ).toBeUndefined();
    expect(
      checkAssignmentLength({
        kind: 'eligibility',
        settings: s,
        window: { start: NOW, end: at(2 * day + 1) },
      }),
    ).toEqual(invalid(/^This role's eligible assignments may last at most P2D$/));
    // Measured from the start.
    expect(
      checkAssignmentLength({
        kind: 'assignment',
        settings: s,
        window: { start: at(day), end: at(2 * day) },
      }),
    ).toBeUndefined();
    // Where permanent is allowed, any end is (Graph: the maximum applies when expiration is required).
    const permanentAllowed = settings({
      eligibleAssignment: { maximumDuration: 'P2D', allowPermanent: true },
    });
    expect(
      checkAssignmentLength({
        kind: 'eligibility',
        settings: permanentAllowed,
        window: { start: NOW, end: at(730 * day) },
      }),
    ).toBeUndefined();
    // An unreadable maximum bounds nothing.
    const unbounded = settings({ activeAssignment: { maximumDuration: '', allowPermanent: false } });
    expect(
      checkAssignmentLength({
        kind: 'assignment',
        settings: unbounded,
        window: { start: NOW, end: at(999 * day) },
      }),
    ).toBeUndefined();
  });

  it('checks the length first, then the justification and MFA of active assignments only', () => {
    const s = settings({
      activeAssignment: {
        maximumDuration: 'PT1H',
        allowPermanent: false,
        requireMfa: true,
        requireJustification: true,
      },
    });
    expect(checkAdminAssignment(assignment({ settings: s, justification: null }))).toEqual(
      invalid(/may last at most PT1H/),
    );
    const hour = { start: NOW, end: at(HOUR) };
    for (const justification of [null, ' ']) {
      expect(checkAdminAssignment(assignment({ settings: s, window: hour, justification }))).toEqual(
        invalid(/^Active assignments of this role require a justification$/),
      );
    }
    const failure = checkAdminAssignment(assignment({ settings: s, window: hour }));
    expect(failure).toMatchObject({
      kind: 'stepUp',
      detail: 'Active assignments of this role require multi-factor authentication',
    });
    expect(claimsOf(failure)).toEqual({ access_token: { amr: { essential: true, values: ['mfa'] } } });
    expect(
      checkAdminAssignment(
        assignment({ settings: s, window: hour, caller: caller({ authenticationMethods: ['mfa'] }) }),
      ),
    ).toBeUndefined();
    // Eligibility: neither a justification nor MFA from these rules.
    expect(
      checkAdminAssignment(
        assignment({ kind: 'eligibility', settings: s, window: hour, justification: null }),
      ),
    ).toBeUndefined();
    // Rules off: nothing needed.
    const off = settings({ activeAssignment: { requireJustification: false, requireMfa: false } });
    expect(checkAdminAssignment(assignment({ settings: off, justification: null }))).toBeUndefined();
  });
});

describe('maximumDurationOf', () => {
  it("reads each kind's maximum from the settings", () => {
    const s = settings({
      activation: { maximumDuration: 'PT3H' },
      eligibleAssignment: { maximumDuration: 'P30D' },
      activeAssignment: { maximumDuration: 'P7D' },
    });
    expect(maximumDurationOf(s, 'activation')).toBe('PT3H');
    expect(maximumDurationOf(s, 'eligibility')).toBe('P30D');
    expect(maximumDurationOf(s, 'assignment')).toBe('P7D');
  });
});
