/**
 * The Graph stand-in's directory: users, groups (with their direct members and owners) and service principals,
 * as kept in its data file. Seeds describe times relative to "now" (e.g. `lastSignInDaysAgo`) so a demo tenant
 * stays realistic whenever it is first loaded; the data file holds absolute times, as Graph answers them.
 */
import { z } from 'zod';
import { roleDefinition } from './role-definitions';

const id = z.guid();
const nullableString = z.string().nullable().default(null);

const signInActivity = z.object({
  lastSignInDateTime: z.string().nullable(),
  lastNonInteractiveSignInDateTime: z.string().nullable(),
  lastSuccessfulSignInDateTime: z.string().nullable(),
});

const userFields = {
  id,
  userPrincipalName: z.string().min(3),
  displayName: z.string().min(1),
  givenName: nullableString,
  surname: nullableString,
  mail: nullableString,
  jobTitle: nullableString,
  department: nullableString,
  officeLocation: nullableString,
  accountEnabled: z.boolean().default(true),
  managerId: id.nullable().default(null),
};

const groupFields = {
  id,
  displayName: z.string().min(1),
  description: nullableString,
  mailNickname: z.string().min(1),
  mail: nullableString,
  mailEnabled: z.boolean().default(false),
  securityEnabled: z.boolean().default(true),
  groupTypes: z.array(z.string()).default([]),
  isAssignableToRole: z.boolean().default(false),
  visibility: nullableString,
  members: z.array(id).default([]),
  owners: z.array(id).default([]),
};

const servicePrincipalFields = {
  id,
  appId: id,
  displayName: z.string().min(1),
  servicePrincipalType: z.string().default('Application'),
  accountEnabled: z.boolean().default(true),
};

const administrativeUnitFields = {
  id,
  displayName: z.string().min(1),
  description: nullableString,
  visibility: nullableString,
};

/** Who holds which directory role where: `/` (the tenant) or `/administrativeUnits/{id}`. */
const roleAssignmentFields = {
  principalId: id,
  roleDefinitionId: id,
  directoryScopeId: z.string().min(1).default('/'),
};

const created = { createdDateTime: z.string() };

export const tenantDataSchema = z.object({
  users: z.array(z.object({ ...userFields, ...created, signInActivity })),
  groups: z.array(z.object({ ...groupFields, ...created })),
  servicePrincipals: z.array(z.object({ ...servicePrincipalFields, ...created })),
  // Absent from data files saved before the stand-in knew roles.
  administrativeUnits: z.array(z.object(administrativeUnitFields)).default([]),
  roleAssignments: z.array(z.object({ id: z.string().min(1), ...roleAssignmentFields })).default([]),
});

const daysAgo = z.number().nonnegative();
export const tenantSeedSchema = z.object({
  users: z.array(
    z.object({
      ...userFields,
      createdDaysAgo: daysAgo.default(365),
      /** null: never signed in. */
      lastSignInDaysAgo: daysAgo.nullable().default(null),
      lastNonInteractiveSignInDaysAgo: daysAgo.nullable().default(null),
    }),
  ),
  groups: z.array(z.object({ ...groupFields, createdDaysAgo: daysAgo.default(365) })),
  servicePrincipals: z.array(z.object({ ...servicePrincipalFields, createdDaysAgo: daysAgo.default(365) })),
  administrativeUnits: z.array(z.object(administrativeUnitFields)).default([]),
  /** Ids are Graph's, derived from role, principal and scope (roleAssignmentId). */
  roleAssignments: z.array(z.object(roleAssignmentFields)).default([]),
});

export type TenantData = z.infer<typeof tenantDataSchema>;
export type TenantSeed = z.input<typeof tenantSeedSchema>;
export type TenantUser = TenantData['users'][number];
export type TenantGroup = TenantData['groups'][number];
export type TenantServicePrincipal = TenantData['servicePrincipals'][number];
export type TenantAdministrativeUnit = TenantData['administrativeUnits'][number];
export type TenantRoleAssignment = TenantData['roleAssignments'][number];

const DAY_MS = 24 * 3600_000;

