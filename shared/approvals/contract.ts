/**
 * The approval's activities, run by the approval part of the request orchestration (orchestrations/approval-flow.ts):
 * names, inputs, outputs. (Whether a decision event is true is checked by RequestActivity.readDecision.) Types and
 * names only.
 */
import { defineActivity } from '../durable/activity';
import type { ApprovalActivities } from './approval-activities';

type In<K extends keyof ApprovalActivities> = Parameters<ApprovalActivities[K]>[0];
type Out<K extends keyof ApprovalActivities> = Awaited<ReturnType<ApprovalActivities[K]>>;

export const ApprovalActivity = {
  /** Opens the approval and mails the first stage's approvers. */
  openApproval: defineActivity<In<'openApproval'>, Out<'openApproval'>>('OpenApproval'),
  /** Starts the stage after an approved one and mails its approvers. */
  startApprovalStage: defineActivity<In<'startApprovalStage'>, Out<'startApprovalStage'>>(
    'StartApprovalStage',
  ),
  /** A stage undecided after its escalation time: mails its escalation approvers, who may then decide too. */
  escalateApproval: defineActivity<In<'escalateApproval'>, Out<'escalateApproval'>>('EscalateApproval'),
  expireApproval: defineActivity<In<'expireApproval'>, Out<'expireApproval'>>('ExpireApproval'),
  cancelApproval: defineActivity<In<'cancelApproval'>, Out<'cancelApproval'>>('CancelApproval'),
};
