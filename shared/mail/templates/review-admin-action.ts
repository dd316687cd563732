/**
 * To the admins when an access review of an Azure role has been applied and some denials were not carried out:
 * the users hold the role through a security group, and pimflow doesn't remove members from a group that may carry
 * other access (seed 000's note 2). One mail per instance apply, listing every such item, so the admins can decide
 * (remove the user from the group, or the group's assignment, or keep it).
 */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph, strong } from '../parts';
import { roleTitle, type DirectoryRoleNames } from './review-reviewer';

export interface ReviewAdminActionParams {
  reviewName: string;
  role: DirectoryRoleNames;
  items: { principalName: string; groupName: string; justification: string | null }[];
  definitionId: string;
  instanceId: string;
  /** The API's list of these items (`…/decisions?$filter=applyResult eq 'ApplyNotSupported'`). */
  listPath: string;
}

export const reviewAdminAction = defineTemplate((p: ReviewAdminActionParams) => ({
  subject: `Action needed: ${p.items.length} denied access through groups in ${p.reviewName} (${roleTitle(p.role)})`,
  preheader: `${p.items.length} denied through a group: not removed`,
  body: [
    heading('Denied access left to you'),
    paragraph(
      'The access review ',
      strong(p.reviewName),
      ' of ',
      strong(roleTitle(p.role)),
      ' was applied. These users were denied, but they hold the role through a security group: pimflow did not remove them from the group, because the group may carry other access. Remove them from the group, or change the group’s assignment, as you decide.',
    ),
    ...p.items.map((item) =>
      facts([
        ['User', item.principalName],
        ['Through group', item.groupName],
        ['Justification', item.justification ?? undefined],
      ]),
    ),
    facts([
      ['Review', p.definitionId],
      ['Instance', p.instanceId],
      ['Listed at', p.listPath],
    ]),
  ],
  footerNote: 'You get this message because you are an admin of pimflow.',
}));
