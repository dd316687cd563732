/** Registers the series orchestration's activities (orchestrations/access-review-series.ts). */
import * as df from 'durable-functions';
import { getReviewServices } from '../shared/reviews/review-services';
import {
  createSeriesActivities,
  SERIES_ACTIVITIES as A,
  type SeriesActivities,
  type SeriesInput,
  type StartOccurrenceInput,
} from '../shared/reviews/series-activities';

let built: Promise<SeriesActivities> | undefined;

function activities(): Promise<SeriesActivities> {
  built ??= getReviewServices()
    .then((s) => createSeriesActivities(s))
    .catch((err: unknown) => {
      built = undefined;
      throw err;
    });
  return built;
}

df.app.activity(A.plan, {
  handler: async (input: SeriesInput) => (await activities()).planOccurrence(input),
});

df.app.activity(A.start, {
  handler: async (input: StartOccurrenceInput) => (await activities()).startOccurrence(input),
});
