/**
 * The access-review page behind reviewers' e-mail links. `GET /api/accessReviews/review?token=...` shows the review
 * and the reviewer's pending items and never acts; `POST /api/accessReviews/review` (form-encoded: `token`,
 * `decision:{itemId}`, `reason:{itemId}`) records the chosen decisions. Anonymous: the signed, expiring token bound to
 * the instance and the reviewer is the credential — plus an access token of that reviewer when
 * APPROVAL_REQUIRE_SIGN_IN is set. See shared/reviews/http/review-pages.ts and docs/api/access-reviews.md.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { readBodyText } from '../shared/http/body';
import { REVIEW_PAGE_ROUTE } from '../shared/reviews/http/review-link';
import { MAX_REVIEW_FORM_BYTES } from '../shared/reviews/http/review-form';
import { reviewErrorPage } from '../shared/reviews/http/review-page-views';
import { showReviewPage, submitReviewPage } from '../shared/reviews/http/review-pages';
import { getAppServices } from '../shared/composition-root';

const TOO_LARGE = (): HttpResponseInit =>
  reviewErrorPage(413, 'Too much text', 'The form is larger than a page of decisions can be.');

export async function accessReviewPage(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  return showReviewPage(services, { token: request.query.get('token'), after: request.query.get('after') });
}

export async function accessReviewSubmit(request: HttpRequest): Promise<HttpResponseInit> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return reviewErrorPage(
      415,
      'Unsupported form',
      'Send the decisions as a form (application/x-www-form-urlencoded).',
    );
  }
  const body = await readBodyText(request, MAX_REVIEW_FORM_BYTES);
  if (!body.ok) return TOO_LARGE();
  const services = await getAppServices();
  return submitReviewPage(services, new URLSearchParams(body.text), {
    authorization: request.headers.get('authorization'),
    secFetchSite: request.headers.get('sec-fetch-site'),
  });
}

app.http('accessReviewPage', {
  route: REVIEW_PAGE_ROUTE,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: accessReviewPage,
});
app.http('accessReviewSubmit', {
  route: REVIEW_PAGE_ROUTE,
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: accessReviewSubmit,
});
