import { CosmosClient } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import { StorageConfigurationError } from './errors';

export interface CosmosConnection {
  /** The account endpoint, e.g. `https://<account>.documents.azure.com:443/`. */
  endpoint: string;
  /** An account key: locally (the stand-in, the emulator) only. */
  key?: string;
  /** Microsoft Entra ID credential (managed identity) in Azure, where keys stay disabled. */
  credential?: TokenCredential;
}

/** A client authenticated by exactly one of key and credential: two would leave it unclear which one is used. */
export function createCosmosClient(connection: CosmosConnection): CosmosClient {
  const key = connection.key || undefined;
  const { endpoint, credential } = connection;
  if (!endpoint) throw new StorageConfigurationError('Cosmos DB: no endpoint');
  if ((key === undefined) === (credential === undefined)) {
    throw new StorageConfigurationError(
      'Cosmos DB: give exactly one of a key (locally) and a credential (managed identity in Azure)',
    );
  }
  return new CosmosClient({
    endpoint,
    ...(key !== undefined ? { key } : { aadCredentials: credential }),
    userAgentSuffix: 'pimflow',
  });
}
