/**
 * One decision item on the reviewer's page: who and which access, the recommendation with its evidence (last sign-in,
 * or never), and — while the review is open — the Approve / Deny / Don't know choice with a reason.
 */
import { html, type SafeHtml } from '../../mail/html';
import { formatUtc } from '../../mail/templates/approval-format';
import { factsTable } from '../../http/pages/page-shell';
import type { ReviewerDecision } from '../decide';
import type { ReviewDecision } from '../domain/review-decision';
import type { ReviewDefinition } from '../domain/review-definition';
import { isRoleAtScope } from '../domain/reviewed-role';

const PRINCIPAL_TYPES: Record<ReviewDecision['principal']['type'], string> = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'Service principal',
};

export const DECISION_LABELS: Record<ReviewDecision['decision'], string> = {
  Approve: 'Approved',
  Deny: 'Denied',
  DontKnow: "Don't know",
  NotReviewed: 'Not reviewed',
};

export function roleOf(item: ReviewDecision): string {
  if (item.resource.resourceType === 'azureRole') {
    const via = item.accessThroughGroup
      ? ` (through the group ${item.accessThroughGroup.displayName ?? item.accessThroughGroup.id})`
      : '';
    return `${item.resource.displayName ?? item.resource.accessId} role on ${item.resource.scopeDisplayName ?? item.resource.groupId}${via}`;
  }
  return isRoleAtScope(item.resource)
    ? `${item.resource.displayName ?? item.resource.accessId} role`
    : `${item.resource.accessId} of ${item.resource.displayName ?? item.resource.groupId}`;
}

function lookBack(duration: string): string {
  const days = /^P(\d+)D$/.exec(duration)?.[1];
  if (days) return days === '1' ? 'the last day' : `the last ${days} days`;
  return `the look-back period (${duration})`;
}

/** The evidence behind the recommendation: the last sign-in, or never. */
export function signInEvidence(item: ReviewDecision): string {
  if (item.principal.type !== 'user') return 'No sign-in data (not a user)';
  return item.lastSignInDateTime ? `Last sign-in ${formatUtc(item.lastSignInDateTime)}` : 'Never signed in';
}

function recommendationText(item: ReviewDecision, definition: ReviewDefinition): string {
  const period = lookBack(definition.settings.recommendationLookBackDuration);
  switch (item.recommendation) {
    case 'Approve':
      return `Approve (signed in within ${period})`;
    case 'Deny':
      return item.principal.type === 'user' && !item.lastSignInDateTime
        ? 'Deny (never signed in)'
        : `Deny (no sign-in within ${period})`;
    default:
      return 'No recommendation';
  }
}

function itemFacts(item: ReviewDecision, definition: ReviewDefinition): SafeHtml {
  const rows: [string, string | null][] = [
    ['Account', item.principal.userPrincipalName ?? null],
    ['Type', PRINCIPAL_TYPES[item.principal.type]],
    ['Access', roleOf(item)],
    ['Assignment', item.assignmentType === 'eligible' ? 'Eligible' : 'Active'],
    ['Recommendation', recommendationText(item, definition)],
    ['Evidence', signInEvidence(item)],
  ];
  return factsTable(rows);
}

export function principalName(item: ReviewDecision): string {
  return item.principal.displayName ?? item.principal.userPrincipalName ?? item.principal.id;
}

/** What the reviewer typed for an item, kept when the page is shown again. */
export interface ItemEntry {
  decision?: ReviewerDecision;
  reason?: string;
  /** Why this item's decision was refused. */
  error?: string;
}

export function itemFieldset(
  item: ReviewDecision,
  definition: ReviewDefinition,
  entry: ItemEntry | undefined,
): SafeHtml {
  const required = definition.settings.justificationRequiredOnApproval;
  const choice = (value: ReviewerDecision, label: string) =>
    html`<label
      ><input
        type="radio"
        name="decision:${item.id}"
        value="${value}"
        ${entry?.decision === value ? html`checked` : null}
      />
      ${label}</label
    >`;
  const role = isRoleAtScope(item.resource) ? roleOf(item) : item.resource.accessId;
  return html`<fieldset id="item-${item.id}">
    <legend>${principalName(item)} – ${item.assignmentType} ${role}</legend>
    ${entry?.error ? html`<p class="error" role="alert">${entry.error}</p>` : null}
    ${itemFacts(item, definition)}
    <div class="choices">
      ${choice('Approve', 'Approve')} ${choice('Deny', 'Deny')} ${choice('DontKnow', "Don't know")}
    </div>
    <label class="reason" for="reason-${item.id}"
      >Reason${required ? ' (required to approve)' : ' (optional)'}</label
    >
    <textarea id="reason-${item.id}" name="reason:${item.id}" rows="2" maxlength="1000">
${entry?.reason ?? ''}</textarea>
  </fieldset>`;
}
