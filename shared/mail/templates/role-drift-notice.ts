/**
 * Tells admins what one drift check found for one managed directory role — role assignments made outside
 * pimflow (PIM's "roles are being assigned outside of PIM"), or pimflow's assignments gone — and what it removed.
 */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph } from '../parts';

export interface RoleDriftNoticeItem {
  kind: 'addedOutsidePim' | 'missingAssignment';
  /** `/` (the whole directory) or `/administrativeUnits/{id}`. */
  directoryScopeId: string;
  principalId: string;
  principalName: string | null;
  outcome: 'reported' | 'removed' | 'removalFailed' | 'keptAsLastAdmin';
  reason?: string | null;
}

export interface RoleDriftNoticeParams {
  roleName: string;
  roleDefinitionId: string;
  checkedDateTime: string;
  items: RoleDriftNoticeItem[];
  /** The role's setting: whether assignments made outside pimflow are removed. */
  removesOutsideAssignments: boolean;
  reportUrl: string;
}

const WHAT: Record<RoleDriftNoticeItem['kind'], string> = {
  addedOutsidePim: 'Role assigned outside pimflow',
  missingAssignment: 'Assignment by pimflow missing (removed outside pimflow)',
};

const OUTCOME: Record<RoleDriftNoticeItem['outcome'], (i: RoleDriftNoticeItem) => string> = {
  reported: () => '',
  removed: () => ' — removed by pimflow',
  removalFailed: (i) => ` — removal failed${i.reason ? `: ${i.reason}` : ''}`,
  keptAsLastAdmin: (i) => ` — kept${i.reason ? `: ${i.reason}` : ': the last privileged administrator'}`,
};

function scopeName(scope: string): string {
  return scope === '/' ? 'directory' : scope;
}

export const roleDriftNotice = defineTemplate((p: RoleDriftNoticeParams) => {
  const count = `${p.items.length} ${p.items.length === 1 ? 'change' : 'changes'}`;
  const headline = `Drift in the ${p.roleName} role: ${count} outside pimflow`;
  return {
    subject: headline,
    preheader: `pimflow compared the ${p.roleName} role's assignments in Microsoft Graph with the access it knows`,
    body: [
      heading(headline),
      paragraph(
        `The drift check of ${p.checkedDateTime} found assignments of the ${p.roleName} role that pimflow did not make, or assignments it made that are gone.`,
      ),
      facts(
        p.items.map(
          (i) =>
            [
              `${WHAT[i.kind]} (scope ${scopeName(i.directoryScopeId)})`,
              `${i.principalName ? `${i.principalName} (${i.principalId})` : i.principalId}${OUTCOME[i.outcome](i)}`,
            ] as const,
        ),
      ),
      facts([
        ['Role', `${p.roleName} (${p.roleDefinitionId})`],
        [
          'Assignments made outside pimflow',
          p.removesOutsideAssignments ? 'are removed' : 'are reported only',
        ],
        ['Current drift', p.reportUrl],
      ]),
      paragraph('pimflow mails each difference once, when a check first sees it.'),
    ],
    footerNote: 'You get this mail as an administrator of directory roles under pimflow management.',
  };
});
