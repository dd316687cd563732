/**
 * What azd deploys (azure.yaml, .funcignore, bench/package.ts) and the deployment hooks, read as text: no azd here.
 * azd's rules (github.com/Azure/azure-dev, cli/azd/pkg/project/service_target_functionapp.go and project_utils.go):
 * for TypeScript on Flex Consumption, `remoteBuild: true` needs .funcignore to leave out node_modules and
 * `remoteBuild: false` needs it not to; the zip is the `dist:` folder less what that folder's .funcignore matches.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_DIRS,
  ASSET_DIRS,
  isIgnored,
  parseIgnore,
  productionPackages,
  stage,
  STAGE,
  walk,
} from '../../bench/package';
import { read, ROOT } from './bicep-text';

const azureYaml = read('azure.yaml');
const funcignore = read('.funcignore');
const rules = parseIgnore(funcignore);
const pkg = JSON.parse(read('package.json')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** A `key: value` of the `api` service in azure.yaml (two-space YAML, as written there). */
function serviceValue(key: string): string | undefined {
  const service = /^ {2}api:\n((?: {4,}.*\n|\n)*)/m.exec(azureYaml)?.[1] ?? '';
  return new RegExp(`^ {4}${key}: *(.+)$`, 'm').exec(service)?.[1]?.trim();
}

function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
}

