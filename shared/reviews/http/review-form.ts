/**
 * What the reviewer's page sends: the GET query (`token`, and `after` for the next page) and the POST form (`token`,
 * `decision:{id}`, `reason:{id}`, optionally `access_token`), parsed strictly — a field this page doesn't send is
 * refused, not ignored.
 */
import { z } from 'zod';

/** Items shown (and decidable) per page. */
export const REVIEW_PAGE_SIZE = 200;
/** A form of REVIEW_PAGE_SIZE items with long reasons stays well below this. */
export const MAX_REVIEW_FORM_BYTES = 1024 * 1024;
const MAX_REASON_FIELD = 4000;
/** Where the forms post and the links point: relative to the page, so it works behind any host name. */
export const PAGE_ACTION = 'review';

export const getQuerySchema = z.object({
  token: z.string().max(4096).nullable(),
  after: z
    .string()
    .max(8192)
    .regex(/^[A-Za-z0-9_-]+$/, 'not a page link this page issued')
    .nullable(),
});

const FIELD = /^(decision|reason):([0-9a-fA-F-]{36})$/;

const formSchema = z.object({
  token: z.string().min(1).max(4096),
  access_token: z.string().max(16384).optional(),
  items: z
    .array(
      z.object({
        id: z.guid(),
        decision: z.enum(['Approve', 'Deny', 'DontKnow']).optional(),
        reason: z.string().max(MAX_REASON_FIELD).optional(),
      }),
    )
    .max(REVIEW_PAGE_SIZE),
});
export type ReviewForm = z.infer<typeof formSchema>;

/** The form as this page sends it: `token`, `decision:{id}`, `reason:{id}`, optionally `access_token`. */
export function parseReviewForm(
  form: URLSearchParams,
): { ok: true; form: ReviewForm } | { ok: false; detail: string } {
  const items = new Map<string, { id: string; decision?: string; reason?: string }>();
  const raw: { token?: string; access_token?: string } = {};
  for (const [key, value] of form) {
    if (key === 'token' || key === 'access_token') {
      if (raw[key] !== undefined) return { ok: false, detail: `The form has ${key} twice.` };
      raw[key] = value;
      continue;
    }
    const field = FIELD.exec(key);
    if (!field?.[1] || !field[2])
      return { ok: false, detail: `The form has an unknown field "${key.slice(0, 60)}".` };
    const id = field[2].toLowerCase();
    const entry = items.get(id) ?? { id };
    const kind = field[1] as 'decision' | 'reason';
    if (entry[kind] !== undefined) return { ok: false, detail: `The form has ${kind} for one item twice.` };
    entry[kind] = value;
    items.set(id, entry);
  }
  const parsed = formSchema.safeParse({ ...raw, items: [...items.values()] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path[0] === 'items' ? 'an item' : String(issue?.path[0] ?? 'the form');
    return {
      ok: false,
      detail: `The form is not one this page sent (${where}: ${issue?.message ?? 'invalid'}).`,
    };
  }
  return { ok: true, form: parsed.data };
}
