/**
 * The composition root: the one place that builds every adapter and service from the settings. Functions get
 * them with `getAppServices()` (built once per process); tests and benches build their own with
 * `createAppServices(settings)` against the same stand-ins the app under test uses. Settings are validated at
 * start (functions/startup.ts); the database and containers are created on first use if missing.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Database } from '@azure/cosmos';
import { createGroupAccessProvider } from './access/group-access-provider';
import { createAccessRouter } from './access/access-router';
import { createDirectoryRoleAccessProvider } from './access/directory-role-access-provider';
import { guardLastPrivilegedAdmins, whyLastPrivilegedAdmin } from './managed-roles/last-admin-guard';
import type { AccessProvider, RemovalRule } from './access/access-provider';
import { createAzureRoleAccessProvider } from './access/azure-role-access-provider';
import { resourceTypeOf } from './access/resource';
import type { AzureRbac } from './azure/azure-rbac';
import { createArmRbac } from './azure/arm-rbac';
import { ManagedAzureScopeRepository } from './managed-azure/adapters/managed-azure-scope-repository';
import { guardLastAzureOwners, whyLastAzureOwner } from './managed-azure/last-owner-guard';
import {
  createAzureRolePolicies,
  createAzureRoleSettingsSource,
  type AzureRolePolicies,
} from './policies/azure-role-policies';
import { ApprovalRepository } from './approvals/adapters/approval-repository';
import { createApprovalActivities, type ApprovalActivities } from './approvals/approval-activities';
import type { ApprovalLinks } from './approvals/approval-services';
import { createApprovalLinks } from './approvals/http/approval-links';
import { AuditLog } from './audit/adapters/audit-log';
import { createAzureCredential } from './auth/azure-credential';
import type { CallerPrincipal } from './auth/principal';
import { createTokenValidator, type TokenValidator } from './auth/token-validator';
import { systemClock, type Clock } from './clock';
import { loadSettings, type Settings } from './config';
import type { Directory } from './directory/directory';
import { createGraphDirectory } from './directory/graph-directory';
import { DriftStore } from './drift/adapters/drift-store';
import { createDriftActivities, type DriftActivities } from './drift/drift-check';
import { createLifecycleActivities, type LifecycleActivities } from './lifecycle/lifecycle-activities';
import { createAcsMailer } from './mail/acs-mailer';
import type { Mailer } from './mail/mailer';
import { ManagedGroupRepository } from './managed-groups/adapters/managed-group-repository';
import { canManageGroup } from './managed-groups/authorization';
import { ManagedRoleRepository } from './managed-roles/adapters/managed-role-repository';
import type { RoleSettingsSource } from './policies/domain/role-settings';
import { createDirectoryRoleSettingsSource } from './policies/directory-role-settings-source';
import { createRoleSettingsRouter } from './policies/role-settings-router';
import { createRoleSettingsSource } from './policies/role-settings-source';
import { PolicyStore } from './policies/adapters/policy-store';
import { PolicyService } from './policies/policy-service';
import type { ReconcileDeps } from './reconcile/reconcile';
import { PimStore } from './requests/adapters/pim-store';
import { createRequestActivities, type RequestActivities } from './requests/request-activities';
import { ReviewStore } from './reviews/adapters/review-store';
import type { AzureReviewPorts } from './reviews/azure-review-ports';
import { findGoverningScope } from './managed-azure/managed-azure-scopes';
import { instanceOrchestrationId } from './reviews/contract';
import { createCosmosClient } from './storage/cosmos-client';
import { appContainers } from './storage/containers';
import { ensureDatabase } from './storage/ensure-database';

export interface AppServices {
  settings: Settings;
  clock: Clock;
  credential: TokenCredential;
  tokens: TokenValidator;
  directory: Directory;
  mailer: Mailer;
  /** For the health report's probe and the repositories below; services take repositories, not this. */
  database: Database;
  audit: AuditLog;
  managedGroups: ManagedGroupRepository;
  /** Microsoft Entra roles under management (their policies are in policyStore, served by `policies`). */
  managedRoles: ManagedRoleRepository;
  /** Azure Resource Manager: scopes, role definitions and role assignments. */
  azureRbac: AzureRbac;
  /** Azure scopes under management (their roles' policies are in policyStore, served by `azurePolicies`). */
  managedAzureScopes: ManagedAzureScopeRepository;
  /** The role settings of Azure roles at managed scopes, for the ARM-shaped roleManagementPolicies API. */
  azurePolicies: AzureRolePolicies;
  store: PimStore;
  approvals: ApprovalRepository;
  /** Signs the approvers' e-mail links. */
  approvalLinks: ApprovalLinks;
  reviews: ReviewStore;
  /** What reviews of Azure roles read from ARM and the managed Azure scopes. */
  azureReviews: AzureReviewPorts;
  driftReports: DriftStore;
  policyStore: PolicyStore;
  /** Role settings as Graph serves them (the policies API; managed groups create and remove them). */
  policies: PolicyService;
  roleSettings: RoleSettingsSource;
  access: AccessProvider;
  /** The access port guards' rules, asked before an end request is accepted (submit-request.ts). */
  whyRemovalRefused: RemovalRule;
  canManageGroup(caller: CallerPrincipal, groupId: string): Promise<boolean>;
  requestActivities: RequestActivities;
  approvalActivities: ApprovalActivities;
  lifecycleActivities: LifecycleActivities;
  driftActivities: DriftActivities;
  /** What the reconciler (functions/reconcile.ts) works with. */
  reconcileDeps: ReconcileDeps;
}

let built: Promise<AppServices> | undefined;

