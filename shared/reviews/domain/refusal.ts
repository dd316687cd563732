/**
 * Why a review use case didn't do what was asked, as the services return it: the HTTP edge maps the reason to a
 * status (shared/reviews/http/refusal.ts) and shows the detail as it is.
 */
export type RefusalReason = 'invalid' | 'forbidden' | 'notFound' | 'conflict' | 'unavailable';

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  detail: string;
}

export function refuse(reason: RefusalReason, detail: string): Refusal {
  return { ok: false, reason, detail };
}
