/** Registers the request orchestration's activities; each calls into shared/ (built once, in pim-services). */
import * as df from 'durable-functions';
import { getAppServices } from '../shared/composition-root';
import { REQUEST_ACTIVITIES as A } from '../shared/requests/activity-names';
import type { RequestActivities } from '../shared/requests/request-activities';

function register<K extends keyof RequestActivities>(name: string, key: K): void {
  df.app.activity(name, {
    handler: async (input: Parameters<RequestActivities[K]>[0]) => {
      const { requestActivities } = await getAppServices();
      const activity = requestActivities[key] as (
        arg: Parameters<RequestActivities[K]>[0],
      ) => Promise<unknown>;
      return activity(input);
    },
  });
}

register(A.loadRequest, 'loadRequest');
register(A.abandonRequest, 'abandonRequest');
register(A.readDecision, 'readDecision');
register(A.confirmCancel, 'confirmCancel');
register(A.confirmEnd, 'confirmEnd');
register(A.setRequestStatus, 'setRequestStatus');
register(A.grantAccess, 'grantAccess');
register(A.revokeAccess, 'revokeAccess');
register(A.recordStarted, 'recordStarted');
register(A.recordEnded, 'recordEnded');
register(A.recordRevokeFailure, 'recordRevokeFailure');
