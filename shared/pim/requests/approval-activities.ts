/** The request orchestration's approval steps, as activities over the approval service (shared/pim/approvals/). */
import {
  cancelApproval,
  expireApproval,
  openApproval,
  type ApprovalServices,
} from '../approvals/approval-service';
import type { RoleSettingsSource } from '../role-settings';
import type { PimStore } from './pim-store';

interface Ref {
  requestId: string;
  groupId: string;
}

export function createApprovalActivities(
  d: ApprovalServices & { store: PimStore; roleSettings: RoleSettingsSource },
) {
  return {
    async openApproval(
      a: Ref,
    ): Promise<{ approvalId: string; expiresDateTime: string } | { noApprovers: true }> {
      const request = await d.store.requests.get(a.requestId, a.groupId);
      const settings = await d.roleSettings.get(a.groupId, request.accessId);
      const opened = await openApproval(d, { request, settings, now: d.clock.now() });
      return 'noApprovers' in opened
        ? { noApprovers: true }
        : { approvalId: opened.approvalId, expiresDateTime: opened.expiresDateTime };
    },
    expireApproval: (a: Ref & { approvalId: string }) =>
      expireApproval(d, { approvalId: a.approvalId, groupId: a.groupId }),
    cancelApproval: (a: Ref & { approvalId: string }) =>
      cancelApproval(d, { approvalId: a.approvalId, groupId: a.groupId }),
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
