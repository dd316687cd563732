/**
 * What every HTTP call goes through around its function, as hooks of the programming model (`@azure/functions`), so
 * they run the same under the Functions host and the local runtime and no HTTP function can be added without them:
 * - before (shared/http/edge.ts): bodies over 1 MiB → 413, route parameters and query options too long to be ours
 *   → 400;
 * - after (shared/http/graph-error.ts): on a Graph-shaped route, a problem+json answer becomes Graph's error
 *   (`{ error: { code, message, innerError } }`), so Graph's SDKs read it; on an ARM-shaped route
 *   (shared/http/arm-error.ts) ARM's `{ error: { code, message } }`; other routes keep problem+json.
 */
import { randomUUID } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { checkRequestEdges } from '../shared/http/edge';
import { isGraphShapedPath, problemAsGraphError } from '../shared/http/graph-error';
import { isArmShapedPath, problemAsArmError } from '../shared/http/arm-error';

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
  const pathname = new URL(request.url).pathname;
  if (isArmShapedPath(pathname)) {
    const arm = problemAsArmError(result);
    if (arm) context.result = arm;
    return;
  }
  if (!isGraphShapedPath(pathname)) return;
  const graph = problemAsGraphError(result, {
    now: new Date(),
    requestId: randomUUID(),
    clientRequestId: request.headers.get('client-request-id'),
  });
  if (graph) context.result = graph;
});
