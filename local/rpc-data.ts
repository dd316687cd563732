/** Conversions between JavaScript values and the worker's RPC typed data, as the Functions host does them. */
import type { RpcTypedData } from './functions-core';

/** A value the host would pass as a JSON payload (activity input, durable client data, timer info). */
export function jsonData(value: unknown): RpcTypedData {
  return { json: JSON.stringify(value ?? null) };
}

/** Reads a value the worker returned (a function's return value or an output binding). */
export function fromRpcTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json) as unknown;
  if (data.string !== undefined && data.string !== null) return data.string;
  if (data.int !== undefined && data.int !== null) return Number(data.int);
  if (data.double !== undefined && data.double !== null) return Number(data.double);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  return undefined;
}