describe('azure.yaml and .funcignore agree', () => {
  const remoteBuild = serviceValue('remoteBuild');

  it('say explicitly whether Flex Consumption builds remotely, and which azd understands that', () => {
    expect(['true', 'false']).toContain(remoteBuild);
    // `remoteBuild` on a function service: azd 1.23.5 (Azure/azure-dev#6748).
    const required = /^requiredVersions:\n {2}azd: *'?>= *(\d+)\.(\d+)\.(\d+)'?$/m.exec(azureYaml);
    expect(required, 'requiredVersions.azd').not.toBeNull();
    const [major, minor, patch] = (required as RegExpExecArray).slice(1).map(Number) as [
      number,
      number,
      number,
    ];
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(1_023_005);
  });

  it('uses no negation (azd before 1.23.13 counted a negated match as an exclusion)', () => {
    expect(withoutComments(funcignore)).not.toMatch(/^\s*!/m);
  });

  it('local build: ships dist/package with node_modules, built by the prepackage hook', () => {
    if (remoteBuild !== 'false') return;
    expect(serviceValue('dist')).toBe(STAGE);
    expect(isIgnored(rules, 'node_modules', true)).toBe(false);
    expect(isIgnored(rules, 'node_modules/@azure/functions/package.json', false)).toBe(false);
    for (const dir of APP_DIRS) expect(isIgnored(rules, `${dir}/index.js`, false), dir).toBe(false);
    expect(isIgnored(rules, 'dist', true)).toBe(false);
    for (const file of ['host.json', 'package.json']) expect(isIgnored(rules, file, false), file).toBe(false);
    // The hook stages the folder azd zips.
    const hooks = /^ {4}hooks:\n {6}prepackage:\n((?: {8,}.*\n)+)/m.exec(azureYaml)?.[1] ?? '';
    expect(hooks).toMatch(/run: npm run package:stage/);
    expect(pkg.scripts['package:stage']).toMatch(/node dist\/bench\/package\.js stage/);
  });

  it('remote build: ships sources and the TypeScript config, never node_modules', () => {
    if (remoteBuild !== 'true') return;
    expect(isIgnored(rules, 'node_modules', true)).toBe(true);
    for (const file of [
      'functions/health.ts',
      'shared/config.ts',
      'tsconfig.json',
      'package.json',
      'host.json',
    ])
      expect(isIgnored(rules, file, false), file).toBe(false);
  });

  it('keeps local state, tests and tooling out of the package', () => {
    for (const [p, dir] of [
      ['.local', true],
      ['test', true],
      ['local.settings.json', false],
      ['infra', true],
    ] as const)
      expect(isIgnored(rules, p, dir), p).toBe(true);
  });

  it('ships no devDependency: the staged node_modules are what `dependencies` reach', () => {
    const shipped = productionPackages().map((p) => p.replace(/^node_modules\//, ''));
    for (const name of Object.keys(pkg.dependencies)) expect(shipped, name).toContain(name);
    for (const name of [
      'typescript',
      'vitest',
      'eslint',
      'azurite',
      'prettier',
      '@stryker-mutator/core',
      'playwright-core',
    ])
      expect(shipped, name).not.toContain(name);
    expect(Object.keys(pkg.devDependencies)).toContain('typescript');
  });
});

describe('the portal in the package', () => {
  it('is staged: dist/portal (index.html, redirect.html, assets with their .br and .gz) is in what azd zips', () => {
    // A repository in miniature (no dependencies, so no node_modules to copy), with the real .funcignore.
    const root = mkdtempSync(path.join(os.tmpdir(), 'pimflow-package-'));
    try {
      writeFileSync(
        path.join(root, 'package.json'),
        JSON.stringify({ name: 'app', main: 'dist/functions/*.js' }),
      );
      cpSync(path.join(ROOT, '.funcignore'), path.join(root, '.funcignore'));
      for (const dir of APP_DIRS) {
        mkdirSync(path.join(root, dir), { recursive: true });
        writeFileSync(path.join(root, dir, 'index.js'), "require('node:path');\n");
      }
      const portalFiles = [
        'index.html',
        'index.html.br',
        'index.html.gz',
        'redirect.html',
        'assets/index-AbC123.js',
        'assets/index-AbC123.js.br',
        'assets/index-AbC123.js.gz',
        'assets/AuditLogPage-XyZ789.js',
        'assets/index-AbC123.css',
      ];
      for (const file of portalFiles) {
        mkdirSync(path.dirname(path.join(root, 'dist/portal', file)), { recursive: true });
        writeFileSync(path.join(root, 'dist/portal', file), 'x');
      }
      const stageDir = path.join(root, STAGE);
      stage(root, stageDir);
      const zipped = walk(stageDir, parseIgnore(readFileSync(path.join(stageDir, '.funcignore'), 'utf8')));
      for (const file of portalFiles) expect(zipped, file).toContain(`dist/portal/${file}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('staging refuses a build without the portal', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pimflow-package-'));
    try {
      writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'app' }));
      for (const dir of APP_DIRS) mkdirSync(path.join(root, dir), { recursive: true });
      expect(() => stage(root, path.join(root, STAGE))).toThrow(/dist\/portal is missing: run npm run build/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('.funcignore keeps every file of the built portal (what functions/portal.ts serves from dist/portal)', () => {
    expect(ASSET_DIRS).toContain('dist/portal');
    expect(pkg.scripts.build).toMatch(/npm run build:portal/);
    const built = path.join(ROOT, 'dist/portal');
    expect(existsSync(path.join(built, 'index.html')), 'dist/portal/index.html: run npm run build').toBe(
      true,
    );
    const files = readdirSync(built, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    expect(files.some((f) => /^dist\/portal\/assets\/.+\.js$/.test(f))).toBe(true);
    for (const file of files.filter((f) => !f.endsWith('.map')))
      expect(isIgnored(rules, file, false), file).toBe(false);
  });
});

describe('.funcignore matching', () => {
  it('follows gitignore: names anywhere, anchored paths from the root, folder-only patterns', () => {
    const r = parseIgnore('*.ts\n/test/\nbuild/\nnode_modules/**/docs\n');
    expect(isIgnored(r, 'functions/a.ts', false)).toBe(true);
    expect(isIgnored(r, 'test/a.js', false)).toBe(true);
    expect(isIgnored(r, 'node_modules/x/test/a.js', false)).toBe(false);
    expect(isIgnored(r, 'build', false)).toBe(false);
    expect(isIgnored(r, 'a/build/x.js', false)).toBe(true);
    expect(isIgnored(r, 'node_modules/x/y/docs/z.md', false)).toBe(true);
    expect(() => parseIgnore('!keep.ts')).toThrow(/negation/);
  });
});

describe('postprovision hook (ensure-signing-key.sh)', () => {
  const script = withoutComments(read('infra/scripts/ensure-signing-key.sh'));

  it('refreshes the Key Vault references, with the documented endpoint, before it restarts the app', () => {
    expect(script).toMatch(
      /az rest --method post --url "https:\/\/management\.azure\.com\$\{site_id\}\/config\/configreferences\/appsettings\/refresh\?api-version=2022-03-01"/,
    );
    // After creating the key: refresh_references, then restart_app.
    const created = script.indexOf('az keyvault secret set');
    const refresh = script.indexOf('\nrefresh_references', created);
    const restart = script.indexOf('\nrestart_app', created);
    expect(created).toBeGreaterThan(0);
    expect(refresh).toBeGreaterThan(created);
    expect(restart).toBeGreaterThan(refresh);
    // The restart function itself refreshes nothing and is never called before the refresh.
    expect(script.indexOf('az functionapp restart')).toBeGreaterThan(script.indexOf('configreferences'));
  });

  it('is valid sh', () => {
    execFileSync('sh', ['-n', path.join(ROOT, 'infra/scripts/ensure-signing-key.sh')]);
  });
});

describe('setup-entra.sh', () => {
  const file = path.join(ROOT, 'infra/scripts/setup-entra.sh');
  const script = withoutComments(readFileSync(file, 'utf8'));

  it('is valid bash', () => {
    execFileSync('bash', ['-n', file]);
  });

  it('sends every Graph call after creating the registration through the retry helper', () => {
    expect(script).toMatch(/^retry\(\) \{/m);
    const start = script.indexOf('az ad app create');
    const end = script.indexOf("Microsoft Graph application permissions of the app's managed identity");
    expect(start).toBeGreaterThan(0);
    const calls = script
      .slice(start, end)
      .split('\n')
      .slice(1)
      .filter((l) => /(^|[\s($])az (ad|rest)\b/.test(l));
    expect(calls.length).toBeGreaterThan(5);
    for (const line of calls) expect(line, line.trim()).toMatch(/retry az /);
  });

  it('reads the pre-authorized applications and appends the Azure CLI to them', () => {
    const block = /if \[\[ \$allow_cli == 1 \]\]; then\n([\s\S]*?)\n {2}fi\n/.exec(script)?.[1] ?? '';
    const read = block.search(/az ad app show .*preAuthorizedApplications/);
    const write = block.search(/az rest --method PATCH/);
    expect(read).toBeGreaterThanOrEqual(0);
    expect(write).toBeGreaterThan(read);
    expect(block).toMatch(/merge_preauth "\$others"/);
    // No literal one-entry list replacing what is there.
    expect(block).not.toMatch(/preauth="\[\{/);
  });

  it("registers the portal's SPA redirect URIs (the app's host and localhost:7071) and prints PORTAL_CLIENT_ID", () => {
    expect(script).toMatch(/portal_uris=\("http:\/\/localhost:7071\/api\/portal\/redirect\.html"\)/);
    expect(script).toMatch(/"\$\{app_url%\/\}\/api\/portal\/redirect\.html"/);
    expect(script).toMatch(/app_url=\$\(azd_value SERVICE_API_URI\)/);
    // Read what is registered, then PATCH the SPA platform only when something is missing (through retry).
    const read = script.search(/az ad app show --id "\$app_id" --query 'spa\.redirectUris'/);
    const write = script.search(/--body "\{\\"spa\\":\{\\"redirectUris\\":\$spa_uris\}\}"/);
    expect(read).toBeGreaterThan(0);
    expect(write).toBeGreaterThan(read);
    expect(script).toMatch(/say " {2}azd env set PORTAL_CLIENT_ID \$app_id"/);
  });

  it('merge_redirect_uris keeps the registered URIs, adds the missing ones, and says nothing when none is missing', () => {
    const fn = /^merge_redirect_uris\(\) \{[\s\S]*?^\}/m.exec(script)?.[0] ?? '';
    const merge = (have: string, ...want: string[]) =>
      execFileSync('bash', ['-c', `${fn}\nmerge_redirect_uris "$@"`, 'x', have, ...want], {
        encoding: 'utf8',
      }).trim();
    const app = 'https://func-x.azurewebsites.net/api/portal/redirect.html';
    const local = 'http://localhost:7071/api/portal/redirect.html';
    expect(JSON.parse(merge('', app, local))).toEqual([app, local]);
    expect(JSON.parse(merge(`https://other.example/cb\n${local}`, app, local))).toEqual([
      'https://other.example/cb',
      local,
      app,
    ]);
    expect(merge(`${app}\n${local}`, app, local)).toBe('');
  });

  it("merge_preauth keeps other clients and the CLI's other scopes, without duplicates", () => {
    const fn = /^merge_preauth\(\) \{[\s\S]*?^\}/m.exec(script)?.[0] ?? '';
    const merge = (others: string, cliIds: string) =>
      JSON.parse(
        execFileSync(
          'bash',
          ['-c', `SCOPE_ID=S AZURE_CLI_APP_ID=C\n${fn}\nmerge_preauth "$1" "$2"`, 'x', others, cliIds],
          {
            encoding: 'utf8',
          },
        ),
      ) as unknown;
    expect(merge('[]', '')).toEqual([{ appId: 'C', delegatedPermissionIds: ['S'] }]);
    const other = { appId: 'X', delegatedPermissionIds: ['a'] };
    expect(merge(JSON.stringify([other], null, 2), 'T\nS')).toEqual([
      other,
      { appId: 'C', delegatedPermissionIds: ['T', 'S'] },
    ]);
  });
});
