/** The pure mapping from a problem to Graph's error (shared/http/graph-error.ts) and the route rule. */
import { describe, expect, it } from 'vitest';
import {
  graphErrorCode,
  isGraphShapedPath,
  problemAsGraphError,
  type GraphErrorBody,
} from '../../shared/http/graph-error';
import { problem } from '../../shared/http/problem';

const context = { now: new Date('2026-03-02T09:00:00.123Z'), requestId: 'rid-1', clientRequestId: null };
const bodyOf = (r: { body?: unknown }) => JSON.parse(r.body as string) as GraphErrorBody;

describe('isGraphShapedPath', () => {
  it.each([
    '/api/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
    "/api/identityGovernance/privilegedAccess/group/eligibilitySchedules/filterByCurrentUser(on='principal')",
    '/api/IDENTITYGOVERNANCE/accessReviews/definitions/x',
    '/api/roleManagement/directory/roleAssignmentScheduleRequests/1',
    '/api/policies/roleManagementPolicies',
    '/api/auditLogs/directoryAudits',
  ])('%s is Graph-shaped', (path) => expect(isGraphShapedPath(path)).toBe(true));

  it.each([
    '/api/managedGroups',
    '/api/managedRoles/1',
    '/api/health',
    '/api/me',
    '/api/driftChecks',
    '/api/driftReports',
    '/api/auditLogs',
    '/api/auditLogs/directoryAuditsX',
    '/api/admin/testEmail',
    '/api/approvals/decide',
    '/api/accessReviews/review',
    '/identityGovernance/accessReviews/definitions',
  ])('%s is not', (path) => expect(isGraphShapedPath(path)).toBe(false));
});

describe('problemAsGraphError', () => {
  it('turns a 400 with field errors into Graph error with details, keeping the message', () => {
    const r = problemAsGraphError(
      problem(400, 'Invalid body: body.action: Required', {
        errors: [{ field: 'body.action', message: 'Required' }],
      }),
      context,
    );
    expect(r?.status).toBe(400);
    expect(new Headers(r?.headers as Record<string, string>).get('content-type')).toBe('application/json');
    expect(bodyOf(r!)).toEqual({
      error: {
        code: 'BadRequest',
        message: 'Invalid body: body.action: Required',
        details: [{ code: 'BadRequest', message: 'Required', target: 'body.action' }],
        innerError: { date: '2026-03-02T09:00:00', 'request-id': 'rid-1', 'client-request-id': 'rid-1' },
      },
    });
  });

  it('takes a code extension over the status default and keeps other extensions in innerError', () => {
    const r = problemAsGraphError(
      problem(404, 'No role definition x in the directory', {
        code: 'Request_ResourceNotFound',
        reason: 'gone',
      }),
      { ...context, clientRequestId: '5f2c6a7e-1111-4222-8333-944445555666' },
    );
    const body = bodyOf(r!);
    expect(body.error.code).toBe('Request_ResourceNotFound');
    expect(body.error.innerError).toMatchObject({
      reason: 'gone',
      'client-request-id': '5f2c6a7e-1111-4222-8333-944445555666',
    });
    const headers = r?.headers as Record<string, string>;
    expect(headers['request-id']).toBe('rid-1');
    expect(headers['client-request-id']).toBe('5f2c6a7e-1111-4222-8333-944445555666');
  });

  it('keeps WWW-Authenticate and Retry-After', () => {
    const challenge = 'Bearer realm="pimflow", error="insufficient_claims", claims="e30="';
    const unauth = problemAsGraphError(
      problem(401, 'Sign in again', {}, { 'www-authenticate': challenge }),
      context,
    );
    expect((unauth?.headers as Record<string, string>)['www-authenticate']).toBe(challenge);
    expect(bodyOf(unauth!).error.code).toBe('InvalidAuthenticationToken');
    const busy = problemAsGraphError(problem(503, 'Try again', {}, { 'retry-after': '60' }), context);
    expect((busy?.headers as Record<string, string>)['retry-after']).toBe('60');
    expect(bodyOf(busy!).error.code).toBe('ServiceUnavailable');
  });

  it('does not echo a client-request-id that is no id', () => {
    const r = problemAsGraphError(problem(403, 'No'), { ...context, clientRequestId: '<script>' });
    expect(bodyOf(r!).error.innerError['client-request-id']).toBe('rid-1');
  });

  it('leaves successes and other bodies alone', () => {
    expect(problemAsGraphError({ status: 200, jsonBody: { value: [] } }, context)).toBeUndefined();
    expect(
      problemAsGraphError(
        { status: 400, headers: { 'content-type': 'text/html' }, body: '<p>no</p>' },
        context,
      ),
    ).toBeUndefined();
  });

  it.each([
    [400, 'BadRequest'],
    [401, 'InvalidAuthenticationToken'],
    [403, 'Forbidden'],
    [404, 'NotFound'],
    [409, 'Conflict'],
    [412, 'PreconditionFailed'],
    [413, 'RequestEntityTooLarge'],
    [415, 'UnsupportedMediaType'],
    [429, 'TooManyRequests'],
    [418, 'BadRequest'],
    [500, 'UnknownError'],
    [503, 'ServiceUnavailable'],
  ])('answers %i with %s', (status, code) => expect(graphErrorCode(status)).toBe(code));
});
