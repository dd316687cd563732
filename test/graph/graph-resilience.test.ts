/**
 * The adapter under load and faults, against a stand-in seeded with a large test tenant: paging past Graph's
 * page sizes, a throttling storm during a bulk add, 503s, and replication delay on a just-created user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../shared/directory/graph-error';
import {
  fastSleep,
  generatedId,
  largeTenantSeed,
  startGraphFixture,
  type GraphFixture,
} from './graph-fixture';

const BIG_GROUP = generatedId(900_001);
const STORM_GROUP = generatedId(900_002);
let f: GraphFixture;

beforeAll(async () => {
  f = await startGraphFixture({ seed: largeTenantSeed(1_200, 1_050) });
});
afterAll(async () => {
  await f.close();
});

describe('paging', () => {
  it('reads every member of a group larger than one page (Graph: 100 by default, 999 at most)', async () => {
    const first = await f.json<{ value: unknown[]; '@odata.nextLink'?: string }>(
      `/groups/${BIG_GROUP}/members`,
    );
    expect(first.value).toHaveLength(100);
    expect(first['@odata.nextLink']).toMatch(/\$skiptoken=/);

    const members = await f.directory().listGroupMembers(BIG_GROUP);
    expect(members).toHaveLength(1_050);
    expect(new Set(members.map((m) => m.id)).size).toBe(1_050);
    expect(members.every((m) => m.type === 'user')).toBe(true);
    expect(await f.directory().isMember(BIG_GROUP, generatedId(1_050))).toBe(true);
    expect(await f.directory().isMember(BIG_GROUP, generatedId(1_051))).toBe(false);
  });
});

describe('faults', () => {
  it('adds 60 members through a 429 storm (half of all requests throttled); every one ends up added', async () => {
    const { sleep, waits } = fastSleep();
    const directory = f.directory({ sleep, maxRetries: 40 });
    const ids = Array.from({ length: 60 }, (_, i) => generatedId(1_100 + i));
    f.setFaults({ throttleRate: 0.5 });
    try {
      const results = await directory.addMembers(STORM_GROUP, ids);
      expect(results.filter((r) => r.outcome === 'changed')).toHaveLength(60);
    } finally {
      f.setFaults({});
    }
    // Throttled sub-requests were retried after the stand-in's Retry-After (1 s).
    expect(waits.length).toBeGreaterThan(0);
    expect(new Set(waits)).toEqual(new Set([1000]));
    expect(new Set(await f.ids(STORM_GROUP, 'members'))).toEqual(new Set(ids));
  });

  it('retries 503s after Retry-After, and surfaces them as GraphError when they persist', async () => {
    const { sleep, waits } = fastSleep();
    const directory = f.directory({ sleep, maxRetries: 2 });
    f.setFaults({ unavailableRate: 1 });
    try {
      const err = await directory.getGroup(BIG_GROUP).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GraphError);
      expect(err).toMatchObject({ status: 503, code: 'serviceNotAvailable' });
      expect(waits).toEqual([1000, 1000]);

      f.setFaults({ unavailableRate: 0.5, writesOnly: true, retryAfterSeconds: 3 });
      const patient = f.directory({ sleep, maxRetries: 30 });
      expect(await patient.getGroup(BIG_GROUP)).toMatchObject({ displayName: 'Big Group' }); // reads pass
      expect(await patient.addMember(STORM_GROUP, generatedId(2))).toBe('changed');
      expect(await patient.removeMember(STORM_GROUP, generatedId(2))).toBe('changed');
      expect(waits.slice(2).every((w) => w === 3000)).toBe(true);
    } finally {
      f.setFaults({});
    }
    expect(await f.ids(STORM_GROUP, 'members')).not.toContain(generatedId(2));
  });

  it('retries adding a just-created user that Graph does not see yet', async () => {
    f.setFaults({ replicationDelayMs: 700 });
    try {
      const user = await f.json<{ id: string }>('/users', {
        method: 'POST',
        body: JSON.stringify({
          accountEnabled: true,
          displayName: 'Just Created',
          mailNickname: 'just.created',
          userPrincipalName: 'just.created@pimflow.example',
        }),
      });
      const waits: number[] = [];
      const directory = f.directory({
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((resolve) => setTimeout(resolve, ms));
        },
      });
      expect(await directory.addMember(STORM_GROUP, user.id)).toBe('changed');
      // Graph's 404 was retried with short waits until the user replicated.
      expect(waits.length).toBeGreaterThan(0);
      expect(waits).toEqual([500, 1000, 2000].slice(0, waits.length));
      expect(await f.ids(STORM_GROUP, 'members')).toContain(user.id);
    } finally {
      f.setFaults({});
    }
  });
});
