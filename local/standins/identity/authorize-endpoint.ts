/**
 * /authorize and /logout for single-page apps, as Entra ID answers them: the sign-in page (or, with a session
 * that already satisfies the request, none), a one-time code sent back in the response mode asked, and errors
 * either shown (untrusted redirect URI) or sent back (everything else).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthorizationGrants, SignIn } from './authorization-grants';
import {
  AuthorizeError,
  parseAuthorizeRequest,
  replyUrl,
  type AuthorizeReply,
  type AuthorizeRequest,
} from './authorize-request';
import { errorPage, formPostPage, signInPage, signedOutPage } from './authorize-page';
import { isMet, stepUpMessage, unmet } from './claims-request';
import { readBody, sendHtml } from './http';
import type { DirectoryUser } from './identity-stand-in';
import type { SignInSessions } from './sign-in-sessions';
import type { SpaClients } from './spa-clients';
import { TokenRequestError } from './token-request-error';

export interface AuthorizeDeps {
  tenantId: string;
  apiAudience: string;
  clients: SpaClients;
  grants: AuthorizationGrants;
  sessions: SignInSessions;
  users: () => DirectoryUser[];
  appRoles: (userId: string) => string[];
  findUser: (idOrUpn: string) => DirectoryUser | undefined;
}

/** Form fields the sign-in page adds to the /authorize parameters. */
const SIGN_IN_FIELDS = ['signin_user', 'signin_mfa', 'signin_acr'];

export function authorizeEndpoint(d: AuthorizeDeps) {
  const signInPageFor = (
    res: ServerResponse,
    request: AuthorizeRequest,
    action: string,
    status = 200,
    error?: string,
    selected?: string,
  ) => {
    sendHtml(
      res,
      status,
      signInPage({
        action,
        clientName: request.client.displayName,
        params: request.params,
        users: d.users().map((user) => ({ user, appRoles: d.appRoles(user.id) })),
        selectedUser: selected ?? request.loginHint,
        demand: request.demand,
        error,
      }),
      // Chromium applies form-action to the redirect that follows the POST, too.
      { formAction: [new URL(request.redirectUri).origin] },
    );
  };

  const sendCode = (
    res: ServerResponse,
    request: AuthorizeRequest,
    signIn: SignIn,
    sessionState: string,
    setCookie?: string,
  ) => {
    const code = d.grants.issueCode({
      ...signIn,
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      scopes: request.scopes,
    });
    const clientInfo = Buffer.from(JSON.stringify({ uid: signIn.userId, utid: d.tenantId })).toString(
      'base64url',
    );
    reply(res, request, { code, client_info: clientInfo, session_state: sessionState }, setCookie);
  };

  const reply = (
    res: ServerResponse,
    to: AuthorizeReply,
    fields: Record<string, string>,
    setCookie?: string,
  ) => {
    if (to.responseMode === 'form_post') {
      const all = to.state === undefined ? fields : { ...fields, state: to.state };
      sendHtml(res, 200, formPostPage(to.redirectUri, all), {
        formAction: [new URL(to.redirectUri).origin],
        script: true,
        setCookie,
      });
      return;
    }
    res.writeHead(302, {
      location: replyUrl(to, fields),
      'cache-control': 'no-store',
      ...(setCookie ? { 'set-cookie': setCookie } : {}),
    });
    res.end();
  };

  /** Runs a handler; its errors are shown (client, redirect URI) or sent back to the app (the rest). */
  const answering = async (res: ServerResponse, run: () => Promise<void> | void): Promise<void> => {
    try {
      await run();
    } catch (err) {
      if (err instanceof AuthorizeError) {
        reply(res, err.reply, { error: err.code, error_description: err.message });
      } else if (err instanceof TokenRequestError) {
        sendHtml(res, 400, errorPage('Sorry, but we’re having trouble signing you in.', err.message));
      } else {
        throw err;
      }
    }
  };

  async function get(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    await answering(res, () => {
      const request = parseAuthorizeRequest(url.searchParams, d.clients, d.apiAudience);
      const action = url.pathname;
      const session = d.sessions.current(req);
      const hinted = request.loginHint ? d.findUser(request.loginHint) : undefined;
      // A login_hint naming another user than the session's asks for another sign-in.
      const signedIn = session && (!hinted || hinted.id === session.userId) ? session : undefined;
      const fail = (message: string, code: string): never => {
        throw new AuthorizeError(message, code, request);
      };
      if (request.prompt === 'none') {
        if (!signedIn) {
          return fail(
            "AADSTS50058: A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD.",
            'login_required',
          );
        }
        const missing = unmet(request.demand, signedIn.amr, signedIn.acrs);
        if (!isMet(missing)) {
          fail(stepUpMessage(missing, d.apiAudience), 'interaction_required');
        }
        sendCode(res, request, signedIn, signedIn.sessionState);
        return;
      }
      const pageAlways = ['login', 'select_account', 'consent', 'create'].includes(request.prompt ?? '');
      if (!pageAlways && signedIn && isMet(unmet(request.demand, signedIn.amr, signedIn.acrs))) {
        sendCode(res, request, signedIn, signedIn.sessionState);
        return;
      }
      signInPageFor(res, request, action);
    });
  }

  async function post(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    await answering(res, () => {
      const params = new URLSearchParams([...form].filter(([k]) => !SIGN_IN_FIELDS.includes(k)));
      const request = parseAuthorizeRequest(params, d.clients, d.apiAudience);
      const userId = form.get('signin_user') ?? '';
      const user = d.findUser(userId);
      if (!user) {
        signInPageFor(res, request, url.pathname, 400, 'Choose the user you sign in as.');
        return;
      }
      const signIn: SignIn = {
        userId: user.id,
        amr: form.get('signin_mfa') === 'true' ? ['pwd', 'mfa'] : ['pwd'],
        acrs: form.getAll('signin_acr').filter((a) => /^c\d{1,2}$/.test(a)),
        authTime: Math.floor(Date.now() / 1000),
      };
      const missing = unmet(request.demand, signIn.amr, signIn.acrs);
      if (!isMet(missing)) {
        const what = [missing.mfa ? 'MFA' : '', ...missing.acrs].filter(Boolean).join(' and ');
        signInPageFor(
          res,
          request,
          url.pathname,
          400,
          `The app requires ${what}: tick it to sign in.`,
          user.id,
        );
        return;
      }
      const { session, setCookie } = d.sessions.start(signIn);
      sendCode(res, request, signIn, session.sessionState, setCookie);
    });
  }

  /** Signs the browser out, then back to the app when it names one of its registered addresses. */
  function logout(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const setCookie = d.sessions.end(req);
    const target = url.searchParams.get('post_logout_redirect_uri');
    if (target && d.clients.allowsPostLogoutRedirect(target)) {
      const location = new URL(target);
      const state = url.searchParams.get('state');
      if (state) location.searchParams.set('state', state);
      res.writeHead(302, { location: location.href, 'set-cookie': setCookie, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    sendHtml(res, 200, signedOutPage(), { setCookie });
  }

  return { get, post, logout };
}
