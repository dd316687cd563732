/** Tells admins what one drift check found in one group: new differences, and what it removed (or could not). */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph } from '../parts';

export interface DriftNoticeItem {
  kind: 'addedOutsidePim' | 'missingAssignment';
  accessId: 'member' | 'owner';
  principalId: string;
  principalName: string | null;
  /** What the check did about it, if anything. */
  outcome: 'reported' | 'removed' | 'removalFailed' | 'keptAsLastOwner';
  reason?: string | null;
}

export interface DriftNoticeParams {
  groupName: string;
  groupId: string;
  checkedDateTime: string;
  items: DriftNoticeItem[];
  /** The group's setting: whether members added outside pimflow are removed. */
  removesOutsideMembers: boolean;
  reportUrl: string;
}

const WHAT: Record<DriftNoticeItem['kind'], (i: DriftNoticeItem) => string> = {
  addedOutsidePim: (i) => `${i.accessId === 'owner' ? 'Owner' : 'Member'} added outside pimflow`,
  missingAssignment: (i) => `Assigned ${i.accessId} missing from the group (removed outside pimflow)`,
};

const OUTCOME: Record<DriftNoticeItem['outcome'], (i: DriftNoticeItem) => string> = {
  reported: () => '',
  removed: () => ' — removed by pimflow',
  removalFailed: (i) => ` — removal failed${i.reason ? `: ${i.reason}` : ''}`,
  keptAsLastOwner: () => ' — kept: a group never loses its last owner',
};

export const driftNotice = defineTemplate((p: DriftNoticeParams) => {
  const headline = `Drift in ${p.groupName}: ${p.items.length} ${p.items.length === 1 ? 'change' : 'changes'} outside pimflow`;
  return {
    subject: headline,
    preheader: `pimflow compared ${p.groupName} in Microsoft Graph with the access it knows`,
    body: [
      heading(headline),
      paragraph(
        `The drift check of ${p.checkedDateTime} found membership of ${p.groupName} that pimflow did not grant, or access it granted that is gone.`,
      ),
      facts(
        p.items.map(
          (i) =>
            [
              WHAT[i.kind](i),
              `${i.principalName ? `${i.principalName} (${i.principalId})` : i.principalId}${OUTCOME[i.outcome](i)}`,
            ] as const,
        ),
      ),
      facts([
        ['Group', `${p.groupName} (${p.groupId})`],
        ['Members added outside pimflow', p.removesOutsideMembers ? 'are removed' : 'are reported only'],
        ['Current drift', p.reportUrl],
      ]),
      paragraph('pimflow mails each difference once, when a check first sees it.'),
    ],
    footerNote: 'You get this mail as an administrator of groups under pimflow management.',
  };
});
