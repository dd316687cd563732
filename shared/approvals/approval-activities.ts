/**
 * The approval's activities (shared/approvals/contract.ts) over its use cases: what the request orchestration's
 * approval part (orchestrations/approval-flow.ts) calls, registered in functions/approval-activities.ts.
 */
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { ApprovalPolicy, ScheduleRequest } from '../requests/domain/schedule-request';
import { escalateApproval, startApprovalStage } from './approval-stage';
import type { ApprovalServices } from './approval-services';
import type {
  CancelApprovalInput,
  CancelApprovalResult,
  EscalateApprovalInput,
  EscalateApprovalResult,
  ExpireApprovalInput,
  ExpireApprovalResult,
  OpenApprovalInput,
  OpenApprovalResult,
  StartApprovalStageInput,
  StartStageResult,
} from './contract';
import { cancelApproval, expireApproval } from './end-approval';
import { openApproval } from './open-approval';

export interface ApprovalActivityDeps extends ApprovalServices {
  requests: { get(id: string, groupId: string): Promise<ScheduleRequest> };
  roleSettings: RoleSettingsSource;
}

export function createApprovalActivities(d: ApprovalActivityDeps) {
  return {
    /**
     * Opens the approval: `activation` (the default) runs the role's approval rule; `admins` one stage decided by
     * the group's owners until the policy's `expiresDateTime`.
     */
    async openApproval(a: OpenApprovalInput): Promise<OpenApprovalResult> {
      const request = await d.requests.get(a.requestId, a.groupId);
      const policy: ApprovalPolicy = a.policy ?? { kind: 'activation' };
      const settings =
        policy.kind === 'activation'
          ? await d.roleSettings.get(a.groupId, request.accessId, request.resourceType)
          : undefined;
      const opened = await openApproval(d, { request, settings, policy, now: d.clock.now() });
      if ('noApprovers' in opened) return { noApprovers: true };
      // The orchestration gets the stage only (OpenApprovalResult), not whom it asked.
      const { approverIds: _approverIds, ...stage } = opened;
      return stage;
    },
    startApprovalStage: (a: StartApprovalStageInput): Promise<StartStageResult> =>
      startApprovalStage(d, { approvalId: a.approvalId, groupId: a.groupId, afterStepId: a.afterStepId }),
    escalateApproval: (a: EscalateApprovalInput): Promise<EscalateApprovalResult> =>
      escalateApproval(d, { approvalId: a.approvalId, groupId: a.groupId, stepId: a.stepId }),
    expireApproval: (a: ExpireApprovalInput): Promise<ExpireApprovalResult> =>
      expireApproval(d, { approvalId: a.approvalId, groupId: a.groupId, stepId: a.stepId }),
    cancelApproval: (a: CancelApprovalInput): Promise<CancelApprovalResult> =>
      cancelApproval(d, { approvalId: a.approvalId, groupId: a.groupId }),
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
