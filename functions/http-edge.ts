/**
 * What every HTTP call goes through around its function, as hooks of the programming model (`@azure/functions`), so
 * they run the same under the Functions host and the local runtime and no HTTP function can be added without them:
 * - before (shared/http/edge.ts): bodies over 1 MiB → 413, route parameters and query options too long to be ours
 *   → 400;
 * - after (shared/http/graph-error.ts): on a Graph-shaped route, a problem+json answer becomes Graph's error
 *   (`{ error: { code, message, innerError } }`), so Graph's SDKs read it; other routes keep problem+json.
 */
import { randomUUID } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { checkRequestEdges } from '../shared/http/edge';
import { isGraphShapedPath, problemAsGraphError } from '../shared/http/graph-error';

app.hook.preInvocation((context) => {
  if (context.invocationContext.options.trigger.type !== 'httpTrigger') return;
  const request = context.inputs[0] as HttpRequest | undefined;
  if (!request) return;
  const refused = checkRequestEdges(request);
  if (refused) context.functionHandler = () => refused;
});

app.hook.postInvocation((context) => {
  if (context.invocationContext.options.trigger.type !== 'httpTrigger') return;
  const request = context.inputs[0] as HttpRequest | undefined;
  const result = context.result as HttpResponseInit | null | undefined;
  if (!request || !result || typeof result !== 'object') return;
  if (!isGraphShapedPath(new URL(request.url).pathname)) return;
  const graph = problemAsGraphError(result, {
    now: new Date(),
    requestId: randomUUID(),
    clientRequestId: request.headers.get('client-request-id'),
  });
  if (graph) context.result = graph;
});
