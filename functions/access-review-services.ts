/**
 * The access review services the functions share, built once per process from the composition root: the instance
 * activities (with the review-page link signer, which lives at the HTTP edge) and the apply activities.
 */
import type { InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import { getAppServices, type AppServices } from '../shared/composition-root';
import type { StopDeps } from '../shared/reviews/stop-instance';
import { raiseEvent } from './register-activity';
import { createApplyActivities, type ApplyActivities } from '../shared/reviews/apply-activities';
import { createInstanceActivities, type InstanceActivities } from '../shared/reviews/instance-activities';
import { reviewPageUrl } from '../shared/reviews/http/review-link';

/** The instance activities over these services: mails carry review-page links signed with the app's key. */
export function instanceActivitiesOf(s: AppServices): InstanceActivities {
  return createInstanceActivities({
    store: s.store,
    reviews: s.reviews,
    directory: s.directory,
    azureReviews: s.azureReviews,
    mailer: s.mailer,
    audit: s.audit,
    clock: s.clock,
    settings: s.settings,
    reviewPageUrl: (claims, now) => reviewPageUrl(s.settings, claims, now),
  });
}

let instance: Promise<InstanceActivities> | undefined;
let apply: Promise<ApplyActivities> | undefined;

export function instanceActivities(): Promise<InstanceActivities> {
  instance ??= getAppServices()
    .then(instanceActivitiesOf)
    .catch((err: unknown) => {
      instance = undefined;
      throw err;
    });
  return instance;
}

export function applyActivities(): Promise<ApplyActivities> {
  apply ??= getAppServices()
    .then((s) => createApplyActivities({ ...s, log: (m) => console.warn(m) }))
    .catch((err: unknown) => {
      apply = undefined;
      throw err;
    });
  return apply;
}

/** What stopping a review or a series needs: the store, the audit log, and the durable client to tell them. */
export function stopDepsOf(s: AppServices, client: df.DurableClient, context: InvocationContext): StopDeps {
  return {
    reviews: s.reviews,
    audit: s.audit,
    clock: s.clock,
    raise: (orchestrationId, event, payload) => raiseEvent(client, orchestrationId, event, payload),
    logError: (message) => context.error(message),
  };
}
