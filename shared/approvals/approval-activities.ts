/** The request orchestration's approval steps, as activities over the approval service (shared/approvals/). */
import {
  cancelApproval,
  escalateApproval,
  expireApproval,
  openApproval,
  startApprovalStage,
  type ApprovalServices,
  type ApprovalStageInfo,
  type StartStageResult,
} from './approval-service';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { PimStore } from '../requests/adapters/pim-store';
import type { ApprovalPolicy } from '../requests/domain/schedule-request';

interface Ref {
  requestId: string;
  groupId: string;
}

export function createApprovalActivities(
  d: ApprovalServices & { store: PimStore; roleSettings: RoleSettingsSource },
) {
  return {
    /**
     * Opens the approval: `activation` (the default) runs the role's approval rule; `admins` one stage decided by
     * the group's owners until the policy's `expiresDateTime`.
     */
    async openApproval(
      a: Ref & { policy?: ApprovalPolicy },
    ): Promise<ApprovalStageInfo | { noApprovers: true }> {
      const request = await d.store.requests.get(a.requestId, a.groupId);
      const policy: ApprovalPolicy = a.policy ?? { kind: 'activation' };
      const settings =
        policy.kind === 'activation' ? await d.roleSettings.get(a.groupId, request.accessId) : undefined;
      const opened = await openApproval(d, { request, settings, policy, now: d.clock.now() });
      if ('noApprovers' in opened) return { noApprovers: true };
      const { approverIds: _approverIds, ...stage } = opened;
      return stage;
    },
    startApprovalStage: (a: Ref & { approvalId: string; afterStepId: string }): Promise<StartStageResult> =>
      startApprovalStage(d, { approvalId: a.approvalId, groupId: a.groupId, afterStepId: a.afterStepId }),
    escalateApproval: (a: Ref & { approvalId: string; stepId: string }) =>
      escalateApproval(d, { approvalId: a.approvalId, groupId: a.groupId, stepId: a.stepId }),
    expireApproval: (a: Ref & { approvalId: string; stepId?: string }) =>
      expireApproval(d, { approvalId: a.approvalId, groupId: a.groupId, stepId: a.stepId }),
    cancelApproval: (a: Ref & { approvalId: string }) =>
      cancelApproval(d, { approvalId: a.approvalId, groupId: a.groupId }),
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
