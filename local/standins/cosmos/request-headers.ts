import type { IncomingMessage } from 'node:http';

export function headerIsTrue(req: IncomingMessage, name: string): boolean {
  const value = req.headers[name];
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => v?.toLowerCase() === 'true');
}

/** The raw `x-ms-documentdb-partitionkey` header (a JSON array), as the package's operations take it. */
export function partitionKeyHeader(req: IncomingMessage): string | undefined {
  const value = req.headers['x-ms-documentdb-partitionkey'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a document's partition key value matches the header's first component. `{}` in the header is the SDK's
 * "none" partition key: documents without the property.
 */
export function partitionKeyMatcher(header: string): (value: unknown) => boolean {
  const parsed: unknown = JSON.parse(header);
  const wanted: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (typeof wanted === 'object' && wanted !== null && Object.keys(wanted).length === 0) {
    return (value) => value === undefined;
  }
  return (value) => value === wanted;
}
