/**
 * The ARM stand-in's tenant: management groups, subscriptions, resource groups, resources, role definitions and
 * role assignments. Kept in memory and saved whole to its data file after changes, as the Graph stand-in keeps its
 * directory (temporary file, fsync, rename; grouped saves): a request that changed something is answered once the
 * change is on disk (`durably`).
 */
import { z } from 'zod';
import { readJsonIfExists, writeFileDurably } from '../durable-file';
import { DurableState } from '../durable-state';

const OWNER = 'ARM stand-in';
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

const permission = z.object({
  actions: z.array(z.string()),
  notActions: z.array(z.string()),
  dataActions: z.array(z.string()),
  notDataActions: z.array(z.string()),
});

const assignmentFields = {
  /** Where it is made, in ARM's canonical spelling (see ArmScopes.resolve). */
  scope: z.string(),
  /** The role definition's GUID. */
  roleDefinitionId: guid,
  principalId: guid,
  principalType: z.enum(['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device']),
  description: z.string().nullable().default(null),
  condition: z.string().nullable().default(null),
  conditionVersion: z.string().nullable().default(null),
};

export const armTenantSchema = z.object({
  tenantId: guid,
  managementGroups: z.array(
    z.object({ name: z.string(), displayName: z.string(), parent: z.string().nullable() }),
  ),
  subscriptions: z.array(
    z.object({
      subscriptionId: guid,
      displayName: z.string(),
      state: z.string().default('Enabled'),
      managementGroup: z.string(),
    }),
  ),
  resourceGroups: z.array(z.object({ subscriptionId: guid, name: z.string(), location: z.string() })),
  resources: z.array(
    z.object({
      subscriptionId: guid,
      resourceGroup: z.string(),
      /** `Microsoft.KeyVault/vaults`. */
      type: z.string(),
      name: z.string(),
      location: z.string(),
      kind: z.string().optional(),
    }),
  ),
  roleDefinitions: z.array(
    z.object({
      name: guid,
      roleName: z.string(),
      description: z.string(),
      roleType: z.enum(['BuiltInRole', 'CustomRole']).default('BuiltInRole'),
      permissions: z.array(permission),
    }),
  ),
  roleAssignments: z.array(
    z.object({
      ...assignmentFields,
      /** Seeds may leave the GUID name out: it is derived from scope, role and principal. */
      name: guid.optional(),
      createdOn: z.string().optional(),
      updatedOn: z.string().optional(),
      createdBy: z.string().nullable().optional(),
      updatedBy: z.string().nullable().optional(),
    }),
  ),
});

/** The data file: the tenant with every assignment's fields filled in. */
const armStateSchema = armTenantSchema.extend({
  roleAssignments: z.array(
    z.object({
      ...assignmentFields,
      name: guid,
      createdOn: z.string(),
      updatedOn: z.string(),
      createdBy: z.string().nullable(),
      updatedBy: z.string().nullable(),
    }),
  ),
});

export type ArmTenantData = z.infer<typeof armTenantSchema>;
export type ArmRoleDefinition = ArmTenantData['roleDefinitions'][number];
export type ArmManagementGroup = ArmTenantData['managementGroups'][number];
export type ArmSubscription = ArmTenantData['subscriptions'][number];
export type ArmResourceGroup = ArmTenantData['resourceGroups'][number];
export type ArmResource = ArmTenantData['resources'][number];

/** A stored role assignment: every field filled in. */
export interface ArmRoleAssignment {
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal' | 'ForeignGroup' | 'Device';
  description: string | null;
  condition: string | null;
  conditionVersion: string | null;
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface ArmState extends Omit<ArmTenantData, 'roleAssignments'> {
  roleAssignments: ArmRoleAssignment[];
}

function materialize(raw: unknown, now: Date, nameFor: (a: { scope: string }) => string): ArmState {
  const data = armTenantSchema.parse(raw);
  const at = now.toISOString();
  return {
    ...data,
    roleAssignments: data.roleAssignments.map((a) => ({
      ...a,
      name: a.name ?? nameFor(a),
      createdOn: a.createdOn ?? at,
      updatedOn: a.updatedOn ?? at,
      createdBy: a.createdBy ?? null,
      updatedBy: a.updatedBy ?? null,
    })),
  };
}

export class ArmTenantStore extends DurableState<ArmState> {
  /** Loads `dataFile`, or (when it doesn't exist yet) the seed as of `now`, saved at once. */
  static open(
    dataFile: string,
    seedFile: string,
    now: Date,
    seedName: (a: { scope: string; roleDefinitionId: string; principalId: string }) => string,
  ): ArmTenantStore {
    const saved = readJsonIfExists(dataFile, OWNER);
    if (saved !== undefined) {
      const parsed = armStateSchema.safeParse(saved);
      if (!parsed.success) throw new Error(`${OWNER}: ${dataFile} is not its state: ${parsed.error.message}`);
      return new ArmTenantStore(parsed.data, dataFile);
    }
    const seed = readJsonIfExists(seedFile, OWNER);
    if (seed === undefined) throw new Error(`${OWNER}: cannot read ${seedFile}: no such file`);
    const store = new ArmTenantStore(
      materialize(seed, now, (a) => seedName(a as Parameters<typeof seedName>[0])),
      dataFile,
    );
    writeFileDurably(dataFile, JSON.stringify(store.data, null, 1));
    return store;
  }
}
