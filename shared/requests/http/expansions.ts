/**
 * What `$expand` adds to requests, schedules and instances, as Graph names it: `principal` (the directory object),
 * `roleDefinition` (Entra roles) or `group` (groups), `targetSchedule` (a request's schedule) and `activatedUsing`
 * (an activation's eligibility). Each is loaded once per page through the directory port or the store, deduped by id.
 */
import { forEachLimited } from '../../batching';
import type { Directory, DirectoryGroup, DirectoryUser } from '../../directory/directory';
import { lookupExpansion, type Expansion } from '../../http/odata-shape';
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { PimStore } from '../adapters/pim-store';
import { roleDefinitionView } from './role-views';

export interface ExpansionDeps {
  directory: Pick<Directory, 'getUsers' | 'getPrincipal' | 'getGroup' | 'getRoleDefinition'>;
  store: Pick<PimStore, 'findSchedule'>;
}

const ODATA_TYPES = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  servicePrincipal: '#microsoft.graph.servicePrincipal',
  other: '#microsoft.graph.directoryObject',
} as const;

export const PRINCIPAL_PROPERTIES = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'jobTitle',
  'department',
  'accountEnabled',
] as const;

function userObject(u: DirectoryUser): Record<string, unknown> {
  return {
    '@odata.type': ODATA_TYPES.user,
    id: u.id,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail,
    jobTitle: u.jobTitle,
    department: u.department,
    accountEnabled: u.accountEnabled,
  };
}

/** `principal`: users read in Graph `$batch`es (getUsers); what isn't a user as a directory object. */
export function principalExpansion<T extends { principalId: string }>(deps: ExpansionDeps): Expansion<T> {
  return {
    properties: PRINCIPAL_PROPERTIES,
    async load(items) {
      const ids = [...new Set(items.map((i) => i.principalId))];
      const users = await deps.directory.getUsers(ids);
      const found = new Map<string, Record<string, unknown>>();
      const others: string[] = [];
      for (const id of ids) {
        const u = users[id];
        if (u) found.set(id, userObject(u));
        else others.push(id);
      }
      await forEachLimited(others, 5, async (id) => {
        const p = await deps.directory.getPrincipal(id);
        if (p) found.set(id, { '@odata.type': ODATA_TYPES[p.type], id: p.id, displayName: p.displayName });
      });
      return (item) => found.get(item.principalId) ?? null;
    },
  };
}

const ROLE_DEFINITION_PROPERTIES = [
  'id',
  'templateId',
  'displayName',
  'description',
  'isBuiltIn',
  'isEnabled',
  'isPrivileged',
] as const;

/** `roleDefinition` of an Entra role's request, schedule or instance (the core's `accessId`). */
export function roleDefinitionExpansion<T extends { accessId: string }>(deps: ExpansionDeps): Expansion<T> {
  return lookupExpansion<T>({
    keyOf: (item) => item.accessId,
    lookup: async (id) => {
      const d = await deps.directory.getRoleDefinition(id);
      return d && roleDefinitionView(d);
    },
    properties: ROLE_DEFINITION_PROPERTIES,
  });
}

const GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'securityEnabled',
  'mailEnabled',
  'isAssignableToRole',
  'groupTypes',
] as const;

function groupObject(g: DirectoryGroup): Record<string, unknown> {
  return { '@odata.type': ODATA_TYPES.group, ...g };
}

/** `group` of a group's request, schedule or instance. */
export function groupExpansion<T extends { groupId: string }>(deps: ExpansionDeps): Expansion<T> {
  return lookupExpansion<T>({
    keyOf: (item) => item.groupId,
    lookup: async (id) => {
      const g = await deps.directory.getGroup(id);
      return g && groupObject(g);
    },
    properties: GROUP_PROPERTIES,
  });
}

/**
 * A schedule another item names, in `view`: `targetSchedule` (a request's schedule: the one it targets, or the one
 * it made, whose id is the request's) or `activatedUsing` (an activation's eligibility). Read in the item's
 * partition.
 */
export function scheduleExpansion<T extends { groupId: string }>(
  deps: ExpansionDeps,
  idOf: (item: T) => string | null,
  view: (s: Schedule) => Record<string, unknown>,
  properties: readonly string[],
): Expansion<T> {
  return lookupExpansion<T>({
    keyOf: (item) => {
      const id = idOf(item);
      // The partition rides along in the key, so one lookup reads one partition.
      return id === null ? null : `${item.groupId}\n${id}`;
    },
    lookup: async (key) => {
      const [groupId, id] = key.split('\n') as [string, string];
      const s = await deps.store.findSchedule(id, groupId);
      return s && view(s);
    },
    properties,
  });
}
