/**
 * The AzureRbac port over Azure Resource Manager: role definitions and assignments with
 * `@azure/arm-authorization`, scopes (display names, management group ancestors) with `@azure/arm-resources`,
 * `@azure/arm-resources-subscriptions` and `@azure/arm-managementgroups`, all against `endpoint` (ARM_ENDPOINT)
 * with tokens for `audience` (ARM_AUDIENCE). The SDKs' pipelines retry throttling (429 with Retry-After) and
 * 5xx; this adapter adds idempotence (deterministic assignment names, 409 RoleAssignmentExists = done) and waits
 * out Entra ID's replication (`PrincipalNotFound` for a principal just created).
 */
import { AuthorizationManagementClient, type RoleAssignment } from '@azure/arm-authorization';
import { ManagementGroupsAPI } from '@azure/arm-managementgroups';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { TokenCredential } from '@azure/core-auth';
import { azureScopeKind, normalizeAzureScope } from '../access/resource';
import { guidFrom } from '../deterministic-id';
import {
  AzureRbacError,
  type AssignmentChange,
  type AzurePrincipalType,
  type AzureRbac,
  type AzureRoleAssignment,
  type AzureRoleDefinition,
  type AzureScope,
} from './azure-rbac';

export interface ArmRbacOptions {
  /** ARM_ENDPOINT, e.g. `https://management.azure.com`. */
  endpoint: string;
  /** ARM_AUDIENCE, e.g. `https://management.azure.com/`; tokens are asked for `${audience}.default`. */
  audience: string;
  credential: TokenCredential;
  /** How long a `PrincipalNotFound` is retried before it is an error (default 30 s). */
  principalNotFoundRetryMs?: number;
  /** The first wait after a `PrincipalNotFound`, doubled each time up to 8 s (default 1 s). */
  principalNotFoundFirstDelayMs?: number;
  /** Retries of 429 and 5xx by the SDKs' pipelines (default 6; each 429 waits its Retry-After). */
  maxRetries?: number;
}

const UNUSED_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const MG_PREFIX = '/providers/Microsoft.Management/managementGroups/';
const MG_TYPE = 'Microsoft.Management/managementGroups';
const ROLE_DEFINITIONS = '/providers/Microsoft.Authorization/roleDefinitions/';

/** The name pimflow gives the assignment of a role to a principal at a scope: the same on every retry. */
export function roleAssignmentName(scope: string, roleDefinitionId: string, principalId: string): string {
  return guidFrom(
    'pimflow-azure-role-assignment',
    normalizeAzureScope(scope),
    roleDefinitionId.toLowerCase(),
    principalId.toLowerCase(),
  );
}

/** A role definition's full id as ARM expects it in an assignment at `scope`. */
export function roleDefinitionResourceId(scope: string, roleDefinitionId: string): string {
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
  return `${subscription ? `/subscriptions/${subscription}` : ''}${ROLE_DEFINITIONS}${roleDefinitionId.toLowerCase()}`;
}

