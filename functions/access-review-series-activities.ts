/** Registers the series orchestration's activities (orchestrations/access-review-series.ts). */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { seriesInstanceId } from '../shared/reviews/review-names';
import { getAppServices } from '../shared/composition-root';
import {
  createSeriesActivities,
  SERIES_ACTIVITIES as A,
  type SeriesActivities,
  type SeriesInput,
  type StartOccurrenceInput,
} from '../shared/reviews/series-activities';

let built: Promise<SeriesActivities> | undefined;

function activities(): Promise<SeriesActivities> {
  built ??= getAppServices()
    .then((s) => createSeriesActivities(s))
    .catch((err: unknown) => {
      built = undefined;
      throw err;
    });
  return built;
}

// The plan asks the durable client when its series started: a young series may be ahead of its definition's write.
df.app.activity(A.plan, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: SeriesInput, context: InvocationContext) => {
    const client = df.getClient(context);
    return (await activities()).planOccurrence(input, async (definitionId) => {
      const status = await client.getStatus(seriesInstanceId(definitionId)).catch(() => undefined);
      return status?.createdTime ? new Date(status.createdTime) : undefined;
    });
  },
});

df.app.activity(A.start, {
  handler: async (input: StartOccurrenceInput) => (await activities()).startOccurrence(input),
});
