/** Every container the app uses, for `ensureDatabase` at start. Each aggregate's repository declares its own. */
import type { ContainerSpec } from './ensure-database';
import { auditLogsContainer } from '../audit/audit-log';
import {
  requestLocksContainer,
  scheduleRequestsContainer,
  schedulesContainer,
} from '../pim/requests/pim-containers';
import { managedGroupsContainer } from './managed-group-repository';
import { roleManagementPoliciesContainer } from '../pim/policy/policy-store';
import { approvalsContainer } from '../pim/approvals/approval';
import { driftReportsContainer } from '../pim/drift/drift-store';
import {
  reviewDecisionsContainer,
  reviewDefinitionsContainer,
  reviewInstancesContainer,
} from '../reviews/review-store';

export const appContainers: readonly ContainerSpec[] = [
  managedGroupsContainer,
  auditLogsContainer,
  scheduleRequestsContainer,
  schedulesContainer,
  requestLocksContainer,
  roleManagementPoliciesContainer,
  approvalsContainer,
  driftReportsContainer,
  reviewDefinitionsContainer,
  reviewInstancesContainer,
  reviewDecisionsContainer,
];
