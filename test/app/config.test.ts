import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../shared/config';

const valid = {
  PIMFLOW_TASK_HUB: 'PimflowLocal',
  PUBLIC_BASE_URL: 'http://localhost:7071',
  COSMOS_ENDPOINT: 'https://127.0.0.1:8081/',
  COSMOS_KEY: 'key',
  MAIL_SENDER: 'DoNotReply@pimflow.example',
  ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:7073/;accesskey=a2V5',
  AUTH_ISSUER: 'https://login.microsoftonline.com/7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90/v2.0',
  AUTH_AUDIENCE: 'api://pimflow',
  AUTH_TENANT_ID: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  APPROVAL_LINK_SIGNING_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadSettings', () => {
  it('reads valid settings and fills defaults', () => {
    const s = loadSettings(valid);
    expect(s.COSMOS_DATABASE).toBe('pimflow');
    expect(s.GRAPH_BASE_URL).toBe('https://graph.microsoft.com/v1.0');
  });

  it('names every missing and malformed setting in one message', () => {
    const { COSMOS_ENDPOINT: _omitted, ...rest } = valid;
    const attempt = () =>
      loadSettings({ ...rest, PUBLIC_BASE_URL: 'not a url', AUTH_TENANT_ID: 'abc', PIMFLOW_TASK_HUB: '1x' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/COSMOS_ENDPOINT is missing/);
    expect(message).toMatch(/PUBLIC_BASE_URL/);
    expect(message).toMatch(/AUTH_TENANT_ID/);
    expect(message).toMatch(/PIMFLOW_TASK_HUB must start with a letter/);
  });

  it('needs exactly one way to reach ACS, and a complete client secret', () => {
    expect(() => loadSettings({ ...valid, ACS_ENDPOINT: 'https://x.communication.azure.com' })).toThrow(
      /exactly one of ACS_CONNECTION_STRING/,
    );
    expect(() => loadSettings({ ...valid, AZURE_CLIENT_SECRET: 's' })).toThrow(
      /AZURE_CLIENT_ID and AZURE_TENANT_ID/,
    );
  });
});
