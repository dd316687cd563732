/**
 * Who gets a notice, as a role's Notification_* rules say. Each rule (per event: eligible assigned, active
 * assigned, eligible activated; per recipient type: admin, requestor, approver) has a level — None sends nothing,
 * Critical only critical notices (those that ask for action, like an assignment about to end), All everything —
 * whether its default recipients get it, and additional addresses. The requestor's default recipient is the
 * principal the access is for; the admins' are ADMIN_NOTIFICATION_RECIPIENTS (PIM's tenant admins).
 */
import type { NotificationSetting, RoleSettings } from './role-settings';
import type { RequestKind } from '../../requests/domain/request-body';

export type NoticeEvent = 'eligibleAssigned' | 'activeAssigned' | 'eligibleActivated';

/** The event a schedule or request falls under. */
export function noticeEventOf(access: { kind: RequestKind; activation: boolean }): NoticeEvent {
  if (access.kind === 'eligibility') return 'eligibleAssigned';
  return access.activation ? 'eligibleActivated' : 'activeAssigned';
}

export interface RecipientContext {
  /** The principal's address, if it has one. */
  principalAddress: string | null;
  /** ADMIN_NOTIFICATION_RECIPIENTS. */
  adminDefaults: readonly string[];
  /** Critical notices still go out at level Critical. */
  critical: boolean;
}

export function recipientsOf(
  settings: RoleSettings | undefined,
  event: NoticeEvent,
  audience: 'requestor' | 'admin',
  c: RecipientContext,
): string[] {
  const rules = settings?.notifications.events;
  let rule: NotificationSetting;
  if (rules) rule = rules[event][audience];
  else if (audience === 'requestor')
    rule = { level: 'All', defaultRecipients: true, additionalRecipients: [] };
  else
    rule = {
      level: settings?.notifications.criticalOnly ? 'Critical' : 'All',
      defaultRecipients: settings?.notifications.defaultRecipientsEnabled ?? true,
      additionalRecipients: settings?.notifications.adminRecipients ?? [],
    };
  if (rule.level === 'None' || (rule.level === 'Critical' && !c.critical)) return [];
  const to = new Set<string>(rule.additionalRecipients);
  if (rule.defaultRecipients) {
    if (audience === 'requestor' && c.principalAddress) to.add(c.principalAddress);
    if (audience === 'admin') for (const a of c.adminDefaults) to.add(a);
  }
  return [...to];
}
