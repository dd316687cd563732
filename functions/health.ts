/** `GET /api/health` (anonymous): the app's version and whether each dependency answers. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { systemClock } from '../shared/clock';
import { dependencyChecks } from '../shared/health/dependency-checks';
import { checkHealth, type DependencyCheck } from '../shared/health/health-report';
import { getAppServices } from '../shared/composition-root';
import { APP_VERSION } from '../shared/version';

export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  const checks: DependencyCheck[] = [
    {
      // The task hub: a cheap status query through the Durable extension's API.
      name: 'durableTaskHub',
      probe: async () => {
        await client.getStatusBy({
          createdTimeFrom: systemClock.now(),
          runtimeStatus: [df.OrchestrationRuntimeStatus.Running],
        });
      },
    },
  ];
  try {
    checks.push(...dependencyChecks(await getAppServices()));
  } catch (err) {
    // AppServices could not even be built (e.g. Cosmos unreachable at first use): report that, don't fail.
    checks.push({
      name: 'services',
      probe: () => Promise.reject(err instanceof Error ? err : new Error(String(err))),
    });
  }
  const report = await checkHealth(APP_VERSION, checks, systemClock);
  return {
    status: report.status === 'healthy' ? 200 : 503,
    jsonBody: report,
    headers: { 'cache-control': 'no-store' },
  };
}

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: health,
});
