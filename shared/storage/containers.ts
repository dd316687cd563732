/** Every container the app uses, for `ensureDatabase` at start. Each aggregate's repository declares its own. */
import type { ContainerSpec } from './ensure-database';
import { auditLogsContainer } from '../audit/adapters/audit-log';
import {
  requestLocksContainer,
  scheduleRequestsContainer,
  schedulesContainer,
} from '../requests/adapters/pim-containers';
import { managedGroupsContainer } from '../managed-groups/adapters/managed-group-repository';
import { managedRolesContainer } from '../managed-roles/adapters/managed-role-repository';
import { managedAzureScopesContainer } from '../managed-azure/adapters/managed-azure-scope-repository';
import { roleManagementPoliciesContainer } from '../policies/adapters/policy-store';
import { approvalsContainer } from '../approvals/adapters/approval-repository';
import { driftReportsContainer } from '../drift/adapters/drift-store';
import {
  reviewDecisionsContainer,
  reviewDefinitionsContainer,
  reviewInstancesContainer,
} from '../reviews/adapters/review-store';

export const appContainers: readonly ContainerSpec[] = [
  managedGroupsContainer,
  managedRolesContainer,
  managedAzureScopesContainer,
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
