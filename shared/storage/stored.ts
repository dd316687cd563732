/**
 * What services and the domain see of stored documents, without Cosmos DB's types: a document with its ETag, and
 * a page of a listing. The Cosmos repositories (cosmos-repository.ts) produce them.
 */

/** A document as read: what the schema describes, plus the ETag to pass back when replacing or deleting it. */
export type Stored<T> = T & { readonly _etag: string };

export interface PageRequest {
  /** Most documents per page (default 100). A page may hold fewer even when more follow. */
  pageSize?: number;
  /** From the previous page; absent for the first. */
  continuationToken?: string;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. Opaque: pass it back as is. */
  continuationToken?: string;
}
