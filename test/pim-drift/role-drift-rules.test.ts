/**
 * Directory role drift without the app: the pure rules (shared/drift/domain/role-drift.ts) — scope by scope, keys
 * fit for document ids, the baseline only shrinking — and the drift check's list of resources under management
 * (managed groups, then managed roles, a page at a time).
 */
import { describe, expect, it } from 'vitest';
import { createDriftActivities, type DriftDeps } from '../../shared/drift/drift-check';
import type { KnownAssignment } from '../../shared/drift/domain/drift';
import { computeRoleDrift, prunedRoleBaseline, scopeKey } from '../../shared/drift/domain/role-drift';

const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const UNMANAGED = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const SALES = '/administrativeUnits/b608050e-11eb-4320-8961-f99001f51777';

describe('role drift rules (shared/drift/domain/role-drift.ts)', () => {
  const ROLE = USER_ADMIN;
  const p = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const FINANCE = '/administrativeUnits/70545E8B-B82F-4A7B-B81F-F29B6EA319F8';
  const now = new Date('2026-03-02T09:00:00Z');
  const schedule = (n: number, groupId: string, over: Partial<KnownAssignment> = {}) => ({
    id: p(100 + n),
    groupId,
    principalId: p(n),
    accessId: ROLE,
    status: 'Provisioned' as const,
    startDateTime: '2026-03-01T00:00:00.000Z',
    endDateTime: null,
    ...over,
  });

  it('compares scope by scope: a holder at one scope explains nothing at another', () => {
    const drift = computeRoleDrift({
      roleDefinitionId: ROLE,
      baseline: [{ principalId: p(1), directoryScopeId: '/' }],
      assignments: [
        schedule(2, FINANCE.toLowerCase()),
        schedule(3, '/'),
        schedule(4, '/', { accessId: GLOBAL_ADMIN }),
      ],
      grantsInFlight: [{ principalId: p(5), accessId: ROLE, groupId: SALES }],
      actual: [
        { principalId: p(1), directoryScopeId: '/' }, // baseline
        { principalId: p(1), directoryScopeId: FINANCE }, // baseline at / only: drift here
        { principalId: p(2), directoryScopeId: FINANCE }, // pimflow's (scope spelt in another case)
        { principalId: p(4), directoryScopeId: '/' }, // a schedule of another role explains nothing
        { principalId: p(5), directoryScopeId: SALES }, // being granted
      ],
      now,
    });
    expect(drift.map((d) => [d.kind, d.directoryScopeId, d.principalId])).toEqual([
      ['addedOutsidePim', FINANCE, p(1)],
      ['addedOutsidePim', '/', p(4)],
      ['missingAssignment', '/', p(3)],
    ]);
    expect(drift.map((d) => d.key)).toEqual([
      `addedOutsidePim:administrativeUnits.${FINANCE.slice(21).toLowerCase()}:${p(1)}`,
      `addedOutsidePim:tenant:${p(4)}`,
      `missingAssignment:tenant:${p(3)}`,
    ]);
    expect(drift.every((d) => d.accessId === ROLE && d.principalType === null)).toBe(true);
  });

  it('keys hold no slash (they end up in document ids) and the baseline only shrinks, per scope', () => {
    expect(scopeKey('/')).toBe('tenant');
    expect(scopeKey(SALES)).not.toContain('/');
    const baseline = [
      { principalId: p(1), directoryScopeId: '/' },
      { principalId: p(1), directoryScopeId: SALES },
    ];
    expect(
      prunedRoleBaseline(baseline, [{ principalId: p(1).toUpperCase(), directoryScopeId: '/' }]),
    ).toEqual([baseline[0]]);
  });

  it('lists managed groups, then managed roles as directoryRole:{id}, then reports of roles no longer managed', async () => {
    const groups = ['g1', 'g2', 'g3'];
    const roles = [ROLE, GLOBAL_ADMIN];
    const page = <T>(items: T[], size: number, token?: string) => {
      const from = Number(token ?? 0);
      const next = from + size < items.length ? String(from + size) : undefined;
      return { items: items.slice(from, from + size), ...(next ? { continuationToken: next } : {}) };
    };
    const activities = createDriftActivities({
      managedGroups: {
        listGroupIds: async (q: { pageSize: number; continuationToken?: string }) =>
          page(groups, q.pageSize, q.continuationToken),
      },
      managedRoles: {
        find: async (id: string) => (roles.includes(id) ? { roleDefinitionId: id } : undefined),
        listAll: async (q: { pageSize: number; continuationToken?: string }) =>
          page(
            roles.map((roleDefinitionId) => ({ roleDefinitionId })),
            q.pageSize,
            q.continuationToken,
          ),
      },
      // A role's report outlives its management until a check sweeps it.
      driftReports: {
        roleReportKeys: async () => [`directoryRole:${ROLE}`, `directoryRole:${UNMANAGED}`],
      },
    } as unknown as DriftDeps);
    const keys: string[][] = [];
    let continuationToken: string | null = null;
    do {
      const out = await activities.listGroups({ continuationToken, pageSize: 2 });
      keys.push(out.groupIds);
      continuationToken = out.continuationToken;
    } while (continuationToken);
    expect(keys).toEqual([
      ['g1', 'g2'],
      ['g3', `directoryRole:${ROLE}`],
      [`directoryRole:${GLOBAL_ADMIN}`, `directoryRole:${UNMANAGED}`],
    ]);
  });
});