/** Turns a seed's relative times into absolute ones, as of `now`. */
export function materializeSeed(seed: unknown, now: Date): TenantData {
  const s = tenantSeedSchema.parse(seed);
  const at = (days: number | null): string | null =>
    days === null ? null : new Date(now.getTime() - days * DAY_MS).toISOString();
  const data: TenantData = {
    users: s.users.map(({ createdDaysAgo, lastSignInDaysAgo, lastNonInteractiveSignInDaysAgo, ...u }) => ({
      ...u,
      createdDateTime: at(createdDaysAgo) ?? '',
      signInActivity: {
        lastSignInDateTime: at(lastSignInDaysAgo),
        lastNonInteractiveSignInDateTime: at(lastNonInteractiveSignInDaysAgo),
        // Interactive sign-ins include failed ones; the seed's are all successful.
        lastSuccessfulSignInDateTime: latest(at(lastSignInDaysAgo), at(lastNonInteractiveSignInDaysAgo)),
      },
    })),
    groups: s.groups.map(({ createdDaysAgo, ...g }) => ({ ...g, createdDateTime: at(createdDaysAgo) ?? '' })),
    servicePrincipals: s.servicePrincipals.map(({ createdDaysAgo, ...p }) => ({
      ...p,
      createdDateTime: at(createdDaysAgo) ?? '',
    })),
    administrativeUnits: s.administrativeUnits,
    roleAssignments: s.roleAssignments.map((a) => ({
      id: roleAssignmentId(a.roleDefinitionId, a.principalId, a.directoryScopeId),
      ...a,
    })),
  };
  checkReferences(data);
  return data;
}

export function parseTenantData(json: unknown): TenantData {
  const data = tenantDataSchema.parse(json);
  checkReferences(data);
  return data;
}

/**
 * Every manager, member, owner, role holder, role and scope must exist, so a typo in a seed fails at start, not in
 * a test.
 */
function checkReferences(data: TenantData): void {
  const ids = new Set<string>();
  for (const o of [...data.users, ...data.groups, ...data.servicePrincipals, ...data.administrativeUnits]) {
    const key = o.id.toLowerCase();
    if (ids.has(key)) throw new Error(`Tenant data: duplicate object id ${o.id}`);
    ids.add(key);
  }
  const missing = (ref: string, where: string): void => {
    if (!ids.has(ref.toLowerCase())) throw new Error(`Tenant data: ${where} refers to unknown object ${ref}`);
  };
  for (const u of data.users) if (u.managerId) missing(u.managerId, `manager of ${u.userPrincipalName}`);
  for (const g of data.groups) {
    for (const m of g.members) missing(m, `member of ${g.displayName}`);
    for (const o of g.owners) missing(o, `owner of ${g.displayName}`);
  }
  for (const a of data.roleAssignments) {
    missing(a.principalId, `role assignment ${a.id}`);
    if (!roleDefinition(a.roleDefinitionId)) {
      throw new Error(`Tenant data: role assignment ${a.id} has unknown role ${a.roleDefinitionId}`);
    }
    const unit = /^\/administrativeUnits\/(.+)$/.exec(a.directoryScopeId)?.[1];
    if (unit) missing(unit, `scope of role assignment ${a.id}`);
    else if (a.directoryScopeId !== '/') {
      throw new Error(`Tenant data: role assignment ${a.id} has unknown scope ${a.directoryScopeId}`);
    }
  }
}

/**
 * Graph's id for a directory role assignment: the role definition's and the principal's GUID bytes (in .NET's
 * byte order), base64url, then `-1`; below the tenant scope the scope object's GUID bytes follow. The same role,
 * principal and scope always give the same id, as in Graph.
 */
export function roleAssignmentId(
  roleDefinitionId: string,
  principalId: string,
  directoryScopeId: string,
): string {
  const scope = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(
    directoryScopeId,
  )?.[1];
  const guids = scope ? [roleDefinitionId, principalId, scope] : [roleDefinitionId, principalId];
  return `${Buffer.concat(guids.map(guidBytes)).toString('base64url')}-1`;
}

/** .NET's Guid.ToByteArray(): the first three fields little-endian, the rest as written. */
function guidBytes(guid: string): Buffer {
  const b = Buffer.from(guid.replace(/-/g, ''), 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
