/** Starting the Cosmos DB stand-in for a test: a journal in its own temporary folder, removed afterwards. */
import { CosmosClient } from '@azure/cosmos';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCosmosStandIn, type CosmosStandIn } from '../../local/standins/cosmos/cosmos-stand-in';
import { testTls } from '../helpers';

export interface CosmosFixture {
  standIn: CosmosStandIn;
  client: CosmosClient;
  journalFile: string;
  /** Closes the client and stand-in (if still open) and deletes the journal. */
  dispose(): Promise<void>;
}

export function tempJournal(): { journalFile: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-cosmos-'));
  return {
    journalFile: path.join(dir, 'cosmos.journal'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startCosmosFixture(): Promise<CosmosFixture> {
  const journal = tempJournal();
  const standIn = await startCosmosStandIn({ tls: testTls(), journalFile: journal.journalFile });
  const client = new CosmosClient({ endpoint: standIn.endpoint, key: standIn.key });
  let closed = false;
  return {
    standIn,
    client,
    journalFile: journal.journalFile,
    async dispose() {
      client.dispose();
      if (!closed) await standIn.close();
      closed = true;
      journal.remove();
    },
  };
}

export function statusOf(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}
