/** Steps the lifecycle tests share: ask for an extension or renewal, read schedules, count notices. */
import { expect } from 'vitest';
import type { PimApp } from '../pim-harness';
import { ADMIN, BASE } from '../pim/pim-scenario';

export const DAY_MS = 86_400_000;

export interface ScheduleView {
  id: string;
  principalId: string;
  status: string;
  scheduleInfo: { expiration: { endDateTime?: string | null } };
}

export interface RequestView {
  id: string;
  status: string;
  approvalId: string | null;
  targetScheduleId: string | null;
}

export function lifecycleRequest(
  app: PimApp,
  kind: 'assignment' | 'eligibility',
  as: string,
  body: {
    action: 'selfExtend' | 'selfRenew' | 'adminExtend' | 'adminRenew';
    principalId: string;
    groupId: string;
    accessId?: 'member' | 'owner';
    duration?: string;
    endDateTime?: string;
    targetScheduleId?: string;
    justification?: string | null;
  },
  roles: string[] = [],
): Promise<Response> {
  const expiration = body.endDateTime
    ? { type: 'afterDateTime', endDateTime: body.endDateTime }
    : body.duration
      ? { type: 'afterDuration', duration: body.duration }
      : undefined;
  return app.api(`${BASE}/${kind}ScheduleRequests`, {
    as,
    roles,
    amr: ['pwd', 'mfa'],
    acrs: ['c1'],
    body: {
      action: body.action,
      accessId: body.accessId ?? 'member',
      groupId: body.groupId,
      principalId: body.principalId,
      justification: body.justification === undefined ? 'Still on the rota' : body.justification,
      ...(body.targetScheduleId ? { targetScheduleId: body.targetScheduleId } : {}),
      ...(expiration ? { scheduleInfo: { expiration } } : {}),
    },
  });
}

/** The principal's schedules of a kind as the API lists them (current, future, and expired in the last 30 days). */
export async function schedulesOf(
  app: PimApp,
  kind: 'assignment' | 'eligibility',
  principalId: string,
): Promise<ScheduleView[]> {
  const page = await app.json<{ value: ScheduleView[] }>(
    `${BASE}/${kind}Schedules?$filter=principalId eq '${principalId}'`,
    ADMIN,
  );
  return page.value;
}

export async function requestOf(
  app: PimApp,
  kind: 'assignment' | 'eligibility',
  id: string,
): Promise<RequestView> {
  return app.json<RequestView>(`${BASE}/${kind}ScheduleRequests/${id}`, ADMIN);
}

/** Subjects of the mail an address got that match `pattern`. */
export async function subjects(app: PimApp, address: string, pattern: RegExp): Promise<string[]> {
  return (await app.mailTo(address)).map((m) => m.subject).filter((s) => pattern.test(s));
}

/** Decides the approval's step in progress as `as` (an approver), Graph's way. */
export async function decideCurrentStep(
  app: PimApp,
  approvalId: string,
  as: string,
  reviewResult: 'Approve' | 'Deny',
): Promise<void> {
  const approval = await app.json<{ steps: { id: string; status: string }[] }>(
    `${BASE}/assignmentApprovals/${approvalId}`,
    ADMIN,
  );
  const step = approval.steps.find((s) => s.status === 'InProgress');
  expect(step, JSON.stringify(approval)).toBeDefined();
  const res = await app.api(`${BASE}/assignmentApprovals/${approvalId}/steps/${step?.id}`, {
    as,
    method: 'PATCH',
    body: { reviewResult, justification: 'Still needed' },
  });
  expect(res.status, await res.clone().text()).toBe(204);
  await app.rt.waitForIdle();
}

/** A schedule's end as Graph shows it (scheduleInfo.expiration.endDateTime). */
export function endOf(s: ScheduleView | undefined): string | null | undefined {
  return s?.scheduleInfo.expiration.endDateTime;
}