/** The process' services, built from the app settings on first use (and again after a failed build). */
export function getAppServices(): Promise<AppServices> {
  built ??= createAppServices(loadSettings()).catch((err: unknown) => {
    built = undefined; // let the next call try again (e.g. Cosmos was still starting)
    throw err;
  });
  return built;
}

export async function createAppServices(
  settings: Settings,
  options: { clock?: Clock; log?: (message: string) => void } = {},
): Promise<AppServices> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((message: string) => console.warn(message));
  const credential = createAzureCredential(settings);
  const cosmos = createCosmosClient(
    settings.COSMOS_KEY
      ? { endpoint: settings.COSMOS_ENDPOINT, key: settings.COSMOS_KEY }
      : { endpoint: settings.COSMOS_ENDPOINT, credential },
  );
  const database = await ensureDatabase(cosmos, settings.COSMOS_DATABASE, appContainers);
  const directory = createGraphDirectory({ baseUrl: settings.GRAPH_BASE_URL, credential });
  const mailer = createAcsMailer(
    settings.ACS_CONNECTION_STRING
      ? { connectionString: settings.ACS_CONNECTION_STRING, senderAddress: settings.MAIL_SENDER }
      : { endpoint: settings.ACS_ENDPOINT, credential, senderAddress: settings.MAIL_SENDER },
  );
  const audit = new AuditLog(database.container('auditLogs'));
  const managedGroups = new ManagedGroupRepository(database.container('managedGroups'));
  const managedRoles = new ManagedRoleRepository(database.container('managedRoles'));
  const managedAzureScopes = new ManagedAzureScopeRepository(database.container('managedAzureScopes'));
  const azureRbac = createArmRbac({
    endpoint: settings.ARM_ENDPOINT,
    audience: settings.ARM_AUDIENCE,
    credential,
  });
  const store = new PimStore(database);
  const approvals = ApprovalRepository.of(database);
  const approvalLinks = createApprovalLinks(settings);
  const reviews = new ReviewStore(database);
  const driftReports = new DriftStore(database.container('driftReports'));
  const policyStore = new PolicyStore(database);
  const azureReviews: AzureReviewPorts = {
    rbac: azureRbac,
    findGoverningScope: async (scope) =>
      (await findGoverningScope({ managedAzureScopes, azureRbac }, scope)) ?? null,
  };
  const base = {
    settings,
    azureReviews,
    clock,
    directory,
    mailer,
    database,
    audit,
    managedGroups,
    managedRoles,
    managedAzureScopes,
    azureRbac,
    policyStore,
  };
  const policies = new PolicyService(base);
  const azurePolicies = createAzureRolePolicies(base, policies);
  const roleSettings = createRoleSettingsRouter({
    group: createRoleSettingsSource(base),
    directoryRole: createDirectoryRoleSettingsSource(base),
    azureRole: createAzureRoleSettingsSource(azurePolicies),
  });
  // One access port, three implementations: the orchestrations never ask which kind of access they change.
  const access = createAccessRouter({
    group: createGroupAccessProvider(directory),
    directoryRole: guardLastPrivilegedAdmins(createDirectoryRoleAccessProvider(directory), directory),
    azureRole: guardLastAzureOwners(createAzureRoleAccessProvider(azureRbac, directory), base),
  });
  const whyRemovalRefused: RemovalRule = (target) => {
    const resourceType = resourceTypeOf(target);
    if (resourceType === 'directoryRole') return whyLastPrivilegedAdmin(directory, target);
    if (resourceType === 'azureRole') return whyLastAzureOwner(base, target);
    return Promise.resolve(null);
  };
  const adminRecipients = settings.ADMIN_NOTIFICATION_RECIPIENTS;
  const requestActivities = createRequestActivities({
    store,
    access,
    audit,
    directory,
    azureRbac,
    mailer,
    roleSettings,
    clock,
    adminRecipients,
    approvals,
    reviewDecisions: reviews.decisions,
    log,
  });
  return {
    ...base,
    credential,
    tokens: createTokenValidator({
      issuer: settings.AUTH_ISSUER,
      audience: settings.AUTH_AUDIENCE,
      tenantId: settings.AUTH_TENANT_ID,
    }),
    store,
    approvals,
    approvalLinks,
    reviews,
    driftReports,
    policies,
    azurePolicies,
    roleSettings,
    access,
    whyRemovalRefused,
    canManageGroup: (caller, groupId) => canManageGroup({ directory, managedGroups }, caller, groupId),
    requestActivities,
    approvalActivities: createApprovalActivities({
      approvals,
      approvalLinks,
      clock,
      directory,
      azureRbac,
      mailer,
      audit,
      requests: store.requests,
      roleSettings,
    }),
    lifecycleActivities: createLifecycleActivities({
      ...base,
      approvals,
      store,
      roleSettings,
      adminRecipients,
    }),
    driftActivities: createDriftActivities({
      managedGroups,
      managedRoles,
      access,
      store,
      directory,
      driftReports,
      audit,
      mailer,
      clock,
      roleSettings,
      adminRecipients,
      publicBaseUrl: settings.PUBLIC_BASE_URL,
      log,
    }),
    reconcileDeps: {
      store,
      approvals,
      requestActivities,
      stoppingReviews: async (pageSize, continuationToken) => {
        const page = await reviews.listStoppingInstances(pageSize, continuationToken);
        return {
          items: page.items.flatMap((i) =>
            i.stoppedBy
              ? [
                  {
                    id: i.id,
                    definitionId: i.definitionId,
                    groupId: i.groupId,
                    orchestrationId: instanceOrchestrationId(i.id),
                    stoppedBy: i.stoppedBy,
                  },
                ]
              : [],
          ),
          continuationToken: page.continuationToken,
        };
      },
      audit,
      clock,
      log,
    },
  };
}
