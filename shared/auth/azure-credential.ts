/**
 * The app's own identity for Azure SDKs and Graph: its managed identity in Azure, or a client secret where one is
 * configured (a workstation against a real tenant, or the local identity stand-in). Chosen by settings only.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import type { Settings } from '../config';

export function createAzureCredential(s: Settings): TokenCredential {
  if (s.AZURE_CLIENT_SECRET && s.AZURE_CLIENT_ID && s.AZURE_TENANT_ID) {
    return new ClientSecretCredential(s.AZURE_TENANT_ID, s.AZURE_CLIENT_ID, s.AZURE_CLIENT_SECRET, {
      authorityHost: s.AZURE_AUTHORITY_HOST,
      disableInstanceDiscovery: s.AZURE_DISABLE_INSTANCE_DISCOVERY ?? false,
    });
  }
  return s.AZURE_CLIENT_ID
    ? new ManagedIdentityCredential({ clientId: s.AZURE_CLIENT_ID })
    : new ManagedIdentityCredential();
}
