/**
 * The composition root: builds every adapter once, from the settings, for the functions to use. Settings are
 * validated at start (functions/startup.ts); the database and containers are created on first use if missing.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Database } from '@azure/cosmos';
import { AuditLog } from './audit/adapters/audit-log';
import { createAzureCredential } from './auth/azure-credential';
import { createTokenValidator, type TokenValidator } from './auth/token-validator';
import { systemClock, type Clock } from './clock';
import { loadSettings, type Settings } from './config';
import type { Directory } from './directory/directory';
import { createGraphDirectory } from './directory/graph-directory';
import { createAcsMailer } from './mail/acs-mailer';
import type { Mailer } from './mail/mailer';
import { createCosmosClient } from './storage/cosmos-client';
import { appContainers } from './storage/containers';
import { ensureDatabase } from './storage/ensure-database';
import { ManagedGroupRepository } from './managed-groups/adapters/managed-group-repository';

export interface Services {
  settings: Settings;
  clock: Clock;
  credential: TokenCredential;
  tokens: TokenValidator;
  directory: Directory;
  mailer: Mailer;
  database: Database;
  managedGroups: ManagedGroupRepository;
  audit: AuditLog;
}

let services: Promise<Services> | undefined;

export function getServices(): Promise<Services> {
  services ??= buildServices().catch((err: unknown) => {
    services = undefined; // let the next call try again (e.g. Cosmos was still starting)
    throw err;
  });
  return services;
}

async function buildServices(): Promise<Services> {
  const settings = loadSettings();
  const credential = createAzureCredential(settings);
  const cosmos = createCosmosClient(
    settings.COSMOS_KEY
      ? { endpoint: settings.COSMOS_ENDPOINT, key: settings.COSMOS_KEY }
      : { endpoint: settings.COSMOS_ENDPOINT, credential },
  );
  const database = await ensureDatabase(cosmos, settings.COSMOS_DATABASE, appContainers);
  return {
    settings,
    clock: systemClock,
    credential,
    tokens: createTokenValidator({
      issuer: settings.AUTH_ISSUER,
      audience: settings.AUTH_AUDIENCE,
      tenantId: settings.AUTH_TENANT_ID,
    }),
    directory: createGraphDirectory({ baseUrl: settings.GRAPH_BASE_URL, credential }),
    mailer: createAcsMailer(
      settings.ACS_CONNECTION_STRING
        ? { connectionString: settings.ACS_CONNECTION_STRING, senderAddress: settings.MAIL_SENDER }
        : { endpoint: settings.ACS_ENDPOINT, credential, senderAddress: settings.MAIL_SENDER },
    ),
    database,
    managedGroups: new ManagedGroupRepository(database.container('managedGroups')),
    audit: new AuditLog(database.container('auditLogs')),
  };
}
