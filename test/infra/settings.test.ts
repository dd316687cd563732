/**
 * The Function App's settings in Bicep against what the code reads: every key of the settings schema
 * (shared/config.ts), every `%Setting%` of host.json and the function triggers, the identity-based
 * AzureWebJobsStorage connection, and nothing that must not be set in Azure.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimeSpan } from '../../local/duration';
import { settingsSchema } from '../../shared/config';
import { read, ROOT, stringDefault, stripComments, varObjectKeys } from './bicep-text';

const FUNCTION_APP = 'infra/app/function-app.bicep';
const bicepSettings = varObjectKeys(stripComments(read(FUNCTION_APP)), 'appSettings');
const schemaKeys = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[];

/** `%Name%` placeholders in host.json and in the functions' trigger options. */
function percentSettings(): { where: string; name: string }[] {
  const found: { where: string; name: string }[] = [];
  const scan = (where: string, text: string) => {
    for (const m of text.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)) found.push({ where, name: m[1] as string });
  };
  scan('host.json', read('host.json'));
  for (const file of readdirSync(path.join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')))
    scan(`functions/${file}`, read(`functions/${file}`));
  return found;
}

/** Backticked setting names in the "Not set in Azure" section of docs/deploy.md. */
function documentedAsNotSet(): string[] {
  const doc = read('docs/deploy.md');
  const start = doc.search(/^### Not set in Azure/m);
  if (start < 0) return [];
  const rest = doc.slice(doc.indexOf('\n', start) + 1);
  const end = rest.search(/^#{1,3} /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string);
}

/** Settings the platform reads, not the app. */
const PLATFORM = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

describe('Function App settings in Bicep', () => {
  it('set every setting config.ts reads, or the setting is optional and documented as not set in Azure', () => {
    const notSet = documentedAsNotSet();
    const problems: string[] = [];
    for (const key of schemaKeys) {
      if (bicepSettings.includes(key)) continue;
      const optional = settingsSchema.shape[key].safeParse(undefined).success;
      if (!optional) problems.push(`${key} is required by shared/config.ts but not set in ${FUNCTION_APP}`);
      else if (!notSet.includes(key))
        problems.push(
          `${key} is not set in ${FUNCTION_APP} and not listed under "Not set in Azure" in docs/deploy.md`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('set every %Setting% that host.json and the triggers use', () => {
    const found = percentSettings();
    expect(found.map((f) => f.name)).toContain('PIMFLOW_TASK_HUB');
    expect(found.map((f) => f.name)).toContain('DRIFT_CHECK_SCHEDULE');
    expect(found.map((f) => f.name)).toContain('RECONCILE_SCHEDULE');
    const missing = found.filter((f) => !bicepSettings.includes(f.name)).map((f) => `${f.name} (${f.where})`);
    expect(missing).toEqual([]);
  });

  it('name the task hub by the setting host.json uses, with a default that config.ts accepts', () => {
    const host = JSON.parse(read('host.json')) as { extensions: { durableTask: { hubName: string } } };
    expect(host.extensions.durableTask.hubName).toBe('%PIMFLOW_TASK_HUB%');
    expect(bicepSettings).toContain('PIMFLOW_TASK_HUB');
    const hub = stringDefault(read('infra/main.bicep'), 'taskHubName');
    expect(settingsSchema.shape.PIMFLOW_TASK_HUB.safeParse(hub).success).toBe(true);
  });

  it('poll the Durable task hub queues at least every 10 s, as Durable Functions on Flex Consumption asks', () => {
    const host = JSON.parse(read('host.json')) as {
      extensions: { durableTask: { storageProvider: Record<string, unknown> } };
    };
    const provider = host.extensions.durableTask.storageProvider;
    expect(provider.type).toBe('AzureStorage');
    // The Azure Storage provider's setting: a TimeSpan (hh:mm:ss), default 00:00:30.
    const interval = provider.maxQueuePollingInterval;
    expect(interval).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    const ms = parseTimeSpan(interval as string);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(10_000);
  });

  it("set PORTAL_CLIENT_ID, the portal's app registration, from its parameter", () => {
    expect(bicepSettings).toContain('PORTAL_CLIENT_ID');
    expect(read(FUNCTION_APP)).toMatch(/^ {2}PORTAL_CLIENT_ID: portalClientId$/m);
    // Optional in the app: an empty parameter leaves it unset (loadSettings drops empty values), not invalid.
    expect(settingsSchema.shape.PORTAL_CLIENT_ID.safeParse(undefined).success).toBe(true);
  });

  it('default the drift and reconcile schedules to six-field NCRONTAB expressions', () => {
    for (const param of ['driftCheckSchedule', 'reconcileSchedule']) {
      const schedule = stringDefault(read('infra/main.bicep'), param);
      expect(schedule.split(' ')).toHaveLength(6);
    }
  });

  it('set nothing the code does not read (a misspelt setting would be silently ignored)', () => {
    const known = new Set<string>([...schemaKeys, ...percentSettings().map((f) => f.name), ...PLATFORM]);
    expect(bicepSettings.filter((k) => !known.has(k))).toEqual([]);
  });

  it('connect to storage with the managed identity, the user-assigned one named by client id', () => {
    for (const key of PLATFORM) expect(bicepSettings).toContain(key);
    const text = read(FUNCTION_APP);
    expect(text).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
    expect(text).toMatch(/AzureWebJobsStorage__clientId: identityClientId/);
    expect(text).toMatch(/AZURE_CLIENT_ID: identityClientId/);
  });

  it('use no keys or secrets in Azure: no key, connection string or client secret settings', () => {
    for (const key of ['COSMOS_KEY', 'ACS_CONNECTION_STRING', 'AZURE_CLIENT_SECRET', 'AzureWebJobsStorage'])
      expect(bicepSettings).not.toContain(key);
    expect(read(FUNCTION_APP)).toMatch(/APPROVAL_LINK_SIGNING_KEY: '@Microsoft\.KeyVault\(SecretUri=\$\{/);
  });

  it('leave out what Flex Consumption sets itself (deployments fail when these are app settings)', () => {
    for (const key of [
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_NODE_DEFAULT_VERSION',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'WEBSITE_CONTENTSHARE',
    ])
      expect(bicepSettings).not.toContain(key);
  });
});
