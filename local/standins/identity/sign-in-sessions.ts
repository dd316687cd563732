/**
 * The stand-in's own browser session (a cookie on its origin, like Entra ID's ESTSAUTH): who signed in, how and
 * when, so a later /authorize — MSAL's hidden iframe with `prompt=none` above all — can answer without the page.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SignIn } from './authorization-grants';

const COOKIE = 'pimflow_idp_session';

export interface Session extends SignIn {
  /** The `session_state` sent with every code of this session (public; the cookie value is not). */
  sessionState: string;
}

export class SignInSessions {
  private readonly sessions = new Map<string, Session>();

  current(req: IncomingMessage): Session | undefined {
    const id = readCookie(req.headers.cookie, COOKIE);
    return id ? this.sessions.get(id) : undefined;
  }

  /** Starts a session and returns the Set-Cookie header value for it. */
  start(signIn: SignIn): { session: Session; setCookie: string } {
    const id = randomBytes(32).toString('base64url');
    const session = { ...signIn, sessionState: randomUUID() };
    this.sessions.set(id, session);
    // SameSite=None: MSAL's silent sign-in reads it from a hidden iframe in the app's page.
    return { session, setCookie: `${COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=None` };
  }

  /** Ends the session of this browser and returns the Set-Cookie header value that clears the cookie. */
  end(req: IncomingMessage): string {
    const id = readCookie(req.headers.cookie, COOKIE);
    if (id) this.sessions.delete(id);
    return `${COOKIE}=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0`;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
