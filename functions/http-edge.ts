/**
 * The checks every HTTP request passes before its function runs (shared/http/edge.ts): bodies over 1 MiB → 413,
 * route parameters and query options too long to be ours → 400. A pre-invocation hook of the programming model
 * (`@azure/functions`), so it runs the same under the Functions host and the local runtime, and no HTTP function
 * can be added without it.
 */
import { app, type HttpRequest } from '@azure/functions';
import { checkRequestEdges } from '../shared/http/edge';

app.hook.preInvocation((context) => {
  if (context.invocationContext.options.trigger.type !== 'httpTrigger') return;
  const request = context.inputs[0] as HttpRequest | undefined;
  if (!request) return;
  const refused = checkRequestEdges(request);
  if (refused) context.functionHandler = () => refused;
});
