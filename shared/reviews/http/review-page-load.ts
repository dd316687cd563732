/**
 * What the reviewer's page reads: the review a link is for (verified token, instance, definition — or the error page
 * saying why not), the reviewer's name, and a page of their items.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { TokenValidator } from '../../auth/token-validator';
import type { Settings } from '../../config';
import type { Directory } from '../../directory/directory';
import type { Stored } from '../../storage/stored';
import { cosmosStatus } from '../../storage/cosmos-status';
import type { DecideServices } from '../decide';
import type { ReviewDecision } from '../domain/review-decision';
import type { ReviewDefinition } from '../domain/review-definition';
import type { ReviewInstance } from '../domain/review-instance';
import { currentStage } from '../domain/review-stages';
import { REVIEW_PAGE_SIZE } from './review-form';
import { verifyReviewLink, type ReviewLinkClaims } from './review-link';
import { reviewErrorPage } from './review-page-views';

export interface ReviewPageServices extends DecideServices {
  settings: Pick<Settings, 'APPROVAL_LINK_SIGNING_KEY' | 'APPROVAL_REQUIRE_SIGN_IN'>;
  directory: Pick<Directory, 'getUser'>;
  tokens: TokenValidator;
}

type Loaded =
  | {
      ok: true;
      claims: ReviewLinkClaims;
      instance: Stored<ReviewInstance>;
      definition: Stored<ReviewDefinition>;
    }
  | { ok: false; response: HttpResponseInit };

/** Verifies the token and finds the review it is for; an error page when the link can't be used. */
export async function loadReview(
  services: ReviewPageServices,
  token: string | null,
  now: Date,
): Promise<Loaded> {
  const verified = await verifyReviewLink(services.settings, token, now);
  if (!verified.ok) {
    return {
      ok: false,
      response:
        verified.reason === 'expired'
          ? reviewErrorPage(
              410,
              'This link has expired',
              `${verified.detail} Decisions can no longer be recorded with it.`,
            )
          : reviewErrorPage(400, 'This link is not valid', verified.detail),
    };
  }
  const claims = verified.claims;
  const instance = await services.reviews.findInstance(claims.instanceId);
  const definition =
    instance && (await services.reviews.definitions.find(instance.definitionId, instance.definitionId));
  if (!instance || !definition) {
    return {
      ok: false,
      response: reviewErrorPage(
        404,
        'Review not found',
        'The access review this link is for no longer exists.',
      ),
    };
  }
  return { ok: true, claims, instance, definition };
}

export async function reviewerName(services: ReviewPageServices, id: string): Promise<string | null> {
  return (await services.directory.getUser(id).catch(() => null))?.displayName ?? null;
}

/** A multi-stage review's page shows the stage in progress (once none is, every item as it ended). */
function stageOf(instance: Pick<ReviewInstance, 'stages'>): { stageId?: string } {
  const stage = currentStage(instance);
  return stage ? { stageId: stage.stageId } : {};
}

export type Listing = { ok: true; items: Stored<ReviewDecision>[]; continuation?: string } | { ok: false };

export async function listItems(
  services: ReviewPageServices,
  instance: Pick<ReviewInstance, 'id' | 'stages'>,
  reviewerId: string,
  pendingOnly: boolean,
  continuation: string | undefined,
): Promise<Listing> {
  try {
    const result = await services.reviews.listDecisions({
      instanceId: instance.id,
      reviewerId,
      // A multi-stage review's page shows the stage in progress (once none is, the items as they ended).
      ...stageOf(instance),
      ...(pendingOnly ? { decision: 'NotReviewed' as const } : {}),
      pageSize: REVIEW_PAGE_SIZE,
      continuationToken: continuation,
    });
    return { ok: true, items: result.items, continuation: result.continuationToken };
  } catch (err) {
    // A continuation the store can't read (changed by hand, or from an older page) is the link's fault.
    if (continuation !== undefined && cosmosStatus(err) === 400) return { ok: false };
    throw err;
  }
}

export const BAD_PAGE_LINK = (): HttpResponseInit =>
  reviewErrorPage(400, 'This page link is not valid', 'Open the link from your e-mail again.');
