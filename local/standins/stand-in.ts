/** What every local stand-in server gives the runtime: where it answers, and how to stop it. */
export interface StandIn {
  /** Base URL, e.g. `https://127.0.0.1:7072/v1.0` for Graph. */
  url: string;
  close(): Promise<void>;
}

/** Checks a request's bearer token; stand-ins that need a caller's token (Graph) take one of these. */
export type BearerTokenCheck = (authorizationHeader: string | undefined) => Promise<boolean>;
