/**
 * What the approval tests share: requests and role settings built by hand (the request orchestration isn't needed
 * to open an approval), links read out of the mailbox, a recorder standing in for the durable client's raiseEvent,
 * and a real orchestration instance waiting under a request's instance id, so the HTTP functions' raiseEvent lands.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { REQUEST_ORCHESTRATOR } from '../../shared/requests/activity-names';
import { requestInstanceId, type ApprovalDecision } from '../../shared/requests/domain/schedule-request';
import type { RequestWorkflowInput } from '../../shared/requests/domain/request-workflow';
import {
  defaultRoleSettings,
  type Approver,
  type RoleSettings,
} from '../../shared/policies/domain/role-settings';
import type { RaiseDecision } from '../../shared/approvals/approval-services';
import type { ApprovalRequestInput } from '../../shared/approvals/open-approval';
import { durableFetch } from '../helpers';
import type { PimApp } from '../pim-harness';

export const HELPDESK = 'e3d4b516-8621-440b-a7a2-58d0c8c710af'; // owners: Sofia Rossi, the admin
export const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e'; // members: Marcus, Ava, SRE On-Call (nested), an app

export function approvalSettings(
  groupId: string,
  approvers: Approver[],
  o: { justification?: boolean; days?: number } = {},
): RoleSettings {
  const s = defaultRoleSettings(groupId, 'owner');
  return {
    ...s,
    activation: {
      ...s.activation,
      requireApproval: true,
      approvers,
      approvalStageTimeOutInDays: o.days ?? 1,
      isApproverJustificationRequired: o.justification ?? false,
    },
  };
}

export function newRequest(
  principal: { id: string },
  groupId: string,
  o: { justification?: string; ticket?: string; start?: Date; hours?: number } = {},
): ApprovalRequestInput {
  const start = o.start ?? new Date();
  return {
    id: randomUUID(),
    groupId,
    accessId: 'owner',
    principalId: principal.id,
    action: 'selfActivate',
    justification: o.justification ?? 'Quarterly access review of the helpdesk queue',
    ticketInfo: o.ticket ? { ticketNumber: o.ticket, ticketSystem: 'ServiceNow' } : null,
    startDateTime: start.toISOString(),
    endDateTime: new Date(start.getTime() + (o.hours ?? 2) * 3_600_000).toISOString(),
    createdBy: { user: { id: principal.id } },
  };
}

export interface RaiseRecorder {
  raise: RaiseDecision;
  calls: { instanceId: string; eventName: string; payload: ApprovalDecision }[];
}

export function raiseRecorder(): RaiseRecorder {
  const calls: RaiseRecorder['calls'] = [];
  return {
    calls,
    raise: (instanceId, eventName, payload) => {
      calls.push({ instanceId, eventName, payload });
      return Promise.resolve();
    },
  };
}

type Mail = Awaited<ReturnType<PimApp['mailTo']>>[number];

/** The approval mails to `address` about `requestId` (the request id is in every approval mail). */
export async function approvalMails(app: PimApp, address: string, requestId: string): Promise<Mail[]> {
  return (await app.mailTo(address)).filter((m) => m.text.includes(requestId));
}

/** The link to the confirmation page in an approval mail's HTML. */
export function linkIn(mail: Mail): string {
  const match = /href="([^"]*\/api\/approvals\/decide\?token=[^"]+)"/.exec(mail.html);
  if (!match?.[1]) throw new Error(`No approval link in "${mail.subject}"`);
  return match[1].replace(/&amp;/g, '&');
}

export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`No token in ${link}`);
  return token;
}

/** Posts the confirmation page's form, as a browser would. */
export async function postDecision(
  app: PimApp,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${app.rt.urls.api}/approvals/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/**
 * Starts the request orchestration under the request's instance id, waiting for a start a year away: the instance
 * the HTTP functions raise `ApprovalDecided` to exists, as it does in production while an approval is open.
 */
export async function startWaitingInstance(app: PimApp, request: ApprovalRequestInput): Promise<string> {
  const start = new Date(Date.now() + 365 * 86_400_000);
  const input: RequestWorkflowInput = {
    requestId: request.id,
    groupId: request.groupId,
    kind: 'eligibility',
    action: 'adminAssign',
    accessId: request.accessId,
    principalId: request.principalId,
    startDateTime: start.toISOString(),
    endDateTime: null,
    approval: null,
    activatedUsing: null,
  };
  const instanceId = requestInstanceId(request.id);
  const res = await durableFetch(app.rt, `orchestrators/${REQUEST_ORCHESTRATOR}/${instanceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return instanceId;
}

/** Names of the events the instance has received (from its history). */
export async function eventsRaised(app: PimApp, instanceId: string): Promise<string[]> {
  const res = await durableFetch(app.rt, `instances/${instanceId}?showHistory=true&showHistoryOutput=true`);
  const body = (await res.json()) as { historyEvents?: { EventType: string; Name?: string }[] };
  return (body.historyEvents ?? []).filter((e) => e.EventType === 'EventRaised').map((e) => e.Name ?? '');
}
