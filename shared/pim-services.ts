/**
 * PIM's composition on top of the app's services: the request and schedule store, role settings, the access
 * provider, who may manage a group, and the request orchestration's activities.
 */
import { createGroupAccessProvider } from './access/group-access-provider';
import type { AccessProvider } from './access/access-provider';
import type { CallerPrincipal } from './auth/principal';
import { getServices, type Services } from './services';
import { canManageGroup } from './managed-groups/authorization';
import { ApprovalRepository } from './approvals/approval';
import { ReviewStore } from './reviews/adapters/review-store';
import { instanceOrchestrationId } from './reviews/review-names';
import type { ReconcileDeps } from './reconcile/reconcile';
import { createRoleSettingsSource } from './policies/role-settings-source';
import { createApprovalActivities, type ApprovalActivities } from './approvals/approval-activities';
import { createRequestActivities, type RequestActivities } from './requests/request-activities';
import { PimStore } from './requests/adapters/pim-store';
import type { RoleSettingsSource } from './policies/domain/role-settings';
import { createLifecycleActivities, type LifecycleActivities } from './lifecycle/lifecycle-activities';

export interface PimServices extends Services {
  store: PimStore;
  roleSettings: RoleSettingsSource;
  access: AccessProvider;
  canManageGroup(caller: CallerPrincipal, groupId: string): Promise<boolean>;
  requestActivities: RequestActivities;
  approvalActivities: ApprovalActivities;
  lifecycleActivities: LifecycleActivities;
  /** What the reconciler (functions/reconcile.ts) works with. */
  reconcileDeps: ReconcileDeps;
}

let pim: Promise<PimServices> | undefined;

export function getPimServices(): Promise<PimServices> {
  pim ??= build().catch((err: unknown) => {
    pim = undefined;
    throw err;
  });
  return pim;
}

async function build(): Promise<PimServices> {
  const services = await getServices();
  const store = new PimStore(services.database);
  const roleSettings = createRoleSettingsSource(services);
  const access = createGroupAccessProvider(services.directory);
  const approvals = ApprovalRepository.of(services.database);
  const reviews = new ReviewStore(services.database);
  const requestActivities = createRequestActivities({
    store,
    access,
    audit: services.audit,
    directory: services.directory,
    mailer: services.mailer,
    roleSettings,
    clock: services.clock,
    adminRecipients: services.settings.ADMIN_NOTIFICATION_RECIPIENTS,
    approvals,
    reviewDecisions: reviews.decisions,
    log: (message) => console.warn(message),
  });
  return {
    ...services,
    store,
    roleSettings,
    access,
    canManageGroup: (caller, groupId) => canManageGroup(services, caller, groupId),
    requestActivities,
    approvalActivities: createApprovalActivities({ ...services, store, roleSettings }),
    lifecycleActivities: createLifecycleActivities({
      ...services,
      approvals,
      store,
      roleSettings,
      adminRecipients: services.settings.ADMIN_NOTIFICATION_RECIPIENTS,
    }),
    reconcileDeps: {
      store,
      approvals,
      requestActivities,
      stoppingReviews: async (pageSize, continuationToken) => {
        const page = await reviews.instances.queryPage(
          "SELECT * FROM c WHERE c.status = 'InProgress' AND IS_DEFINED(c.stoppedBy) AND NOT IS_NULL(c.stoppedBy)",
          {},
          { crossPartition: true, pageSize, continuationToken },
        );
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
      audit: services.audit,
      clock: services.clock,
      log: (message) => console.warn(message),
    },
  };
}
