/** Graph's error answers: status, code and message as Graph sends them, in Graph's error body. */

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(
  code: string,
  message: string,
  requestId: string,
  now: Date,
): { error: { code: string; message: string; innerError: Record<string, string> } } {
  return {
    error: {
      code,
      message,
      // Graph writes the date without milliseconds or zone designator.
      innerError: {
        date: now.toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': requestId,
      },
    },
  };
}

export const notFound = (key: string): GraphHttpError =>
  new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const badRequest = (message: string): GraphHttpError =>
  new GraphHttpError(400, 'Request_BadRequest', message);

export const segmentNotFound = (segment: string): GraphHttpError =>
  new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);

export const methodNotAllowed = (): GraphHttpError =>
  new GraphHttpError(
    405,
    'Request_BadRequest',
    'Specified HTTP method is not allowed for the request target.',
  );

export const unsupportedQuery = (message: string): GraphHttpError =>
  new GraphHttpError(400, 'Request_UnsupportedQuery', message);

export const invalidObjectId = (id: string): GraphHttpError =>
  badRequest(`Invalid object identifier '${id}'.`);
