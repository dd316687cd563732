/**
 * The open-request slots (container `requestLocks`): one document per principal and group role while a request of
 * theirs is open; creating it is how "at most one open request" is enforced.
 */
import { z } from 'zod';
import type { CosmosRepository, Stored } from '../../storage/cosmos-repository';
import { AlreadyExistsError, NotFoundError } from '../../storage/errors';
import { OPEN_STATUSES, type ScheduleRequest } from '../domain/schedule-request';

export const lockSchema = z.object({
  id: z.string(),
  groupId: z.string(),
  requestId: z.string(),
  /** When the slot was taken, and the fingerprint of the POST that took it (absent on locks of older code). */
  createdDateTime: z.iso.datetime().optional(),
  idempotencyKey: z.string().optional(),
});

/**
 * How long a slot whose request is not stored yet is kept for its POST (which starts the orchestration, then stores
 * the request): the request orchestration waits as long for the document before it gives up and frees the slot.
 */
export const UNSTORED_LOCK_GRACE_MS = 2 * 60_000;

/** Taking the open-request slot: taken; held by another open request; or held by this same POST, retried. */
export type LockResult =
  | { outcome: 'taken' }
  | { outcome: 'held'; holderId: string }
  | { outcome: 'sameRequest'; requestId: string };

type Lock = z.infer<typeof lockSchema>;

export class RequestLocks {
  constructor(
    private readonly slots: CosmosRepository<Lock>,
    private readonly requests: CosmosRepository<ScheduleRequest>,
  ) {}

  /**
   * Takes the one open-request slot of a principal for a group role for `requestId`. A slot held by a finished
   * request, or by a request never stored whose POST is long gone (a crash between taking it and storing the
   * request), is reclaimed. A slot taken by the same POST (same fingerprint: a client retrying after a lost answer)
   * is that POST's: its request id is returned so the retry finishes the same request instead of a second one.
   */
  async take(
    groupId: string,
    principalId: string,
    accessId: string,
    requestId: string,
    idempotencyKey: string,
    now: Date,
  ): Promise<LockResult> {
    const id = `${principalId}:${accessId}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.slots.create({
          id,
          groupId,
          requestId,
          createdDateTime: now.toISOString(),
          idempotencyKey,
        });
        return { outcome: 'taken' };
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
      const lock = await this.slots.find(id, groupId);
      if (!lock) continue;
      const holder = await this.requests.find(lock.requestId, groupId);
      const same = lock.idempotencyKey !== undefined && lock.idempotencyKey === idempotencyKey;
      if (holder && OPEN_STATUSES.includes(holder.status)) {
        return same
          ? { outcome: 'sameRequest', requestId: holder.id }
          : { outcome: 'held', holderId: holder.id };
      }
      if (!holder) {
        if (same) return { outcome: 'sameRequest', requestId: lock.requestId };
        const age = lock.createdDateTime ? now.getTime() - Date.parse(lock.createdDateTime) : Infinity;
        // Its POST may still be storing it: keep the slot for it until its orchestration would give up.
        if (age < UNSTORED_LOCK_GRACE_MS) return { outcome: 'held', holderId: lock.requestId };
      }
      await this.delete(lock);
    }
    throw new Error('Could not take the open-request slot: it keeps changing');
  }

  /** Frees the slot held by a request, whoever it belongs to (the request may never have been stored). */
  async releaseAllOf(groupId: string, requestId: string): Promise<void> {
    const page = await this.slots.queryPage(
      'SELECT * FROM c WHERE c.requestId = @requestId',
      { '@requestId': requestId },
      { partitionKey: groupId, pageSize: 10 },
    );
    for (const lock of page.items) await this.delete(lock);
  }

  /** Frees the principal's slot for the group role if `requestId` holds it. */
  async release(groupId: string, principalId: string, accessId: string, requestId: string): Promise<void> {
    const lock = await this.slots.find(`${principalId}:${accessId}`, groupId);
    if (!lock || lock.requestId !== requestId) return;
    await this.delete(lock);
  }

  /** Deletes a slot at the ETag it was read with; one already gone is fine. */
  private async delete(lock: Stored<Lock>): Promise<void> {
    await this.slots.delete(lock.id, lock.groupId, lock._etag).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
  }
}
