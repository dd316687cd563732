/**
 * Cosmos repositories for access reviews: definitions (partitioned by id), instances (by definition) and decision
 * items (by instance, so an instance's 10,000 items are one partition's queries and writes).
 */
import type { Database } from '@azure/cosmos';
import type { z } from 'zod';
import { CosmosRepository, type Page, type Stored } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import {
  reviewDecisionSchema,
  type ApplyResult,
  type DecisionValue,
  type ReviewDecision,
} from '../domain/review-decision';
import { reviewDefinitionSchema, type ReviewDefinition } from '../domain/review-definition';
import { reviewInstanceSchema, type ReviewInstance } from '../domain/review-instance';

export const reviewDefinitionsContainer: ContainerSpec = {
  id: 'accessReviewDefinitions',
  partitionKeyPath: '/id',
};
export const reviewInstancesContainer: ContainerSpec = {
  id: 'accessReviewInstances',
  partitionKeyPath: '/definitionId',
};
export const reviewDecisionsContainer: ContainerSpec = {
  id: 'accessReviewDecisions',
  partitionKeyPath: '/instanceId',
};

const PENDING_DENIED = "c.instanceId = @instanceId AND c.decision = 'Deny' AND c.applyResult = 'New'";

export interface DecisionFilter {
  instanceId: string;
  decision?: DecisionValue;
  /** Only items with this apply result (e.g. ApplyNotSupported: denials left to an admin). */
  applyResult?: ApplyResult;
  /** Only items this user may decide. */
  reviewerId?: string;
  principalId?: string;
  /** Multi-stage reviews: only the items in (or ended in) this stage. */
  stageId?: string;
  /** Multi-stage reviews: only the items that have been in this stage (the stage's decisions). */
  inStage?: string;
  pageSize: number;
  continuationToken?: string;
}

export class ReviewStore {
  readonly definitions: CosmosRepository<ReviewDefinition>;
  readonly instances: CosmosRepository<ReviewInstance>;
  readonly decisions: CosmosRepository<ReviewDecision>;

  constructor(private readonly database: Database) {
    this.definitions = repo(database, reviewDefinitionsContainer, reviewDefinitionSchema, (d) => d.id);
    this.instances = repo(database, reviewInstancesContainer, reviewInstanceSchema, (i) => i.definitionId);
    this.decisions = repo(database, reviewDecisionsContainer, reviewDecisionSchema, (d) => d.instanceId);
  }

  listDefinitions(pageSize: number, continuationToken?: string): Promise<Page<Stored<ReviewDefinition>>> {
    return this.definitions.queryPage(
      'SELECT * FROM c ORDER BY c.createdDateTime DESC',
      {},
      {
        crossPartition: true,
        pageSize,
        continuationToken,
      },
    );
  }

  /** A definition's instances, newest occurrence first. */
  listInstances(
    definitionId: string,
    pageSize: number,
    continuationToken?: string,
  ): Promise<Page<Stored<ReviewInstance>>> {
    return this.instances.queryPage(
      'SELECT * FROM c WHERE c.definitionId = @definitionId ORDER BY c.startDateTime DESC',
      { '@definitionId': definitionId },
      { partitionKey: definitionId, pageSize, continuationToken },
    );
  }

  /** An instance by id alone (cross-partition point query, for the API and the review page). */
  async findInstance(id: string): Promise<Stored<ReviewInstance> | undefined> {
    const page = await this.instances.queryPage(
      'SELECT * FROM c WHERE c.id = @id',
      { '@id': id },
      { crossPartition: true, pageSize: 1 },
    );
    return page.items[0];
  }

  /** Instances still InProgress whose stop is recorded (the reconciler re-sends their stop event). */
  listStoppingInstances(pageSize: number, continuationToken?: string): Promise<Page<Stored<ReviewInstance>>> {
    return this.instances.queryPage(
      "SELECT * FROM c WHERE c.status = 'InProgress' AND IS_DEFINED(c.stoppedBy) AND NOT IS_NULL(c.stoppedBy)",
      {},
      { crossPartition: true, pageSize, continuationToken },
    );
  }

  /**
   * A page of the items nobody decided (with a recommendation, when `withRecommendation`): the first page each time,
   * as the caller decides what it reads.
   */
  undecidedItems(
    instanceId: string,
    o: { withRecommendation: boolean; pageSize: number },
  ): Promise<Page<Stored<ReviewDecision>>> {
    return this.decisions.queryPage(
      o.withRecommendation
        ? "SELECT * FROM c WHERE c.instanceId = @i AND c.decision = 'NotReviewed' AND c.recommendation != 'NoInfoAvailable'"
        : "SELECT * FROM c WHERE c.instanceId = @i AND c.decision = 'NotReviewed'",
      { '@i': instanceId },
      { partitionKey: instanceId, pageSize: o.pageSize },
    );
  }

  /** A page of the denied items not applied yet (the first page each time: applying takes them out of it). */
  pendingDenied(instanceId: string, pageSize: number): Promise<Page<Stored<ReviewDecision>>> {
    return this.decisions.queryPage(
      `SELECT * FROM c WHERE ${PENDING_DENIED}`,
      { '@instanceId': instanceId },
      { partitionKey: instanceId, pageSize },
    );
  }

  /** How many denied items are not applied yet (a `VALUE COUNT` query the typed repositories don't run). */
  async countPendingDenied(instanceId: string): Promise<number> {
    const { resources } = await this.database
      .container(reviewDecisionsContainer.id)
      .items.query<number>(
        {
          query: `SELECT VALUE COUNT(1) FROM c WHERE ${PENDING_DENIED}`,
          parameters: [{ name: '@instanceId', value: instanceId }],
        },
        { partitionKey: instanceId },
      )
      .fetchAll();
    return resources.reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  }

