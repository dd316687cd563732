/** The pure drift rules (shared/drift/domain/drift.ts): what counts as a difference, and what may be removed. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryPrincipal } from '../../shared/directory/directory';
import {
  computeDrift,
  driftKey,
  plannedRemovals,
  prunedBaseline,
  type DriftInput,
  type KnownAssignment,
} from '../../shared/drift/domain/drift';

const NOW = new Date('2026-03-02T09:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const user = (n: number): DirectoryPrincipal => ({ id: id(n), type: 'user', displayName: `User ${n}` });
const assignment = (n: number, over: Partial<KnownAssignment> = {}): KnownAssignment => ({
  id: id(1000 + n),
  principalId: id(n),
  accessId: 'member',
  status: 'Provisioned',
  startDateTime: '2026-03-01T00:00:00.000Z',
  endDateTime: '2026-03-03T00:00:00.000Z',
  ...over,
});

function input(over: Partial<DriftInput>): DriftInput {
  return {
    baseline: { member: [], owner: [] },
    assignments: [],
    grantsInFlight: [],
    actual: { member: [], owner: [] },
    now: NOW,
    ...over,
  };
}

describe('computeDrift', () => {
  it('finds no drift where Graph matches the baseline and the active assignments', () => {
    const drift = computeDrift(
      input({
        baseline: { member: [id(1)], owner: [id(9)] },
        assignments: [assignment(2), assignment(3, { accessId: 'owner' })],
        actual: { member: [user(1), user(2)], owner: [user(9), user(3)] },
      }),
    );
    expect(drift).toEqual([]);
  });

  it('reports members and owners added outside pimflow, per role', () => {
    const drift = computeDrift(
      input({
        baseline: { member: [id(1)], owner: [id(9)] },
        // An owner assignment doesn't make the principal a known member, and vice versa.
        assignments: [assignment(2, { accessId: 'owner' })],
        actual: { member: [user(1), user(2)], owner: [user(9), user(4)] },
      }),
    );
    expect(drift.map((d) => [d.kind, d.accessId, d.principalId])).toEqual([
      ['addedOutsidePim', 'member', id(2)],
      ['addedOutsidePim', 'owner', id(4)],
      ['missingAssignment', 'owner', id(2)],
    ]);
    expect(drift[0]).toMatchObject({
      principalDisplayName: 'User 2',
      principalType: 'user',
      scheduleId: null,
    });
    expect(drift[0]?.key).toBe(`addedOutsidePim:member:${id(2)}`);
  });

  it('reports an active assignment Graph no longer reflects, with its schedule', () => {
    const drift = computeDrift(
      input({
        assignments: [assignment(5), assignment(6, { endDateTime: null, accessId: 'owner' })],
        actual: { member: [], owner: [user(9)] },
        baseline: { member: [], owner: [id(9)] },
      }),
    );
    expect(drift.map((d) => [d.kind, d.accessId, d.principalId, d.scheduleId])).toEqual([
      ['missingAssignment', 'member', id(5), id(1005)],
      ['missingAssignment', 'owner', id(6), id(1006)],
    ]);
  });

  it('is not fooled by grants and revokes under way', () => {
    const drift = computeDrift(
      input({
        assignments: [
          // Ended, revoke not recorded yet: still a member, and not missing either way.
          assignment(1, { endDateTime: '2026-03-02T08:00:00.000Z' }),
          assignment(2, { endDateTime: '2026-03-02T08:00:00.000Z' }),
          // Due to start, not yet granted.
          assignment(3, { status: 'Scheduled', startDateTime: '2026-03-02T08:59:00.000Z' }),
          // Starts later: not yet a member, and not missing.
          assignment(4, { status: 'Scheduled', startDateTime: '2026-03-05T00:00:00.000Z' }),
        ],
        grantsInFlight: [{ principalId: id(5), accessId: 'member' }],
        actual: { member: [user(1), user(3), user(5)], owner: [] },
      }),
    );
    expect(drift).toEqual([]);
  });

  it('counts a principal with a future assignment who is already a member as added outside pimflow', () => {
    const drift = computeDrift(
      input({
        assignments: [assignment(4, { status: 'Scheduled', startDateTime: '2026-03-05T00:00:00.000Z' })],
        actual: { member: [user(4)], owner: [] },
      }),
    );
    expect(drift.map((d) => d.kind)).toEqual(['addedOutsidePim']);
  });

  it('does not report baseline principals who are gone (the baseline only shrinks)', () => {
    const drift = computeDrift(
      input({ baseline: { member: [id(1), id(2)], owner: [] }, actual: { member: [user(1)], owner: [] } }),
    );
    expect(drift).toEqual([]);
    expect(prunedBaseline([user(1), user(2)], [user(1)])).toEqual([user(1)]);
  });

  it('counts only Provisioned assignments, and Scheduled ones due by now, as known', () => {
    const drift = computeDrift(
      input({
        assignments: [
          // Ended or failed schedules don't explain a membership.
          assignment(1, { status: 'Revoked', startDateTime: '2026-03-01T00:00:00.000Z' }),
          assignment(2, { status: 'Expired', startDateTime: '2026-03-01T00:00:00.000Z' }),
          assignment(3, { status: 'Failed', startDateTime: '2026-03-01T00:00:00.000Z' }),
          // Due this very instant: being granted.
          assignment(4, { status: 'Scheduled', startDateTime: NOW.toISOString() }),
          // Due a millisecond later: not yet.
          assignment(5, { status: 'Scheduled', startDateTime: new Date(NOW.getTime() + 1).toISOString() }),
        ],
        actual: { member: [user(1), user(2), user(3), user(4), user(5)], owner: [] },
      }),
    );
    expect(drift.map((d) => [d.kind, d.principalId])).toEqual([
      ['addedOutsidePim', id(1)],
      ['addedOutsidePim', id(2)],
      ['addedOutsidePim', id(3)],
      ['addedOutsidePim', id(5)],
    ]);
  });

  it('lets a grant under way explain only its own role', () => {
    const drift = computeDrift(
      input({
        grantsInFlight: [{ principalId: id(5), accessId: 'owner' }],
        actual: { member: [user(5)], owner: [user(5)] },
        baseline: { member: [], owner: [] },
      }),
    );
    expect(drift.map((d) => [d.kind, d.accessId, d.principalId])).toEqual([
      ['addedOutsidePim', 'member', id(5)],
    ]);
  });

  it('reports an assignment missing only while it is in force: Provisioned, started, not ended', () => {
    const drift = computeDrift(
      input({
        assignments: [
          assignment(1, { startDateTime: NOW.toISOString() }), // started this instant: in force
          assignment(2, { endDateTime: NOW.toISOString() }), // ended this instant: not in force
          assignment(3, { startDateTime: new Date(NOW.getTime() + 1).toISOString() }), // not yet
          assignment(4, { status: 'Scheduled', startDateTime: '2026-03-01T00:00:00.000Z' }), // not granted yet
          assignment(5, { endDateTime: new Date(NOW.getTime() + 1).toISOString() }), // in force for 1 ms more
          assignment(6, { status: 'Revoked' }),
        ],
        actual: { member: [], owner: [] },
      }),
    );
    expect(drift.map((d) => [d.kind, d.principalId, d.scheduleId])).toEqual([
      ['missingAssignment', id(1), id(1001)],
      ['missingAssignment', id(5), id(1005)],
    ]);
  });

  it('orders the differences by kind, role and principal id, whatever the input order', () => {
    const drift = computeDrift(
      input({
        assignments: [assignment(9), assignment(8)],
        actual: { member: [user(3), user(2)], owner: [user(7), user(6)] },
      }),
    );
    expect(drift.map((d) => d.key)).toEqual([
      `addedOutsidePim:member:${id(2)}`,
      `addedOutsidePim:member:${id(3)}`,
      `addedOutsidePim:owner:${id(6)}`,
      `addedOutsidePim:owner:${id(7)}`,
      `missingAssignment:member:${id(8)}`,
      `missingAssignment:member:${id(9)}`,
    ]);
  });

  it('names principals by their lower-case id in differences and keys', () => {
    const upper = 'A1B2C3D4-0000-4000-8000-00000000ABCD';
    const drift = computeDrift(
      input({
        assignments: [assignment(1, { principalId: 'B1B2C3D4-0000-4000-8000-00000000ABCD' })],
        actual: { member: [{ ...user(2), id: upper }], owner: [] },
      }),
    );
    expect(drift.map((d) => [d.key, d.principalId])).toEqual([
      [`addedOutsidePim:member:${upper.toLowerCase()}`, upper.toLowerCase()],
      [
        'missingAssignment:member:b1b2c3d4-0000-4000-8000-00000000abcd',
        'b1b2c3d4-0000-4000-8000-00000000abcd',
      ],
    ]);
    expect(driftKey('missingAssignment', 'owner', 'ABC')).toBe('missingAssignment:owner:abc');
  });

  it('compares ids case-insensitively', () => {
    const drift = computeDrift(
      input({
        baseline: { member: [id(1).toUpperCase()], owner: [] },
        actual: { member: [{ ...user(1), id: id(1) }], owner: [] },
      }),
    );
    expect(drift).toEqual([]);
  });
});

describe('plannedRemovals', () => {
  // Computed in each test, not while the file is collected (the mutation run tells tests apart by what they call).
  const difference = () =>
    computeDrift(
      input({
        assignments: [assignment(7)],
        actual: { member: [user(1)], owner: [user(2), user(3)] },
      }),
    );
  let drift: ReturnType<typeof computeDrift>;
  beforeEach(() => {
    drift = difference();
  });

  it('removes every outside member and outside owner while another owner remains', () => {
    const plan = plannedRemovals(drift, 3);
    expect(plan.remove.map((d) => d.principalId)).toEqual([id(1), id(2), id(3)]);
    expect(plan.keptAsLastOwner).toEqual([]);
  });

  it('never removes the last owner', () => {
    const plan = plannedRemovals(drift, 2);
    expect(plan.remove.map((d) => d.principalId)).toEqual([id(1), id(2)]);
    expect(plan.keptAsLastOwner.map((d) => d.principalId)).toEqual([id(3)]);
    expect(plannedRemovals(drift, 1).remove.map((d) => d.principalId)).toEqual([id(1)]);
  });

  it('never removes a missing assignment (there is nothing to remove)', () => {
    expect(plannedRemovals(drift, 3).remove.some((d) => d.kind === 'missingAssignment')).toBe(false);
  });
});
