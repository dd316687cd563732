/**
 * The app's Graph directory adapter against the stand-in (demo tenant): reads, idempotent membership changes
 * checked over the stand-in's HTTP API, bulk changes with mixed outcomes, errors, and the token reaching a
 * non-Microsoft host.
 */
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { GraphError } from '../../shared/directory/graph-error';
import {
  demoTenant,
  fastSleep,
  startGraphFixture,
  staticCredential,
  type GraphFixture,
} from './graph-fixture';

const DAY = 24 * 3600_000;
const t = demoTenant();
const GHOST = '0b7c9a4e-1111-4222-8333-444455556666';
let f: GraphFixture;
let directory: Directory;

beforeAll(async () => {
  f = await startGraphFixture();
  directory = f.directory();
});
afterAll(async () => {
  await f.close();
});

async function rejection(promise: Promise<unknown>): Promise<GraphError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphError);
  return err as GraphError;
}

describe('reads', () => {
  it('gets users by id or userPrincipalName, null when unknown, several at once', async () => {
    expect(await directory.getUser('liam.obrien@pimflow.example')).toEqual({
      id: t.user('liam.obrien'),
      userPrincipalName: 'liam.obrien@pimflow.example',
      displayName: "Liam O'Brien",
      mail: 'liam.obrien@pimflow.example',
      jobTitle: 'Helpdesk Technician',
      department: 'IT',
      accountEnabled: true,
    });
    expect(await directory.getUser(GHOST)).toBeNull();
    const ids = [
      t.user('ruby.walsh'),
      GHOST,
      ...Array.from({ length: 24 }, (_, i) => t.user(i % 2 ? 'mia.chen' : 'admin')),
    ];
    const users = await directory.getUsers(ids);
    expect(users[t.user('ruby.walsh')]).toMatchObject({ displayName: 'Ruby Walsh', accountEnabled: false });
    expect(users[GHOST]).toBeNull();
    expect(users[t.user('admin')]?.userPrincipalName).toBe('admin@pimflow.example');
  });

  it('gets the manager, or null when there is none; an unknown user is a GraphError 404', async () => {
    expect((await directory.getManager(t.user('liam.obrien')))?.displayName).toBe('Sofia Rossi');
    expect(await directory.getManager(t.user('olivia.carter'))).toBeNull();
    const err = await rejection(directory.getManager(GHOST));
    expect(err).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
  });

  it('reads sign-in activity, one user or many', async () => {
    const noah = await directory.getSignInActivity(t.user('noah.williams'));
    const age = (Date.now() - Date.parse(noah?.lastSignInDateTime ?? '')) / DAY;
    expect(age).toBeGreaterThan(60);
    expect(age).toBeLessThan(66);
    expect(await directory.getSignInActivity(t.user('grace.okafor'))).toEqual({
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null,
    });
    expect(await directory.getSignInActivity(GHOST)).toBeNull();
    const many = await directory.getSignInActivities([t.user('leo.fischer'), t.user('admin'), GHOST]);
    expect(many[t.user('leo.fischer')]?.lastSignInDateTime).toBeNull();
    expect(Date.now() - Date.parse(many[t.user('admin')]?.lastSignInDateTime ?? '')).toBeLessThan(DAY);
    expect(many[GHOST]).toBeNull();
  });

  it('gets groups and principals of any type', async () => {
    expect(await directory.getGroup(t.group('Helpdesk Admin-Group'))).toMatchObject({
      displayName: 'Helpdesk Admin-Group',
      isAssignableToRole: true,
      securityEnabled: true,
    });
    expect(await directory.getGroup(GHOST)).toBeNull();
    expect(await directory.getPrincipal(t.servicePrincipal('pimflow-automation'))).toEqual({
      id: t.servicePrincipal('pimflow-automation'),
      type: 'servicePrincipal',
      displayName: 'pimflow-automation',
    });
    expect((await directory.getPrincipal(t.group('SRE On-Call')))?.type).toBe('group');
  });

  it('lists members, owners and transitive members with their types', async () => {
    const cloudOps = t.group('Cloud Ops');
    expect(await directory.listGroupMembers(cloudOps)).toEqual([
      { id: t.user('marcus.johnson'), type: 'user', displayName: 'Marcus Johnson' },
      { id: t.user('ava.martinez'), type: 'user', displayName: 'Ava Martinez' },
      { id: t.group('SRE On-Call'), type: 'group', displayName: 'SRE On-Call' },
      {
        id: t.servicePrincipal('pimflow-automation'),
        type: 'servicePrincipal',
        displayName: 'pimflow-automation',
      },
    ]);
    expect((await directory.listGroupOwners(cloudOps)).map((o) => o.type)).toEqual([
      'user',
      'servicePrincipal',
    ]);
    const transitive = await directory.listTransitiveMembers(cloudOps);
    expect(transitive.map((m) => m.displayName).sort()).toEqual([
      'Ava Martinez',
      'Ethan Brown',
      'Marcus Johnson',
      'Mia Chen',
      'SRE On-Call',
      'pimflow-automation',
    ]);
    expect(await directory.isMember(cloudOps, t.user('ava.martinez'))).toBe(true);
    expect(await directory.isMember(cloudOps, t.user('mia.chen'))).toBe(false); // only transitively
    expect(await directory.isOwner(cloudOps, t.servicePrincipal('pimflow-automation'))).toBe(true);
  });
});

