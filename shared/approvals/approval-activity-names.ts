/**
 * Names of the approval activities added for serial stages and escalation (the request orchestration's
 * OpenApproval, ExpireApproval and CancelApproval keep their names in ../requests/activity-names.ts).
 */
export const APPROVAL_ACTIVITIES = {
  /** Starts the stage after an approved one and mails its approvers. */
  startApprovalStage: 'StartApprovalStage',
  /** A stage undecided after its escalation time: mails its escalation approvers, who may then decide too. */
  escalateApproval: 'EscalateApproval',
} as const;
