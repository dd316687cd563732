/** The HTTP status a refused decision answers with, on the API and on the e-mail link's pages. */
import type { RefusalReason } from '../domain/decision-rules';

const STATUS: Record<RefusalReason, 400 | 403 | 404 | 409 | 410> = {
  notFound: 404,
  notApprover: 403,
  ownRequest: 403,
  alreadyDecided: 409,
  expired: 410,
  canceled: 409,
  justificationRequired: 400,
  justificationTooLong: 400,
  linkUsed: 409,
  notStarted: 409,
};

export function refusalStatus(reason: RefusalReason): 400 | 403 | 404 | 409 | 410 {
  return STATUS[reason];
}
