/**
 * The `approvals` container (partitioned by group), typed by the approval's schema. Every change is ETag-guarded:
 * `replace` at the ETag it was read at, or `update` (read, change, replace; again on a conflict).
 */
import type { Container, Database } from '@azure/cosmos';
import { CosmosRepository } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import type { ResourceType } from '../../access/resource';
import { NotFoundError } from '../../storage/errors';
import type { Page } from '../../storage/stored';
import { approvalSchema, type Approval, type StoredApproval } from '../domain/approval';

export const approvalsContainer: ContainerSpec = { id: 'approvals', partitionKeyPath: '/groupId' };

/** Writes before an approval that keeps changing is given up on. */
const MAX_WRITE_ATTEMPTS = 8;

export class ApprovalRepository {
  private readonly documents: CosmosRepository<Approval>;

  constructor(container: Container) {
    this.documents = new CosmosRepository({
      container,
      schema: approvalSchema,
      partitionKeyOf: (a) => a.groupId,
    });
  }

  static of(database: Database): ApprovalRepository {
    return new ApprovalRepository(database.container(approvalsContainer.id));
  }

  /** By id, in the group's partition when the group is known; otherwise a cross-partition point query. */
  async find(id: string, groupId?: string): Promise<StoredApproval | undefined> {
    if (groupId) return this.documents.find(id, groupId);
    const page = await this.documents.queryPage(
      'SELECT * FROM c WHERE c.id = @id',
      { '@id': id },
      { crossPartition: true, pageSize: 1 },
    );
    return page.items[0];
  }

  /**
   * A page of the approvals waiting for this approver's decision (domain/approval.ts `awaitsDecisionBy`, which
   * callers re-check: ids compare without case there), of one resource type, newest first; across groups.
   */
  listAwaiting(f: {
    approverId: string;
    resourceType: ResourceType;
    pageSize: number;
    continuationToken?: string;
  }): Promise<Page<StoredApproval>> {
    // Approvals written before Entra roles have no resourceType: they are groups'.
    const resource =
      f.resourceType === 'group'
        ? "(NOT IS_DEFINED(c.resourceType) OR c.resourceType = 'group')"
        : 'c.resourceType = @resourceType';
    return this.documents.queryPage(
      `SELECT * FROM c WHERE c.status = 'InProgress' AND ${resource}
         AND c.requesterId != @me AND c.request.createdById != @me
         AND EXISTS(SELECT VALUE s FROM s IN c.steps WHERE s.status = 'InProgress'
           AND (ARRAY_CONTAINS(s.approverIds, @me)
             OR (IS_STRING(s.escalation.escalatedDateTime) AND ARRAY_CONTAINS(s.escalation.approverIds, @me))))
       ORDER BY c.createdDateTime DESC`,
      {
        '@me': f.approverId.toLowerCase(),
        ...(f.resourceType === 'group' ? {} : { '@resourceType': f.resourceType }),
      },
      { crossPartition: true, pageSize: f.pageSize, continuationToken: f.continuationToken },
    );
  }

  /** AlreadyExistsError if an approval with the id exists in the group. */
  create(approval: Approval): Promise<StoredApproval> {
    return this.documents.create(approval);
  }

  /** ConcurrencyConflictError if it changed since `etag` was read. */
  replace(approval: Approval, etag: string): Promise<StoredApproval> {
    return this.documents.replace(approval, etag);
  }

  /**
   * Applies `change` with the ETag, re-reading on a conflict; `changed` false when `change` returned undefined.
   * Throws when there is no such approval.
   */
  async update(
    id: string,
    groupId: string,
    change: (a: Approval) => Approval | undefined,
  ): Promise<{ approval: StoredApproval; changed: boolean }> {
    try {
      const { document, changed } = await this.documents.update(id, groupId, change, MAX_WRITE_ATTEMPTS);
      return { approval: document, changed };
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new Error(`No approval ${id} in group ${groupId}`, { cause: err });
      throw err;
    }
  }
}
