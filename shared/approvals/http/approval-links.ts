/** The e-mail links the approval mails carry: signed for one approver and one step (approval-link.ts). */
import type { Settings } from '../../config';
import type { ApprovalLinks } from '../approval-services';
import { approvalLinkUrl, signApprovalLink } from './approval-link';

export function createApprovalLinks(
  settings: Pick<Settings, 'APPROVAL_LINK_SIGNING_KEY' | 'PUBLIC_BASE_URL'>,
): ApprovalLinks {
  return {
    async linkFor(request) {
      const { token } = await signApprovalLink(settings.APPROVAL_LINK_SIGNING_KEY, request);
      return approvalLinkUrl(settings.PUBLIC_BASE_URL, token);
    },
  };
}
