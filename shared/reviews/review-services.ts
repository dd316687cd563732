/**
 * What access-review code runs on: the PIM services (store, directory, mailer, audit, clock, settings, role
 * settings) plus the review store. Built once per process, like getPimServices.
 */
import { getPimServices, type PimServices } from '../pim-services';
import { ReviewStore } from './adapters/review-store';

export interface ReviewServices extends PimServices {
  reviews: ReviewStore;
}

let built: Promise<ReviewServices> | undefined;

export function getReviewServices(): Promise<ReviewServices> {
  built ??= getPimServices()
    .then((pim) => ({ ...pim, reviews: new ReviewStore(pim.database) }))
    .catch((err: unknown) => {
      built = undefined;
      throw err;
    });
  return built;
}
