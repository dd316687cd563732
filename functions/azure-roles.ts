/**
 * PIM for Azure resources, in Azure Resource Manager's own shapes (api-version 2020-10-01), under /api with
 * pimflow's tokens: two catch-all routes, `subscriptions/{*armPath}` and `providers/{*armPath}`, handled by
 * shared/requests/http/arm-api.ts. See docs/api/azure-roles.md.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getAppServices } from '../shared/composition-root';
import { handleArmRequest, type ArmDurable } from '../shared/requests/http/arm-api';
import { orchestrationsOf } from './request-orchestrations';

function durableOf(context: InvocationContext): ArmDurable {
  const client = df.getClient(context);
  return {
    orchestrations: orchestrationsOf(context),
    raiseEvent: (instanceId, eventName, payload) => client.raiseEvent(instanceId, eventName, payload),
  };
}

for (const prefix of ['subscriptions', 'providers'] as const) {
  app.http(`arm${prefix[0]?.toUpperCase()}${prefix.slice(1)}`, {
    route: `${prefix}/{*armPath}`,
    methods: ['GET', 'PUT', 'POST', 'PATCH'],
    authLevel: 'anonymous',
    extraInputs: [df.input.durableClient()],
    handler: async (request, context) =>
      handleArmRequest(await getAppServices(), prefix, request, durableOf(context)),
  });
}