export function createArmRbac(o: ArmRbacOptions): AzureRbac {
  const endpoint = o.endpoint.replace(/\/+$/, '');
  const scopes = [`${o.audience.endsWith('/') ? o.audience : `${o.audience}/`}.default`];
  const retryOptions = { maxRetries: o.maxRetries ?? 6 };
  // Every call made here names its scope; the client's subscription id (for subscription-level lists) is unused.
  const authorization = new AuthorizationManagementClient(o.credential, UNUSED_SUBSCRIPTION, {
    endpoint,
    credentialScopes: scopes,
    retryOptions,
  });
  const managementGroups = new ManagementGroupsAPI(o.credential, {
    endpoint,
    credentialScopes: scopes,
    retryOptions,
  });
  const subscriptions = new SubscriptionClient(o.credential, {
    endpoint,
    credentials: { scopes },
    retryOptions,
  });
  const resourceClients = new Map<string, ResourceManagementClient>();
  const resources = (subscriptionId: string) => {
    let client = resourceClients.get(subscriptionId.toLowerCase());
    if (!client) {
      client = new ResourceManagementClient(o.credential, subscriptionId, {
        endpoint,
        credentials: { scopes },
        retryOptions,
      });
      resourceClients.set(subscriptionId.toLowerCase(), client);
    }
    return client;
  };
  // A resource type's api-version (ARM needs one per type for a generic read), from its provider, kept.
  const apiVersions = new Map<string, string>();
  const principalRetryMs = o.principalNotFoundRetryMs ?? 30_000;
  const firstDelayMs = o.principalNotFoundFirstDelayMs ?? 1000;

  /** Where `scope` sits under the management groups: its entity's parents, nearest first, as ids. */
  const managementGroupAncestors = async (name: string, type: string): Promise<string[] | null> => {
    for await (const entity of managementGroups.entities.list()) {
      if (entity.name?.toLowerCase() !== name.toLowerCase()) continue;
      if ((entity.type ?? '').toLowerCase() !== type.toLowerCase()) continue;
      return [...(entity.parentNameChain ?? [])].reverse().map((g) => `${MG_PREFIX}${g}`);
    }
    return null;
  };

  const resourceApiVersion = async (subscriptionId: string, type: string): Promise<string> => {
    const key = type.toLowerCase();
    const known = apiVersions.get(key);
    if (known) return known;
    const [namespace = '', ...rest] = type.split('/');
    const provider = await resources(subscriptionId).providers.get(namespace);
    const resourceType = rest.join('/').toLowerCase();
    const versions =
      provider.resourceTypes?.find((t) => t.resourceType?.toLowerCase() === resourceType)?.apiVersions ?? [];
    const version = versions.find((v) => !v.includes('preview')) ?? versions[0];
    if (!version)
      throw new AzureRbacError(404, 'NoRegisteredProviderFound', `No api-version for type '${type}'.`);
    apiVersions.set(key, version);
    return version;
  };

  const getScope = async (scope: string): Promise<AzureScope | null> => {
    const kind = azureScopeKind(scope);
    if (!kind) return null;
    const parts = scope.replace(/\/+$/, '').split('/');
    const subscriptionId = parts[2] ?? '';
    return orNullOn404(async () => {
      if (kind === 'managementGroup') {
        const name = parts[4] ?? '';
        const group = await managementGroups.managementGroups.get(name);
        const ancestors = (await managementGroupAncestors(name, MG_TYPE)) ?? [];
        return {
          id: group.id ?? `${MG_PREFIX}${name}`,
          kind,
          displayName: group.displayName ?? name,
          type: MG_TYPE,
          ancestors,
        };
      }
      const subscription = await subscriptions.subscriptions.get(subscriptionId);
      const subscriptionScope = subscription.id ?? `/subscriptions/${subscriptionId}`;
      const above =
        (await managementGroupAncestors(subscription.subscriptionId ?? subscriptionId, '/subscriptions')) ??
        [];
      if (kind === 'subscription') {
        return {
          id: subscriptionScope,
          kind,
          displayName: subscription.displayName ?? subscriptionId,
          type: 'Microsoft.Resources/subscriptions',
          ancestors: above,
        };
      }
      const group = await resources(subscriptionId).resourceGroups.get(parts[4] ?? '');
      const groupScope = group.id ?? parts.slice(0, 5).join('/');
      if (kind === 'resourceGroup') {
        return {
          id: groupScope,
          kind,
          displayName: group.name ?? parts[4] ?? '',
          type: 'Microsoft.Resources/resourceGroups',
          ancestors: [subscriptionScope, ...above],
        };
      }
      const type = resourceTypeOf(scope);
      const resource = await resources(subscriptionId).resources.getById(
        scope.replace(/^\/+/, ''),
        await resourceApiVersion(subscriptionId, type),
      );
      return {
        id: resource.id ?? scope,
        kind,
        displayName: resource.name ?? parts[parts.length - 1] ?? '',
        type: resource.type ?? type,
        ancestors: [groupScope, subscriptionScope, ...above],
      };
    });
  };

  const toDefinition = (d: {
    id?: string;
    name?: string;
    roleName?: string;
    description?: string;
    roleType?: string;
  }): AzureRoleDefinition => ({
    id: d.id ?? '',
    name: (d.name ?? '').toLowerCase(),
    roleName: d.roleName ?? '',
    description: d.description ?? '',
    roleType: d.roleType ?? '',
  });

  const listAssignments = async (scope: string, filter?: string): Promise<AzureRoleAssignment[]> => {
    const found: AzureRoleAssignment[] = [];
    for await (const a of authorization.roleAssignments.listForScope(armPath(scope), { filter })) {
      found.push(toAssignment(a));
    }
    return found;
  };

  const create = async (a: {
    scope: string;
    name: string;
    roleDefinitionId: string;
    principalId: string;
    principalType: AzurePrincipalType;
  }): Promise<AssignmentChange> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await authorization.roleAssignments.create(armPath(a.scope), a.name, {
          roleDefinitionId: roleDefinitionResourceId(a.scope, a.roleDefinitionId),
          principalId: a.principalId,
          principalType: a.principalType,
        });
        return 'changed';
      } catch (err) {
        const error = toRbacError(err);
        // The same assignment under any name (ours from an earlier try, or one made by hand): nothing to do.
        if (error.status === 409 && error.code === 'RoleAssignmentExists') return 'unchanged';
        const delay = Math.min(firstDelayMs * 2 ** attempt, 8000);
        if (error.code === 'PrincipalNotFound' && Date.now() - started + delay <= principalRetryMs) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw error;
      }
    }
  };

  return {
    getScope,

    async listRoleDefinitions(scope) {
      return call(async () => {
        const found: AzureRoleDefinition[] = [];
        for await (const d of authorization.roleDefinitions.list(armPath(scope))) found.push(toDefinition(d));
        return found;
      });
    },

    async getRoleDefinition(scope, roleDefinitionId) {
      return orNullOn404(async () =>
        toDefinition(await authorization.roleDefinitions.get(armPath(scope), roleDefinitionId.toLowerCase())),
      );
    },

    async listRoleAssignments(q) {
      const filter = q.atScope
        ? 'atScope()'
        : q.principalId
          ? `principalId eq '${q.principalId}'`
          : undefined;
      const found = await call(() => listAssignments(q.scope, filter));
      return found.filter(
        (a) =>
          (!q.principalId || a.principalId.toLowerCase() === q.principalId.toLowerCase()) &&
          (!q.roleDefinitionId || a.roleDefinitionId === q.roleDefinitionId.toLowerCase()),
      );
    },

    async createRoleAssignment(a) {
      return create({ ...a, name: roleAssignmentName(a.scope, a.roleDefinitionId, a.principalId) });
    },

    async deleteRoleAssignment(a) {
      // Any assignment of the role to the principal made at exactly this scope, whatever its name.
      const atScope = normalizeAzureScope(a.scope);
      const held = await call(() => listAssignments(a.scope, `principalId eq '${a.principalId}'`));
      const matching = held.filter(
        (h) =>
          normalizeAzureScope(h.scope) === atScope &&
          h.principalId.toLowerCase() === a.principalId.toLowerCase() &&
          h.roleDefinitionId === a.roleDefinitionId.toLowerCase(),
      );
      let deleted = false;
      for (const h of matching) {
        // ARM answers 200 with the assignment it deleted, 204 when there was none (deleted meanwhile).
        const gone = await call(() => authorization.roleAssignments.deleteById(armPath(h.id)));
        if (gone?.id) deleted = true;
      }
      return deleted ? 'changed' : 'unchanged';
    },
  };
}