describe('membership changes', () => {
  it('adds and removes members idempotently, and the stand-in really changes', async () => {
    const group = t.group('Finance Approvers');
    const james = t.user('james.wilson');
    expect(await directory.addMember(group, james)).toBe('changed');
    expect(await f.ids(group, 'members')).toContain(james);
    expect(await directory.addMember(group, james)).toBe('unchanged');
    expect(await directory.isMember(group, james)).toBe(true);
    expect(await directory.removeMember(group, james)).toBe('changed');
    expect(await f.ids(group, 'members')).not.toContain(james);
    expect(await directory.removeMember(group, james)).toBe('unchanged');
    expect(await directory.isMember(group, james)).toBe(false);
  });

  it('adds and removes owners; removing the last owner surfaces Graph refusal as a GraphError', async () => {
    const group = t.group('Finance Approvers');
    const priya = t.user('priya.nair');
    const isabella = t.user('isabella.garcia');
    expect(await directory.addOwner(group, isabella)).toBe('changed');
    expect(await directory.addOwner(group, isabella)).toBe('unchanged');
    expect(await f.ids(group, 'owners')).toEqual([priya, isabella]);
    expect(await directory.removeOwner(group, isabella)).toBe('changed');
    expect(await directory.removeOwner(group, isabella)).toBe('unchanged');

    const err = await rejection(directory.removeOwner(group, priya));
    expect(err).toMatchObject({ status: 400, code: 'Request_BadRequest' });
    expect(err.graphMessage).toBe(
      'The group must have at least one owner, hence this owner cannot be removed.',
    );
    expect(await f.ids(group, 'owners')).toEqual([priya]);
  });

  it('bulk changes through $batch judge each principal on its own', async () => {
    const { sleep, waits } = fastSleep();
    const bulkDirectory = f.directory({ sleep });
    const group = t.group('Payroll Readers');
    const [harper, henry, james] = [t.user('harper.singh'), t.user('henry.taylor'), t.user('james.wilson')];
    const added = await bulkDirectory.addMembers(group, [harper, henry, GHOST, james]);
    expect(added.map((r) => [r.principalId, r.outcome])).toEqual([
      [harper, 'unchanged'],
      [henry, 'changed'],
      [GHOST, 'failed'],
      [james, 'changed'],
    ]);
    expect(added[2]?.error).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
    // The unknown principal was retried a few times as possible replication delay, then given up.
    expect(waits).toEqual([500, 1000, 2000, 4000]);
    expect(new Set(await f.ids(group, 'members'))).toEqual(
      new Set([harper, henry, james, t.user('charlotte.davies')]),
    );

    const removed = await bulkDirectory.removeMembers(group, [henry, james, t.user('admin')]);
    expect(removed.map((r) => r.outcome)).toEqual(['changed', 'changed', 'unchanged']);
    const owners = await bulkDirectory.removeOwners(group, [t.user('amelia.novak')]);
    expect(owners[0]).toMatchObject({
      outcome: 'failed',
      error: { status: 400, code: 'Request_BadRequest' },
    });
    expect(new Set(await f.ids(group, 'members'))).toEqual(new Set([harper, t.user('charlotte.davies')]));
  });
});

describe('authentication', () => {
  it('a wrong token surfaces as GraphError 401 InvalidAuthenticationToken', async () => {
    const wrong = f.directory({ credential: staticCredential('not-the-token') });
    const err = await rejection(wrong.getUser(t.user('admin')));
    expect(err).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
  });

  it('sends the token to a non-Microsoft host (customHosts), with the scope from the base URL', async () => {
    const origin = new URL(f.standIn.url).origin;
    // The Graph client as usually set up: no customHosts, so it withholds the token from this host.
    const plain = Client.initWithMiddleware({
      baseUrl: origin,
      authProvider: new TokenCredentialAuthenticationProvider(staticCredential(), {
        scopes: [`${origin}/.default`],
      }),
    });
    f.authorizations.length = 0;
    const err = (await plain
      .api('/users')
      .get()
      .catch((e: unknown) => e)) as { statusCode: number; code: string };
    expect(err).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    expect(f.authorizations).toEqual([undefined]);

    const scopes: string[] = [];
    const ours = f.directory({ credential: staticCredential(undefined, scopes) });
    f.authorizations.length = 0;
    expect((await ours.getUser('admin@pimflow.example'))?.displayName).toBe('Morgan Blake (Admin)');
    expect(f.authorizations).toEqual(['Bearer test-token']);
    expect(scopes).toEqual([`${origin}/.default`]);
  });
});
