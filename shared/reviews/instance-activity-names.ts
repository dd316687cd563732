/** Activity names of the instance orchestration (orchestrations/access-review-instance.ts). */
export const REVIEW_INSTANCE_ACTIVITIES = {
  load: 'ReviewInstanceLoad',
  snapshotPage: 'ReviewInstanceSnapshotPage',
  begin: 'ReviewInstanceBegin',
  mailReviewers: 'ReviewInstanceMailReviewers',
  close: 'ReviewInstanceClose',
  applyDefaultDecisions: 'ReviewInstanceApplyDefaultDecisions',
  notifyCompletion: 'ReviewInstanceNotifyCompletion',
} as const;

export interface InstanceRef {
  definitionId: string;
  instanceId: string;
}

export type LoadedInstance =
  | { found: false }
  | { found: true; status: string; startDateTime: string; endDateTime: string; stopped: boolean };

export interface MailReviewersInput extends InstanceRef {
  kind: 'start' | 'reminder';
  /** The last reviewer id mailed by the previous call; null for the first. */
  after: string | null;
  /** Reminders: send even if reminderNotificationsEnabled is off (an admin's sendReminder). */
  force?: boolean;
  /** Reminders: what names this round in the mails' ids (`midpoint`, or the time of an admin's sendReminder). */
  round?: string;
  /** Start: only reviewers not contacted yet (reviewers added to a running instance). */
  onlyNew?: boolean;
}

export interface MailReviewersResult {
  mailed: number;
  /** Pass back as `after` for the next chunk; null when every reviewer is done. */
  after: string | null;
}

export interface StopPayload {
  by: { id: string; displayName: string | null };
}
