/**
 * Rules of infra/ that can be checked without a Bicep compiler: layout for azd, resource types and API versions
 * reviewed against their template reference, role assignments named guid(scope, principal, role), outputs in
 * UPPER_SNAKE, identity-only access (no shared keys, no local auth), nothing secret in parameters files, and the
 * Cosmos containers equal to the code's.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ROLES } from '../../shared/auth/principal';
import { appContainers } from '../../shared/storage/containers';
import {
  bicepFiles,
  INFRA,
  outputs,
  paramDecorators,
  params,
  read,
  resources,
  ROOT,
  unsafeJsonReads,
} from './bicep-text';

/**
 * Every resource type the templates use, at the API version whose template reference was read when it was
 * written (docs/deploy.md, "Resources"). A new type or version is a conscious change: review it, then add it here.
 */
const REVIEWED: Record<string, string> = {
  'Microsoft.Resources/resourceGroups': '2024-03-01',
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Storage/storageAccounts': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2023-05-01',
  'Microsoft.DocumentDB/databaseAccounts': '2024-05-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases': '2024-05-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers': '2024-05-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments': '2024-05-15',
  'Microsoft.Communication/emailServices': '2023-04-01',
  'Microsoft.Communication/emailServices/domains': '2023-04-01',
  'Microsoft.Communication/communicationServices': '2023-04-01',
  'Microsoft.KeyVault/vaults': '2023-07-01',
  'Microsoft.Web/serverfarms': '2024-04-01',
  'Microsoft.Web/sites': '2024-04-01',
  'Microsoft.Web/sites/config': '2024-04-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.Authorization/roleDefinitions': '2022-04-01',
};

const ROLE_ASSIGNMENT_TYPES = [
  'Microsoft.Authorization/roleAssignments',
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
];

const all = resources();
const main = read('infra/main.bicep');

