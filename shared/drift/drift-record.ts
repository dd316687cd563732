/**
 * What a check does with one resource's differences, group or directory role alike: keep them in the resource's
 * report (merged with what earlier runs saw), audit and mail the new ones (one mail per resource and run), and,
 * when the resource's setting says so, remove access granted outside pimflow (audited).
 *
 * Idempotent per run (`runId`): the report is written before anything is audited, removed or mailed, so a
 * retried check knows which differences are this run's (`firstSeenRunId`) and which removals it began
 * (`removal.status = pending`); audit ids are deterministic. The mail is at least once: a crash after sending it
 * and before the final write sends it again.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Directory } from '../directory/directory';
import type { Stored } from '../storage/stored';
import type { DriftDifference } from './domain/drift';
import { reportOf, type DriftItem, type DriftReport } from './domain/drift-report';
import type { DriftSubject } from './domain/drift-subject';
import { detectedRecord, keptRecord, removalFailedRecord, removedRecord } from './domain/audit-records';
import type { DriftStore } from './adapters/drift-store';
import { mailAdmins, noticeItems, type DriftMailDeps, type SettingsOf } from './drift-mail';
import type { DriftGroupResult } from './contract';

export interface DriftRecordDeps extends DriftMailDeps {
  directory: Directory;
  driftReports: DriftStore;
  audit: AuditWriter;
}

/** One resource's check, read and compared; how its removals go is the resource's own. */
export interface CheckedResource {
  subject: DriftSubject;
  differences: DriftDifference[];
  previous: Stored<DriftReport> | undefined;
  runId: string;
  now: Date;
  /** Role settings whose additional admin recipients get the mail. */
  settingsOf: readonly SettingsOf[];
  /** Marks the items this run removes (`pending`) and any it keeps; returns the keys of those to remove. */
  planRemovals(items: DriftItem[], nowIso: string): Set<string>;
  /** Removes the items: what went, and what failed or was refused (each item's `removal` says which). */
  remove(items: DriftItem[], nowIso: string): Promise<{ removed: DriftItem[]; failed: DriftItem[] }>;
  /** After the removals: the baseline without the holders who are gone (it only shrinks). */
  pruneBaseline(): Promise<void>;
}

export async function recordDrift(d: DriftRecordDeps, c: CheckedResource): Promise<DriftGroupResult> {
  const { subject, runId, now } = c;
  const nowIso = now.toISOString();
  const removing = subject.removesOutsideAccess;
  const before = new Map((c.previous?.differences ?? []).map((i) => [i.key, i]));
  const items: DriftItem[] = c.differences.map((diff) => {
    const known = before.get(diff.key);
    return {
      ...diff,
      principalType: diff.principalType ?? known?.principalType ?? null,
      principalDisplayName: diff.principalDisplayName ?? known?.principalDisplayName ?? null,
      firstSeenDateTime: known?.firstSeenDateTime ?? nowIso,
      lastSeenDateTime: nowIso,
      firstSeenRunId: known?.firstSeenRunId ?? runId,
      removal: removing ? (known?.removal ?? null) : null,
    };
  });
  await nameNewPrincipals(d.directory, items, runId);
  const current = new Set(items.map((i) => i.key));
  // Removals this run began before a crash, which Graph has since confirmed: finish them (audit, mail).
  const removedEarlier = [...before.values()].filter(
    (i) => i.removal?.status === 'pending' && i.removal.runId === runId && !current.has(i.key),
  );
  const toRemove = removing ? c.planRemovals(items, nowIso) : new Set<string>();

  // 1. The report first: from here on a retry of this run knows what is new and what it is removing.
  let report = await d.driftReports.save(reportOf(subject, items, nowIso, runId, false), c.previous?._etag);

  // 2. Audit what is new.
  const fresh = items.filter((i) => i.firstSeenRunId === runId);
  for (const item of fresh) await d.audit.record(detectedRecord(subject, item, runId, now));

  // 3. Remove access granted outside pimflow, if the resource says so.
  const outcome = await c.remove(
    items.filter((i) => toRemove.has(i.key)),
    nowIso,
  );
  const removed: DriftItem[] = [...removedEarlier, ...outcome.removed];
  const failed = outcome.failed;
  for (const item of items) {
    const status = item.removal?.status;
    if ((status === 'keptAsLastOwner' || status === 'keptAsLastAdmin') && item.removal?.runId === runId) {
      await d.audit.record(keptRecord(subject, item, runId, now));
    }
  }
  for (const item of removed) await d.audit.record(removedRecord(subject, item, runId, now));
  for (const item of failed) {
    if (item.removal?.status === 'failed') {
      await d.audit.record(removalFailedRecord(subject, item, runId, now));
    }
  }

  // 4. One mail for the resource: what is new, and what this run removed (or could not).
  const notice = noticeItems(items, removed, failed, before, runId);
  let mailed = false;
  if (notice.length > 0) mailed = await mailAdmins(d, subject, c.settingsOf, notice, nowIso, runId);

  // 5. The baseline only shrinks: holders found in place and gone since are no longer exempt (see drift.ts).
  await c.pruneBaseline();

  const removedKeys = new Set(removed.map((i) => i.key));
  const remaining = items.filter((i) => !removedKeys.has(i.key));
  report = await d.driftReports.save(reportOf(subject, remaining, nowIso, runId, true), report._etag);
  return {
    groupId: subject.reportKey,
    ...(subject.resourceType === 'directoryRole' ? { resourceType: subject.resourceType } : {}),
    status: 'checked',
    differences: report.differenceCount,
    newDifferences: fresh.length,
    removed: removed.length,
    removalFailed: failed.length,
    mailed,
  };
}

/**
 * Graph doesn't list a principal who is missing, and a role assignment names only the principal's id: look up the
 * names of this run's new ones (few, if any).
 */
async function nameNewPrincipals(directory: Directory, items: DriftItem[], runId: string): Promise<void> {
  const unnamed = items.filter((i) => i.principalDisplayName === null && i.firstSeenRunId === runId);
  await Promise.all(
    unnamed.map(async (item) => {
      const principal = await directory.getPrincipal(item.principalId);
      if (principal) {
        item.principalDisplayName = principal.displayName;
        item.principalType = principal.type;
      }
    }),
  );
}
