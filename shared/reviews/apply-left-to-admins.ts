/**
 * The denials an apply left to the admins (Azure roles held through a security group, `ApplyNotSupported`): one
 * mail to ADMIN_NOTIFICATION_RECIPIENTS per instance apply listing every such item — sent before the instance is
 * marked Applied, with an id derived from the instance, so a re-run sends nothing twice — and an audit record.
 */
import { mailIdFor } from '../mail/mail-id';
import { reviewAdminAction } from '../mail/templates/review-admin-action';
import type { Stored } from '../storage/stored';
import type { ApplyDeps } from './apply-activities';
import { leftToAdminsRecord } from './domain/audit-records';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewInstance } from './domain/review-instance';
import { directoryRoleNames, isAzureRole } from './domain/reviewed-role';

const PAGE = 500;

export async function mailAdminsOfLeftItems(d: ApplyDeps, instance: ReviewInstance): Promise<void> {
  if (!isAzureRole(instance)) return;
  const items: Stored<ReviewDecision>[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await d.reviews.listDecisions({
      instanceId: instance.id,
      applyResult: 'ApplyNotSupported',
      pageSize: PAGE,
      continuationToken,
    });
    items.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  if (items.length === 0) return;
  const to = [...d.settings.ADMIN_NOTIFICATION_RECIPIENTS];
  const definition = await d.reviews.definitions.find(instance.definitionId, instance.definitionId);
  const role = directoryRoleNames(instance);
  if (to.length > 0 && role)
    await d.mailer.send({
      to,
      idempotencyKey: mailIdFor('review-left-to-admins', instance.id),
      ...reviewAdminAction({
        reviewName: definition?.displayName ?? instance.definitionId,
        role,
        items: items.map((i) => ({
          principalName: i.principal.userPrincipalName ?? i.principal.displayName ?? i.principal.id,
          groupName: i.accessThroughGroup?.displayName ?? i.accessThroughGroup?.id ?? '',
          justification: i.justification,
        })),
        definitionId: instance.definitionId,
        instanceId: instance.id,
        listPath: `/api/identityGovernance/accessReviews/definitions/${instance.definitionId}/instances/${instance.id}/decisions?$filter=applyResult eq 'ApplyNotSupported'`,
      }),
    });
  await d.audit.record(
    leftToAdminsRecord(
      instance,
      items.map((i) => ({ id: i.id, principalId: i.principal.id, groupId: i.accessThroughGroup?.id ?? '' })),
      to,
      d.clock.now(),
    ),
  );
}