describe('infra/ for azd', () => {
  it('has azure.yaml with one function service, and main.bicep at subscription scope', () => {
    const yaml = read('azure.yaml');
    expect(yaml).toMatch(/^services:\n {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function$/m);
    expect(yaml).toMatch(/^ {2}path: infra$/m);
    expect(main).toMatch(/^targetScope = 'subscription'$/m);
    expect(
      all.some((r) => r.type === 'Microsoft.Resources/resourceGroups' && r.file === 'infra/main.bicep'),
    ).toBe(true);
  });

  it('tags the Function App with the azd service name of azure.yaml', () => {
    const site = all.find((r) => r.type === 'Microsoft.Web/sites');
    expect(site?.body).toMatch(/'azd-service-name': 'api'/);
  });

  it('points every module and hook at a file that exists', () => {
    for (const { file, text } of bicepFiles())
      for (const m of text.matchAll(/^module \w+ '([^']+)'/gm))
        expect(existsSync(path.join(ROOT, path.dirname(file), m[1] as string)), `${file}: ${m[1]}`).toBe(
          true,
        );
    // Hooks that run a script by path (`npm run ...` hooks are checked in packaging.test.ts).
    for (const m of read('azure.yaml').matchAll(/run: (\.\/\S+)/g)) {
      const script = path.join(ROOT, m[1] as string);
      expect(existsSync(script), m[1]).toBe(true);
      expect(statSync(script).mode & 0o111, `${m[1]} is executable`).not.toBe(0);
    }
  });

  it('uses only resource types and API versions reviewed against their reference', () => {
    const unreviewed = all
      .filter((r) => REVIEWED[r.type] !== r.apiVersion)
      .map((r) => `${r.file}: ${r.type}@${r.apiVersion}`);
    expect(unreviewed).toEqual([]);
  });

  it('names every role assignment guid(scope, principal, role)', () => {
    const assignments = all.filter((r) => ROLE_ASSIGNMENT_TYPES.includes(r.type) && !r.existing);
    expect(assignments.length).toBeGreaterThanOrEqual(6);
    const badly = assignments
      .filter((r) => !/^\s*name: guid\([^,]+\.id, \w+, [^,)]+\)$/m.test(r.body))
      .map((r) => `${r.file}: ${r.symbol}`);
    expect(badly).toEqual([]);
  });

  it('gives the identity the data-plane roles Durable Functions, Cosmos DB, e-mail and Key Vault need', () => {
    const text = bicepFiles()
      .map((f) => f.text)
      .join('\n');
    for (const [role, id] of Object.entries({
      'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      'Cosmos DB Built-in Data Contributor': '00000000-0000-0000-0000-000000000002',
      'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
      'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
    }))
      expect(text, role).toContain(`'${id}'`);
  });

  it('writes outputs in UPPER_SNAKE (azd turns them into environment variables)', () => {
    const names = outputs(main);
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(n))).toEqual([]);
    for (const needed of [
      'SERVICE_API_NAME',
      'API_IDENTITY_PRINCIPAL_ID',
      'KEY_VAULT_NAME',
      'AZURE_RESOURCE_GROUP',
      'PORTAL_URL',
    ])
      expect(names).toContain(needed);
  });

  it("outputs the portal's URL: the function app's /api/portal/ (functions/portal.ts serves it there)", () => {
    expect(main).toMatch(/^output PORTAL_URL string = '\$\{api\.outputs\.uri\}\/api\/portal\/'$/m);
    expect(read('infra/app/function-app.bicep')).toMatch(
      /^output uri string = 'https:\/\/\$\{site\.properties\.defaultHostName\}'$/m,
    );
  });

  it("passes PORTAL_CLIENT_ID from the azd environment to the function app (empty: the portal isn't set up)", () => {
    const file = JSON.parse(read('infra/main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(file.parameters.portalClientId?.value).toBe('${PORTAL_CLIENT_ID}');
    expect(params(main).find((p) => p.name === 'portalClientId')?.hasDefault).toBe(true);
    expect(main).toMatch(/^ {4}portalClientId: portalClientId$/m);
    expect(read('infra/app/function-app.bicep')).toMatch(/^param portalClientId string$/m);
  });

  it('turns off keys: storage shared keys, Cosmos DB and Application Insights local auth', () => {
    const body = (type: string) => all.find((r) => r.type === type)?.body ?? '';
    expect(body('Microsoft.Storage/storageAccounts')).toMatch(/allowSharedKeyAccess: false/);
    expect(body('Microsoft.DocumentDB/databaseAccounts')).toMatch(/disableLocalAuth: true/);
    expect(body('Microsoft.DocumentDB/databaseAccounts')).toMatch(/name: 'EnableServerless'/);
    expect(body('Microsoft.Insights/components')).toMatch(/DisableLocalAuth: true/);
    expect(body('Microsoft.KeyVault/vaults')).toMatch(/enableRbacAuthorization: true/);
    expect(body('Microsoft.Communication/emailServices/domains')).toMatch(/domainManagement: 'AzureManaged'/);
    expect(body('Microsoft.Communication/communicationServices')).toMatch(
      /linkedDomains: \[managedDomain\.id\]/,
    );
  });

  it('keeps secrets out of parameters: no @secure() values in files, no key-like names or values', () => {
    const secureParams = new Set(
      bicepFiles().flatMap(({ text }) => [...text.matchAll(/@secure\(\)\s*\nparam (\w+)/g)].map((m) => m[1])),
    );
    for (const file of readdirSync(INFRA).filter((f) => f.endsWith('.parameters.json'))) {
      const parameters = (
        JSON.parse(read(`infra/${file}`)) as { parameters: Record<string, { value: unknown }> }
      ).parameters;
      for (const [name, { value }] of Object.entries(parameters)) {
        expect(secureParams.has(name), `${file}: ${name} is @secure()`).toBe(false);
        expect(name, `${file}: ${name}`).not.toMatch(/secret|password|key|connectionstring|token/i);
        const text = String(value);
        expect(text, `${file}: ${name}`).not.toMatch(
          /AccountKey=|accesskey=|SharedAccessSignature|[A-Za-z0-9+/]{40,}/i,
        );
      }
    }
  });

  it('maps main.parameters.json to main.bicep: every entry is a param, every param without default has an entry', () => {
    const declared = params(main);
    const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> };
    const given = Object.keys(file.parameters);
    expect(given.filter((g) => !declared.some((p) => p.name === g))).toEqual([]);
    expect(declared.filter((p) => !p.hasDefault && !given.includes(p.name)).map((p) => p.name)).toEqual([]);
  });

  it('creates exactly the Cosmos DB containers the code declares (the identity cannot create them)', () => {
    const declared = (
      JSON.parse(read('infra/app/cosmos-containers.json')) as { containers: Record<string, unknown>[] }
    ).containers;
    const normalize = (specs: readonly object[]) =>
      specs
        .map((s) =>
          JSON.stringify(Object.fromEntries(Object.entries(s).sort(([a], [b]) => a.localeCompare(b)))),
        )
        .sort();
    expect(normalize(declared)).toEqual(normalize(appContainers));
    expect(read('infra/app/cosmos.bicep')).toMatch(/loadJsonContent\('cosmos-containers\.json'\)/);
  });
});

