/**
 * Starts the portal: reads the sign-in settings, lets MSAL finish a sign-in that just returned, then shows either the
 * sign-in page or the portal for the user the API says is signed in (`/api/me`: their roles decide what they see).
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { MsalProvider } from '@azure/msal-react';
import type { PublicClientApplication } from '@azure/msal-browser';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/client';
import { errorMessage } from './api/errors';
import { App } from './app/App';
import { portalFor, type Me } from './app/portal-context';
import { createMsal, signIn, signOut, tokenSource } from './auth/msal';
import { loadPortalConfig, type PortalConfig } from './auth/portal-config';
import { SignInPage, StartupProblem } from './auth/SignInPage';

const rootElement = document.getElementById('root') as HTMLElement;
const root = createRoot(rootElement);
restorePageAfterModals(rootElement);
const render = (node: React.ReactNode) =>
  root.render(
    <StrictMode>
      <FluentProvider theme={webLightTheme}>{node}</FluentProvider>
    </StrictMode>,
  );

async function start(): Promise<void> {
  let config: PortalConfig;
  try {
    config = await loadPortalConfig();
  } catch (err) {
    render(<StartupProblem message={errorMessage(err)} />);
    return;
  }
  const msal = createMsal(config);
  try {
    await msal.initialize();
    const result = await msal.handleRedirectPromise();
    if (result?.account) msal.setActiveAccount(result.account);
    else if (!msal.getActiveAccount() && msal.getAllAccounts()[0])
      msal.setActiveAccount(msal.getAllAccounts()[0] ?? null);
  } catch (err) {
    render(
      <StartupProblem
        message={`Signing in failed: ${errorMessage(err)} The sign-in service is ${config.authority}; if your browser doesn't trust its certificate, open it once and accept it.`}
      />,
    );
    return;
  }
  render(
    <MsalProvider instance={msal}>
      <Root msal={msal} config={config} />
    </MsalProvider>,
  );
}

function Root(props: { msal: PublicClientApplication; config: PortalConfig }) {
  const { msal, config } = props;
  const account = msal.getActiveAccount();
  // MSAL hands out a new account object on every call: follow the account by its id, or /me would be read again on
  // every render.
  const accountId = account?.homeAccountId;
  const api = useMemo(() => createApi(tokenSource(msal, config)), [msal, config]);
  const [me, setMe] = useState<Me>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    if (!accountId) return;
    api.get<Me>('/me').then(setMe, (err: unknown) => setProblem(errorMessage(err)));
  }, [accountId, api]);

  if (!account) return <SignInPage onSignIn={() => void signIn(msal, config)} />;
  if (problem) return <StartupProblem message={problem} onSignOut={() => void signOut(msal, account)} />;
  if (!me) return <SignInPage busy onSignIn={() => undefined} />;
  return <App portal={portalFor(api, me)} onSignOut={() => void signOut(msal, account)} />;
}

/**
 * Fluent's modal dialogs hide the rest of the page from screen readers (`aria-hidden` on #root) while open. A dialog
 * removed while still open — the page moved on when a decision was recorded — can leave that behind, and the whole
 * portal would stay hidden from assistive technology: put it back whenever no modal dialog is open.
 */
function restorePageAfterModals(page: HTMLElement): void {
  new MutationObserver(() => {
    if (page.getAttribute('aria-hidden') === 'true' && !document.querySelector('[aria-modal="true"]')) {
      page.removeAttribute('aria-hidden');
    }
  }).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['aria-hidden'],
  });
}

void start();
