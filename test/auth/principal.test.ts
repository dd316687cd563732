/**
 * The caller's authentication facts (shared/auth/principal.ts) and the app's own credential choice
 * (shared/auth/azure-credential.ts): MFA means `mfa` in the token's `amr`, nothing else; a client secret is used
 * only with a client id and tenant, otherwise the managed identity (user-assigned when a client id is given).
 */
import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createAzureCredential } from '../../shared/auth/azure-credential';
import { APP_ROLES, hasMfa, type CallerPrincipal } from '../../shared/auth/principal';
import type { Settings } from '../../shared/config';

const caller = (amr: string[]): CallerPrincipal => ({
  kind: 'user',
  objectId: 'c781603a-5b4b-40c2-ab94-17a11192cd60',
  tenantId: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  roles: [],
  authenticationMethods: amr,
  authenticationContexts: [],
});

describe('principal', () => {
  it('has MFA only with mfa in amr', () => {
    expect(hasMfa(caller(['pwd', 'mfa']))).toBe(true);
    expect(hasMfa(caller(['mfa']))).toBe(true);
    for (const amr of [[], ['pwd'], ['pwd', 'rsa'], ['MFA'], ['mfa2']])
      expect(hasMfa(caller(amr)), amr.join()).toBe(false);
  });

  it("names the API's app roles as the app registration does", () => {
    expect(APP_ROLES).toEqual({ admin: 'PimFlow.Admin', auditor: 'PimFlow.Auditor' });
  });
});

describe('createAzureCredential', () => {
  const TENANT = '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
  const settings = (s: Partial<Settings>) => s as Settings;

  it('uses the client secret with a client id and tenant', () => {
    const credential = createAzureCredential(
      settings({ AZURE_CLIENT_ID: 'app', AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: 'secret' }),
    );
    expect(credential).toBeInstanceOf(ClientSecretCredential);
  });

  it('uses the managed identity otherwise: user-assigned with a client id, else system-assigned', () => {
    for (const s of [
      { AZURE_CLIENT_ID: 'app' },
      { AZURE_CLIENT_ID: 'app', AZURE_CLIENT_SECRET: 'secret' },
      { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: 'secret' },
      {},
    ]) {
      expect(createAzureCredential(settings(s)), JSON.stringify(s)).toBeInstanceOf(ManagedIdentityCredential);
    }
  });
});