describe('e-mail: least privilege for sending', () => {
  const email = read('infra/app/email.bicep');
  const definition = all.find((r) => r.type === 'Microsoft.Authorization/roleDefinitions');

  it('uses no Owner role: not Communication and Email Service Owner, not Owner or Contributor', () => {
    // The condition that forbids the app's identity to assign the privileged roles names them: not a use.
    const text = bicepFiles()
      .map((f) => f.text.replace(/^var privilegedRoles = .*$/m, ''))
      .join('\n');
    for (const id of [
      '09976791-48a7-449e-bb21-39d1a415f350', // Communication and Email Service Owner
      '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
      'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
    ])
      expect(text).not.toContain(id);
  });

  it('defines a custom role with exactly the actions Azure documents for sending with Entra ID', () => {
    expect(definition?.file).toBe('infra/app/email.bicep');
    expect(definition?.body).toMatch(/^ {2}name: guid\(resourceGroup\(\)\.id, '[\w-]+'\)$/m);
    expect(definition?.body).toMatch(/type: 'CustomRole'/);
    expect(definition?.body).toMatch(/assignableScopes: \[resourceGroup\(\)\.id\]/);
    expect(definition?.body).toMatch(
      /actions: emailSenderActions\n\s*notActions: \[\]\n\s*dataActions: \[\]/,
    );
    const block = /^var emailSenderActions = \[\n([\s\S]*?)\n\]/m.exec(email)?.[1] ?? '';
    const actions = [...block.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(actions).toEqual([
      'Microsoft.Communication/CommunicationServices/Read',
      'Microsoft.Communication/CommunicationServices/Write',
      'Microsoft.Communication/EmailServices/write',
    ]);
  });

  it("assigns that role, and only it, to the app's identity on the Communication Services resource", () => {
    const assignments = all.filter(
      (r) => r.type === 'Microsoft.Authorization/roleAssignments' && r.file === 'infra/app/email.bicep',
    );
    expect(assignments).toHaveLength(1);
    const body = assignments[0]?.body ?? '';
    expect(body).toMatch(/^ {2}scope: communicationService$/m);
    expect(body).toMatch(
      /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', emailSenderRole\.name\)/,
    );
    expect(body).toMatch(/principalId: identityPrincipalId/);
    expect(body).toMatch(/principalType: 'ServicePrincipal'/);
  });
});

describe('Flex Consumption scale settings', () => {
  const functionApp = read('infra/app/function-app.bicep');
  const site = all.find((r) => r.type === 'Microsoft.Web/sites');

  // Azure Functions docs, event-driven-scaling.md ("Limit scale-out", Flex Consumption, 2026-08): the lowest maximum
  // instance count is 1, the highest 1000 (in preview the lowest was 40); always-ready instances don't count.
  it('bound maximumInstanceCount to what Flex accepts: 1 to 1000', () => {
    const bounds = paramDecorators(main, 'maximumInstanceCount');
    expect(bounds).toMatchObject({ minValue: '1', maxValue: '1000' });
    const fallback = Number(params(main).find((p) => p.name === 'maximumInstanceCount')?.defaultText);
    expect(fallback).toBeGreaterThanOrEqual(1);
    expect(fallback).toBeLessThanOrEqual(1000);
    expect(main).toMatch(/^ {4}maximumInstanceCount: maximumInstanceCount$/m);
  });

  it('keep one always-ready instance for the "durable" group, from a main.bicep parameter', () => {
    const count = params(main).find((p) => p.name === 'durableAlwaysReadyInstances');
    expect(count?.type).toBe('int');
    expect(count?.defaultText).toBe('1');
    expect(paramDecorators(main, 'durableAlwaysReadyInstances').minValue).toBe('0');
    expect(main).toMatch(/^ {4}durableAlwaysReadyInstances: durableAlwaysReadyInstances$/m);
    expect(functionApp).toMatch(/^param durableAlwaysReadyInstances int$/m);
    const scale = /scaleAndConcurrency: \{([\s\S]*?)\n {6}\}/.exec(site?.body ?? '')?.[1] ?? '';
    expect(scale).toMatch(
      /^ {8}alwaysReady: \[\{ name: 'durable', instanceCount: durableAlwaysReadyInstances \}\]$/m,
    );
    expect(scale).toMatch(/^ {8}maximumInstanceCount: maximumInstanceCount$/m);
  });
});

describe('loadJsonContent values (BCP053: their types are exact)', () => {
  const loadFor = (file: string) => (relative: string) =>
    JSON.parse(readFileSync(path.join(ROOT, path.dirname(file), relative), 'utf8')) as unknown;

  it('read only properties every loaded entry has, or read them with .?', () => {
    const files = bicepFiles();
    expect(files.filter((f) => f.text.includes('loadJsonContent(')).length).toBeGreaterThanOrEqual(2);
    const problems = files.flatMap(({ file, text }) => unsafeJsonReads(file, text, loadFor(file)));
    expect(problems).toEqual([]);
  });

  it("read the containers' optional parts with .? (no container declares them today)", () => {
    const cosmos = read('infra/app/cosmos.bicep');
    for (const prop of ['uniqueKeys', 'defaultTtl', 'compositeIndexes']) {
      expect(cosmos).toContain(`c.?${prop}`);
      expect(cosmos).not.toMatch(new RegExp(`\\bc\\.${prop}\\b`));
    }
  });

  it('catch what broke azd provision: a guarded read of a property no entry has', () => {
    const broken = [
      "var containers = loadJsonContent('c.json').containers",
      "resource x 'T@1' = [",
      '  for c in containers: {',
      '    name: c.id',
      "    p: contains(c, 'uniqueKeys') ? c.uniqueKeys : []",
      '    q: c.?defaultTtl',
      '  }',
      ']',
      "var abbrs = loadJsonContent('a.json')",
      "var n = '${abbrs.functionApps}${abbrs.typo}'",
    ].join('\n');
    const json: Record<string, unknown> = {
      'c.json': { containers: [{ id: 'a' }, { id: 'b', uniqueKeys: [['/k']] }] },
      'a.json': { functionApps: 'func-' },
    };
    const problems = unsafeJsonReads('x.bicep', broken, (f) => json[f]);
    expect(problems.map((p) => p.expression).sort()).toEqual(['abbrs.typo', 'c.uniqueKeys']);
  });
});

describe('infra/scripts', () => {
  const scripts = readdirSync(path.join(INFRA, 'scripts')).filter((f) => f.endsWith('.sh'));

  it('parse (bash -n / sh -n) and are executable', () => {
    expect(scripts).toEqual(expect.arrayContaining(['setup-entra.sh', 'ensure-signing-key.sh']));
    for (const script of scripts) {
      const file = path.join(INFRA, 'scripts', script);
      const shell = read(`infra/scripts/${script}`).startsWith('#!/bin/sh') ? 'sh' : 'bash';
      execFileSync(shell, ['-n', file]);
      expect(statSync(file).mode & 0o111, script).not.toBe(0);
    }
  });

  it('create the app roles the code checks, with distinct ids', () => {
    const script = read('infra/scripts/setup-entra.sh');
    const block = /^APP_ROLES=\(\n([\s\S]*?)\n\)/m.exec(script)?.[1] ?? '';
    const roles = [...block.matchAll(/^\s*"([^|"]+)\|([0-9a-f-]{36})\|/gm)].map((m) => ({
      value: m[1],
      id: m[2],
    }));
    expect(roles.map((r) => r.value).sort()).toEqual(Object.values(APP_ROLES).sort());
    expect(new Set(roles.map((r) => r.id)).size).toBe(roles.length);
  });

  it('let apps hold both app roles, mark app-only tokens with idtyp, and leave assignment optional', () => {
    const script = read('infra/scripts/setup-entra.sh');
    const memberTypes = /^APP_ROLE_MEMBER_TYPES='(.*)'$/m.exec(script)?.[1] ?? '';
    expect(JSON.parse(memberTypes)).toEqual(['User', 'Application']);
    expect(script).toMatch(/"allowedMemberTypes\\":\$APP_ROLE_MEMBER_TYPES/);
    const claims = JSON.parse(/^OPTIONAL_CLAIMS='(.*)'$/m.exec(script)?.[1] ?? '{}') as {
      accessToken?: { name: string }[];
    };
    expect(claims.accessToken?.map((c) => c.name)).toEqual(['idtyp']);
    expect(script).toMatch(/\\"optionalClaims\\":\$OPTIONAL_CLAIMS/);
    // Every requester, approver and reviewer must get a token: the script never requires assignment.
    expect(script).not.toMatch(/appRoleAssignmentRequired[\\"]*:\s*true/);
  });

  it('ask Entra ID for v2.0 tokens, whose issuer is the AUTH_ISSUER Bicep sets', () => {
    expect(read('infra/scripts/setup-entra.sh')).toMatch(/"requestedAccessTokenVersion": 2/);
    expect(read('infra/app/function-app.bicep')).toMatch(
      /AUTH_ISSUER: '\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{authTenantId\}\/v2\.0'/,
    );
  });
});

describe('Azure roles: the app may assign them, never the roles that manage access', () => {
  const module = read('infra/app/azure-rbac-administrator.bicep');
  const text = bicepFiles().find((f) => f.file.endsWith('azure-rbac-administrator.bicep'))?.text ?? '';
  const privileged = [
    '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
    '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', // User Access Administrator
    'f58310d9-a9f6-439a-9e8d-f62e7b41a168', // Role Based Access Control Administrator
  ];

  it('grants Role Based Access Control Administrator at the subscription only when asked (AZURE_RBAC_AT_SUBSCRIPTION)', () => {
    expect(main).toMatch(/^param azureRbacAtSubscription string = 'false'$/m);
    expect(main).toMatch(
      /^module azureRbac 'app\/azure-rbac-administrator\.bicep' = if \(azureRbacAtSubscription == 'true'\) \{$/m,
    );
    const parameters = JSON.parse(read('infra/main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.azureRbacAtSubscription?.value).toBe('${AZURE_RBAC_AT_SUBSCRIPTION=false}');
    expect(module).toMatch(/^targetScope = 'subscription'$/m);
    expect(text).toMatch(/^var rbacAdministrator = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'$/m);
    expect(text).toMatch(
      /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', rbacAdministrator\)/,
    );
    expect(text).toMatch(/principalType: 'ServicePrincipal'/);
  });

  it('conditions it as Azure documents: no writing or deleting Owner, User Access Administrator or RBAC Administrator', () => {
    const roles = /^var privilegedRoles = '([^']*)'$/m.exec(text)?.[1]?.split(/,\s*/);
    expect(roles).toEqual(privileged);
    const condition = /^var condition = '(.*)'$/m.exec(text)?.[1] ?? '';
    const set = '{${privilegedRoles}}';
    expect(condition).toBe(
      "((!(ActionMatches{\\'Microsoft.Authorization/roleAssignments/write\\'})) OR " +
        `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals ${set})) AND ` +
        "((!(ActionMatches{\\'Microsoft.Authorization/roleAssignments/delete\\'})) OR " +
        `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals ${set}))`,
    );
    expect(text).toMatch(/^ {4}condition: condition$/m);
    expect(text).toMatch(/^ {4}conditionVersion: '2\.0'$/m);
  });
});
