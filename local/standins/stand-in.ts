/** What every local stand-in server gives the runtime: where it answers, and how to stop it. */
export interface StandIn {
  /** Base URL, e.g. `https://127.0.0.1:7072/v1.0` for Graph. */
  url: string;
  close(): Promise<void>;
}

/** Checks a request's bearer token; stand-ins that need a caller's token (Graph) take one of these. */
export type BearerTokenCheck = (authorizationHeader: string | undefined) => Promise<boolean>;

/**
 * Keeps idle keep-alive connections open as the real services' front ends do (minutes), not Node's 5 s: the SDKs
 * keep their sockets and reuse them, and a server closing an idle socket at the instant a client sends on it is a
 * "socket hang up" for a request that was never read (seen under load as a 500 from a POST).
 */
export function keepIdleConnections(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
}
