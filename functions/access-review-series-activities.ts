/** Registers the series orchestration's activities (orchestrations/access-review-series.ts). */
import * as df from 'durable-functions';
import { getAppServices } from '../shared/composition-root';
import { seriesInstanceId, SeriesActivity } from '../shared/reviews/contract';
import { createSeriesActivities, type SeriesActivities } from '../shared/reviews/series-activities';
import { registerActivity } from './register-activity';

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
registerActivity(
  SeriesActivity.plan,
  async (input, context) => {
    const client = df.getClient(context);
    return (await activities()).planOccurrence(input, async (definitionId) => {
      const status = await client.getStatus(seriesInstanceId(definitionId)).catch(() => undefined);
      return status?.createdTime ? new Date(status.createdTime) : undefined;
    });
  },
  { durableClient: true },
);

registerActivity(SeriesActivity.start, async (input) => (await activities()).startOccurrence(input));
