/** config.json's content from the settings (shared/portal/portal-config.ts), for Entra ID and any other authority. */
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config';
import { portalConfig } from '../../shared/portal/portal-config';

const base = {
  COSMOS_ENDPOINT: 'https://pimflow.documents.azure.com:443/',
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
  ACS_ENDPOINT: 'https://pimflow.communication.azure.com',
  MAIL_SENDER: 'DoNotReply@pimflow.example',
  PUBLIC_BASE_URL: 'https://pimflow.azurewebsites.net',
  APPROVAL_LINK_SIGNING_KEY: Buffer.alloc(32, 7).toString('base64'),
  AUTH_ISSUER: 'https://login.microsoftonline.com/7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90/v2.0',
  AUTH_AUDIENCE: 'api://1f625093-4e01-43fc-800f-ef5a00652820',
  AUTH_TENANT_ID: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  PIMFLOW_TASK_HUB: 'pimflow',
};

describe('the portal configuration', () => {
  it("is Entra ID's authority for the tenant and the API's delegated scope", () => {
    const settings = loadSettings({ ...base, PORTAL_CLIENT_ID: '1f625093-4e01-43fc-800f-ef5a00652820' });
    expect(portalConfig(settings)).toEqual({
      ok: true,
      config: {
        clientId: '1f625093-4e01-43fc-800f-ef5a00652820',
        authority: 'https://login.microsoftonline.com/7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
        knownAuthorities: ['login.microsoftonline.com'],
        apiScope: 'api://1f625093-4e01-43fc-800f-ef5a00652820/access_as_user',
      },
    });
  });

  it('says what to set when the portal has no app registration', () => {
    const outcome = portalConfig(loadSettings(base));
    expect(outcome).toEqual({ ok: false, reason: expect.stringContaining('PORTAL_CLIENT_ID') });
  });
});
