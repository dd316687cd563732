/**
 * The parts of `@vercel/cosmosdb-server` the stand-in builds on. Its public API only creates a server around an
 * in-memory account it keeps to itself; we need the account (to journal and replay it), its router and some
 * handlers, so they are imported here, in one place, from the package's `lib/` (it has no `exports` map).
 */
import Account from '@vercel/cosmosdb-server/lib/account';
import Collection from '@vercel/cosmosdb-server/lib/account/collection';
import Database from '@vercel/cosmosdb-server/lib/account/database';
import type ItemObject from '@vercel/cosmosdb-server/lib/account/item-object';
import type { CompositeIndex } from '@vercel/cosmosdb-server/lib/account/item-object';
import Items from '@vercel/cosmosdb-server/lib/account/items';
import type UserDefinedFunctions from '@vercel/cosmosdb-server/lib/account/user-defined-functions';
import * as documentOperations from '@vercel/cosmosdb-server/lib/handler/_document-operations';
import { patchOperation } from '@vercel/cosmosdb-server/lib/handler/_patch-operations';
import readItems from '@vercel/cosmosdb-server/lib/handler/_read-items';
import batchDocuments from '@vercel/cosmosdb-server/lib/handler/batch-documents';
import queryDocuments from '@vercel/cosmosdb-server/lib/handler/query-documents';
import replaceCollection from '@vercel/cosmosdb-server/lib/handler/replace-collection';
import json from '@vercel/cosmosdb-server/lib/json';
import routes from '@vercel/cosmosdb-server/lib/routes';
import type { JSONObject, PatchOperation } from '@vercel/cosmosdb-server/lib/types';
import type { IncomingMessage, ServerResponse } from 'node:http';

export {
  Account,
  Collection,
  Database,
  Items,
  batchDocuments,
  documentOperations,
  json,
  patchOperation,
  queryDocuments,
  readItems,
  replaceCollection,
};
export type { CompositeIndex, ItemObject, JSONObject, PatchOperation, UserDefinedFunctions };

/** Any container of resources in the account: databases, collections, documents, UDFs, partition key ranges. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyItems = Items<any, any>;

export type RouteParams = Record<string, string>;
export type Handler = (
  account: Account,
  req: IncomingMessage,
  res: ServerResponse,
  params: RouteParams,
) => unknown;

/** The package's router: the handler for a request and its path parameters, or undefined. */
export function route(req: IncomingMessage): { params: RouteParams; handler: Handler } | undefined {
  const found = routes(req) as [RouteParams, Handler] | undefined;
  return found && { params: found[0], handler: found[1] };
}
