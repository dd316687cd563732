/** Typed storage errors: callers branch on these, never on Cosmos DB status codes. */

export class StorageError extends Error {
  override name = 'StorageError';
}

/** Where a document is (or would be): enough to log and to retry. */
export interface DocumentRef {
  container: string;
  id: string;
  /** Unknown for a document that failed validation before its key could be read, or came from a cross-partition query. */
  partitionKey?: string;
}

function describe(ref: DocumentRef): string {
  return ref.partitionKey === undefined
    ? `${ref.container}/${ref.id}`
    : `${ref.container}/${ref.id} (partition ${ref.partitionKey})`;
}

export class NotFoundError extends StorageError {
  override name = 'NotFoundError';
  constructor(
    readonly ref: DocumentRef,
    options?: ErrorOptions,
  ) {
    super(`${describe(ref)} does not exist`, options);
  }
}

export class AlreadyExistsError extends StorageError {
  override name = 'AlreadyExistsError';
  constructor(
    readonly ref: DocumentRef,
    options?: ErrorOptions,
  ) {
    super(`${describe(ref)} already exists (or a unique key is taken)`, options);
  }
}

/** Someone else changed the document since it was read (its ETag moved on): read again, re-decide, retry. */
export class ConcurrencyConflictError extends StorageError {
  override name = 'ConcurrencyConflictError';
  constructor(
    readonly ref: DocumentRef,
    options?: ErrorOptions,
  ) {
    super(`${describe(ref)} was changed by someone else`, options);
  }
}

/** A document that doesn't match its schema: written by another version, or by hand. */
export class InvalidDocumentError extends StorageError {
  override name = 'InvalidDocumentError';
  constructor(
    readonly ref: DocumentRef,
    readonly issues: string,
  ) {
    super(`${describe(ref)} does not match its schema: ${issues}`);
  }
}

/** An existing container whose immutable definition differs from the one the code declares. */
export class ContainerMismatchError extends StorageError {
  override name = 'ContainerMismatchError';
  constructor(
    readonly container: string,
    readonly differences: string[],
  ) {
    super(`container ${container} differs from its declaration: ${differences.join('; ')}`);
  }
}

export class StorageConfigurationError extends StorageError {
  override name = 'StorageConfigurationError';
}
