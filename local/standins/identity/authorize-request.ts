/**
 * An /authorize request read as Entra ID reads it. Two kinds of error, as in Entra ID: an unknown client or an
 * unregistered redirect URI is shown on the stand-in's own page (never sent anywhere: the URI is not trusted);
 * every later error goes back to the redirect URI as `error` + `error_description` + `state`.
 */
import { parseClaimsRequest, type ClaimsDemand } from './claims-request';
import type { SpaClient, SpaClients } from './spa-clients';
import { TokenRequestError } from './token-request-error';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** Where and how answers go: known once client and redirect URI are valid. */
export interface AuthorizeReply {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | undefined;
}

export interface AuthorizeRequest extends AuthorizeReply {
  client: SpaClient;
  scopes: string[];
  codeChallenge: string;
  nonce: string | undefined;
  prompt: string | undefined;
  loginHint: string | undefined;
  demand: ClaimsDemand;
  /** The original parameters, carried through the sign-in form. */
  params: URLSearchParams;
}

/** An error answered at the redirect URI. */
export class AuthorizeError extends TokenRequestError {
  constructor(
    message: string,
    code: string,
    readonly reply: AuthorizeReply,
  ) {
    super(message, code);
  }
}

export const OIDC_SCOPES = ['openid', 'profile', 'offline_access', 'email'];

export function parseAuthorizeRequest(
  params: URLSearchParams,
  clients: SpaClients,
  apiAudience: string,
): AuthorizeRequest {
  const client = clients.require(params.get('client_id'));
  const redirectUri = clients.requireRedirectUri(client, params.get('redirect_uri'));
  const mode = params.get('response_mode') ?? 'query';
  const reply: AuthorizeReply = {
    redirectUri,
    responseMode: mode === 'fragment' || mode === 'form_post' ? mode : 'query',
    state: params.get('state') ?? undefined,
  };
  const fail = (message: string, code = 'invalid_request'): never => {
    throw new AuthorizeError(message, code, reply);
  };
  if (!['query', 'fragment', 'form_post'].includes(mode)) {
    fail(`AADSTS900043: The response_mode '${mode}' is not supported. Use query, fragment or form_post.`);
  }
  if (params.get('response_type') !== 'code') {
    fail(
      `AADSTS700054: response_type '${params.get('response_type') ?? ''}' is not enabled for the application. Single-page apps use response_type=code.`,
      'unsupported_response_type',
    );
  }
  const codeChallenge = params.get('code_challenge');
  if (!codeChallenge) {
    fail(
      'AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    );
  }
  if (params.get('code_challenge_method') !== 'S256') {
    fail(
      "AADSTS501491: Invalid code_challenge_method: the stand-in, as a SPA's sign-in should, requires 'S256'.",
    );
  }
  const scopes = (params.get('scope') ?? '').split(' ').filter(Boolean);
  const apiScopes = [`${apiAudience}/access_as_user`, `${apiAudience}/.default`];
  const unknown = scopes.filter((s) => !OIDC_SCOPES.includes(s) && !apiScopes.includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    fail(
      `AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid${unknown.length > 0 ? `: ${unknown.join(' ')}` : ''}. The stand-in knows ${[...OIDC_SCOPES, ...apiScopes].join(', ')}.`,
      'invalid_scope',
    );
  }
  let demand: ClaimsDemand;
  try {
    demand = parseClaimsRequest(params.get('claims'));
  } catch (err) {
    return fail((err as Error).message);
  }
  return {
    ...reply,
    client,
    scopes,
    codeChallenge: codeChallenge as string,
    nonce: params.get('nonce') ?? undefined,
    prompt: params.get('prompt') ?? undefined,
    loginHint: params.get('login_hint') ?? undefined,
    demand,
    params,
  };
}

/** The redirect to the app with `fields` in the response mode asked (form_post is answered by a page). */
export function replyUrl(reply: AuthorizeReply, fields: Record<string, string | undefined>): string {
  const values = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) values.set(key, value);
  if (reply.state !== undefined) values.set('state', reply.state);
  const url = new URL(reply.redirectUri);
  if (reply.responseMode === 'fragment') {
    url.hash = values.toString();
  } else {
    for (const [key, value] of values) url.searchParams.append(key, value);
  }
  return url.href;
}