/** The SDKs put `{scope}` after a slash of their own: the scope without its leading one. */
function armPath(scope: string): string {
  return scope.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** `Microsoft.KeyVault/vaults` from a resource's id (nested types joined: `Microsoft.Sql/servers/databases`). */
function resourceTypeOf(resourceId: string): string {
  const afterProviders = resourceId.split(/\/providers\//i).pop() ?? '';
  const [namespace = '', ...pairs] = afterProviders.split('/');
  const types = pairs.filter((_, i) => i % 2 === 0);
  return [namespace, ...types].join('/');
}

function toAssignment(a: RoleAssignment): AzureRoleAssignment {
  const id = a.id ?? '';
  return {
    id,
    name: a.name ?? '',
    scope: a.scope ?? id.split(/\/providers\/Microsoft\.Authorization\/roleAssignments\//i)[0] ?? '',
    roleDefinitionId: (a.roleDefinitionId?.split('/').pop() ?? '').toLowerCase(),
    principalId: a.principalId ?? '',
    principalType: (a.principalType ?? 'User') as AzurePrincipalType,
  };
}

/** ARM's refusal as an AzureRbacError (status, ARM's code, its message); other errors as they are. */
function toRbacError(err: unknown): AzureRbacError {
  if (err instanceof AzureRbacError) return err;
  const e = err as {
    statusCode?: number;
    code?: string;
    message?: string;
    details?: { error?: { code?: string } };
  };
  if (typeof e.statusCode === 'number') {
    const code = e.details?.error?.code ?? e.code ?? 'Unknown';
    return new AzureRbacError(e.statusCode, code, e.message ?? `ARM answered ${e.statusCode}`);
  }
  throw err;
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toRbacError(err);
  }
}

async function orNullOn404<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (err) {
    const error = toRbacError(err);
    if (error.status === 404) return null;
    throw error;
  }
}