  /**
   * The ids of the definitions, or of one definition's instances, in which the user reviews at least one item
   * (their review inbox). Across instances, read to the end: one id per item they review, made distinct here (the
   * local Cosmos DB stand-in has no DISTINCT); a reviewer of 10,000 items reads 10,000 short strings.
   */
  async reviewedBy(
    reviewerId: string,
    what: { definitions: true } | { instancesOf: string },
  ): Promise<string[]> {
    const field = 'definitions' in what ? 'definitionId' : 'instanceId';
    const { resources } = await this.database
      .container(reviewDecisionsContainer.id)
      .items.query<unknown>({
        query: `SELECT VALUE c.${field} FROM c WHERE ARRAY_CONTAINS(c.reviewerIds, @reviewerId)${
          'instancesOf' in what ? ' AND c.definitionId = @definitionId' : ''
        }`,
        parameters: [
          { name: '@reviewerId', value: reviewerId },
          ...('instancesOf' in what ? [{ name: '@definitionId', value: what.instancesOf }] : []),
        ],
      })
      .fetchAll();
    return [...new Set(resources.filter((id): id is string => typeof id === 'string'))].sort();
  }

  /** A page of these definitions, newest first. */
  listDefinitionsAmong(
    ids: readonly string[],
    pageSize: number,
    continuationToken?: string,
  ): Promise<Page<Stored<ReviewDefinition>>> {
    return this.definitions.queryPage(
      'SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.id) ORDER BY c.createdDateTime DESC',
      { '@ids': [...ids] },
      { crossPartition: true, pageSize, continuationToken },
    );
  }

  /** A page of the definition's instances among these, newest occurrence first. */
  listInstancesAmong(
    definitionId: string,
    instanceIds: readonly string[],
    pageSize: number,
    continuationToken?: string,
  ): Promise<Page<Stored<ReviewInstance>>> {
    return this.instances.queryPage(
      'SELECT * FROM c WHERE c.definitionId = @definitionId AND ARRAY_CONTAINS(@ids, c.id) ORDER BY c.startDateTime DESC',
      { '@definitionId': definitionId, '@ids': [...instanceIds] },
      { partitionKey: definitionId, pageSize, continuationToken },
    );
  }

  /** Whether the user reviews at least one item of the instance. */
  async reviewsAny(instanceId: string, reviewerId: string): Promise<boolean> {
    const page = await this.listDecisions({ instanceId, reviewerId, pageSize: 1 });
    return page.items.length > 0;
  }

  /**
   * A page of the items somebody decided (the first page each time: resetting takes them out of it); in a
   * multi-stage review, those of one stage.
   */
  decidedItems(
    instanceId: string,
    pageSize: number,
    stageId?: string,
  ): Promise<Page<Stored<ReviewDecision>>> {
    return this.decisions.queryPage(
      stageId === undefined
        ? "SELECT * FROM c WHERE c.instanceId = @i AND c.decision != 'NotReviewed'"
        : "SELECT * FROM c WHERE c.instanceId = @i AND c.decision != 'NotReviewed' AND c.stageId = @s",
      { '@i': instanceId, ...(stageId === undefined ? {} : { '@s': stageId }) },
      { partitionKey: instanceId, pageSize },
    );
  }

  /**
   * A page of a stage's items whose decision moves them on to the next stage (the first page each time: moving an
   * item takes it out of the stage).
   */
  itemsMovingOn(
    instanceId: string,
    stageId: string,
    decisions: readonly string[],
    pageSize: number,
  ): Promise<Page<Stored<ReviewDecision>>> {
    return this.decisions.queryPage(
      'SELECT * FROM c WHERE c.instanceId = @i AND c.stageId = @s AND ARRAY_CONTAINS(@d, c.decision)',
      { '@i': instanceId, '@s': stageId, '@d': [...decisions] },
      { partitionKey: instanceId, pageSize },
    );
  }

  listDecisions(f: DecisionFilter): Promise<Page<Stored<ReviewDecision>>> {
    const clauses = ['c.instanceId = @instanceId'];
    const params: Record<string, string> = { '@instanceId': f.instanceId };
    if (f.decision) {
      clauses.push('c.decision = @decision');
      params['@decision'] = f.decision;
    }
    if (f.applyResult) {
      clauses.push('c.applyResult = @applyResult');
      params['@applyResult'] = f.applyResult;
    }
    if (f.reviewerId) {
      clauses.push('ARRAY_CONTAINS(c.reviewerIds, @reviewerId)');
      params['@reviewerId'] = f.reviewerId;
    }
    if (f.principalId) {
      clauses.push('c.principal.id = @principalId');
      params['@principalId'] = f.principalId;
    }
    if (f.stageId !== undefined) {
      clauses.push('c.stageId = @stageId');
      params['@stageId'] = f.stageId;
    }
    if (f.inStage !== undefined) {
      clauses.push('ARRAY_CONTAINS(c.stageIds, @inStage)');
      params['@inStage'] = f.inStage;
    }
    return this.decisions.queryPage(
      `SELECT * FROM c WHERE ${clauses.join(' AND ')} ORDER BY c.principal.displayName`,
      params,
      { partitionKey: f.instanceId, pageSize: f.pageSize, continuationToken: f.continuationToken },
    );
  }
}

function repo<T extends { id: string }>(
  database: Database,
  spec: ContainerSpec,
  schema: z.ZodType<T>,
  partitionKeyOf: (d: T) => string,
): CosmosRepository<T> {
  return new CosmosRepository<T>({ container: database.container(spec.id), schema, partitionKeyOf });
}
