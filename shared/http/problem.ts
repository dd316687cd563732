/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with a useful `detail`,
 * and never a stack trace.
 */
import type { HttpResponseInit } from '@azure/functions';

export interface ProblemDetails {
  type?: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpResponseInit {
  const body: ProblemDetails = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extensions,
  };
  return {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
