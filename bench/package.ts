/**
 * The deployment package, built the way `azd package` / `azd up` builds it for pimflow (docs/deploy.md, "The
 * deployment package"), and its size.
 *
 *   npm run package:stage   what the `api` service's prepackage hook runs (azure.yaml): stages dist/package
 *   npm run package:size    the same, then zips it as azd does and prints the zip's size and file count
 *
 * azure.yaml says `remoteBuild: false` and `dist: dist/package`: Flex Consumption runs what it is given, so the
 * package carries the compiled app and its production dependencies. azd (service `api`, host `function`) restores
 * with `npm install`, runs the prepackage hook, runs `npm run build`, then zips the `dist:` folder, leaving out what
 * the folder's `.funcignore` matches (plus `.azure/`, `.funcignore` itself and `local.settings.json`). The stage
 * holds only:
 *   - dist/functions, dist/orchestrations, dist/shared (what package.json `main` loads, and what it requires);
 *   - dist/portal: the built portal (index.html, redirect.html, assets/ with their .br and .gz), which
 *     functions/portal.ts serves from dist/functions/../portal;
 *   - host.json, package.json, package-lock.json, and .funcignore (a copy of the repository's);
 *   - node_modules: the packages reachable from package.json `dependencies` (and their dependencies, optional
 *     ones when installed), copied from the restored node_modules at the same paths. No devDependency is reached
 *     that way unless a production package needs it too.
 * Every require() in the staged app must resolve inside the package, or staging fails.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** The repository: bench/.. when run from source (tests), dist/bench/../.. when compiled. */
export const ROOT = existsSync(path.join(__dirname, '..', 'package.json'))
  ? path.join(__dirname, '..')
  : path.join(__dirname, '..', '..');
/** azure.yaml `dist:` of the `api` service (relative to the project). */
export const STAGE = 'dist/package';
/** The compiled folders the Functions host loads (package.json `main`) and what they require. */
export const APP_DIRS = ['dist/functions', 'dist/orchestrations', 'dist/shared'];
/** Built files the app serves: the portal (`npm run build:portal`), read by functions/portal.ts. */
export const ASSET_DIRS = ['dist/portal'];
export const APP_FILES = ['host.json', 'package.json', 'package-lock.json', '.funcignore'];

// ---------------------------------------------------------------------------------------------------------------
// .funcignore: the gitignore subset azd's matcher (github.com/denormal/go-gitignore) shares with git. Negations
// (`!`) are refused: azd before 1.23.13 treated a negated match as an exclusion.

export interface IgnoreRule {
  pattern: string;
  dirOnly: boolean;
  anchored: boolean;
  regex: RegExp;
}

export function parseIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    let line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('!')) throw new Error(`.funcignore: negation is not supported here: ${line}`);
    const pattern = line;
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    rules.push({ pattern, dirOnly, anchored, regex: globToRegex(line) });
  }
  return rules;
}

function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` any leading directories, `/**` everything inside, `**` anything
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether a path (relative to the package root, `/`-separated) is left out, itself or through a parent folder. */
export function isIgnored(rules: IgnoreRule[], relPath: string, isDir: boolean): boolean {
  const parts = relPath.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    const dir = i < parts.length || isDir;
    const name = parts[i - 1] as string;
    for (const rule of rules) {
      if (rule.dirOnly && !dir) continue;
      if (rule.regex.test(rule.anchored ? sub : name)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Production dependencies: Node's resolution from each dependent's folder upwards, as the runtime resolves them.

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The package folder `name` resolves to from `fromDir` (a package's own folder), or undefined. */
function resolvePackageDir(root: string, fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    }
    const parent = path.dirname(dir);
    if (dir === root || parent === dir || path.relative(root, parent).startsWith('..')) return undefined;
    dir = parent;
  }
}

/**
 * The installed package folders (relative to root, e.g. `node_modules/@azure/cosmos`) reachable from root's
 * package.json `dependencies`. A missing required dependency is an error; a missing optional one is skipped.
 */
export function productionPackages(root = ROOT): string[] {
  const found = new Set<string>();
  const visit = (fromDir: string, pkg: PackageJson) => {
    const required = Object.keys(pkg.dependencies ?? {});
    const optional = Object.keys(pkg.optionalDependencies ?? {});
    for (const name of [...required, ...optional]) {
      const dir = resolvePackageDir(root, fromDir, name);
      if (!dir) {
        if (optional.includes(name)) continue;
        throw new Error(`${name} (a dependency of ${pkg.name ?? 'the app'}) is not installed: run npm ci`);
      }
      const rel = path.relative(root, dir).split(path.sep).join('/');
      if (found.has(rel)) continue;
      found.add(rel);
      visit(dir, readPackageJson(dir));
    }
  };
  visit(root, readPackageJson(root));
  return [...found].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Staging

/** Builds the stage folder from dist/ (run `npm run build` first) and the restored node_modules. */
export function stage(root = ROOT, stageDir = path.join(root, STAGE)): { packages: string[] } {
  for (const dir of [...APP_DIRS, ...ASSET_DIRS])
    if (!existsSync(path.join(root, dir))) throw new Error(`${dir} is missing: run npm run build first`);
  if (!existsSync(path.join(root, 'dist/portal/index.html')))
    throw new Error('dist/portal/index.html is missing: run npm run build first');
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  for (const dir of [...APP_DIRS, ...ASSET_DIRS])
    cpSync(path.join(root, dir), path.join(stageDir, dir), { recursive: true });
  for (const file of APP_FILES)
    if (existsSync(path.join(root, file))) cpSync(path.join(root, file), path.join(stageDir, file));
  const packages = productionPackages(root);
  for (const rel of packages) {
    // Followed through symbolic links; each package without its nested node_modules, which are copied on their
    // own when they are reachable.
    cpSync(path.join(root, rel), path.join(stageDir, rel), {
      recursive: true,
      dereference: true,
      filter: (src) => {
        const inside = path.relative(path.join(root, rel), src);
        return !inside.split(path.sep).includes('node_modules');
      },
    });
  }
  const problems = checkRequires(stageDir);
  if (problems.length > 0) throw new Error(`the staged package is incomplete:\n  ${problems.join('\n  ')}`);
  return { packages };
}

/** Every require() of the staged app must resolve to a file the zip carries, or to a Node built-in. */
export function checkRequires(stageDir: string): string[] {
  const rules = parseIgnore(readIfExists(path.join(stageDir, '.funcignore')));
  const problems: string[] = [];
  const builtins = new Set(builtinModules);
  for (const file of walk(stageDir, rules).filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
    const text = readFileSync(path.join(stageDir, file), 'utf8');
    for (const m of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] as string;
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      if (spec.startsWith('.')) {
        const base = path.posix.join(path.posix.dirname(file), spec);
        const candidates = [base, `${base}.js`, `${base}.json`, `${base}/index.js`];
        if (!candidates.some((c) => isShippedFile(stageDir, rules, c)))
          problems.push(`${file}: require('${spec}') is not in the package`);
      } else {
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : (spec.split('/')[0] as string);
        if (!isShippedFile(stageDir, rules, `node_modules/${name}/package.json`))
          problems.push(`${file}: require('${spec}'): ${name} is not in the package's node_modules`);
      }
    }
  }
  return problems;
}

function isShippedFile(stageDir: string, rules: IgnoreRule[], rel: string): boolean {
  const full = path.join(stageDir, rel);
  return existsSync(full) && statSync(full).isFile() && !isIgnored(rules, rel, false);
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The files azd zips from a folder: everything but what .funcignore matches and azd's own exclusions. */
export function walk(dir: string, rules: IgnoreRule[], prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const isDir =
      entry.isDirectory() || (entry.isSymbolicLink() && statSync(path.join(dir, rel)).isDirectory());
    if (isDir && entry.name === '.azure') continue;
    if (!isDir && (entry.name === '.funcignore' || entry.name === 'local.settings.json')) continue;
    if (isIgnored(rules, rel, isDir)) continue;
    if (isDir) out.push(...walk(dir, rules, rel));
    else out.push(rel);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Zip (deflate, no zip64: at most 65,535 files and 4 GB, far more than the package needs)

export function writeZip(dir: string, files: string[], zipFile: string): { bytes: number; rawBytes: number } {
  if (files.length > 0xffff) throw new Error(`${files.length} files: more than a zip without zip64 holds`);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let rawBytes = 0;
  for (const file of files) {
    const data = readFileSync(path.join(dir, file));
    rawBytes += data.length;
    const compressed = deflateRawSync(data);
    const name = Buffer.from(file, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(0, 12);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    header.writeUInt32LE(offset, 42);
    chunks.push(local, name, compressed);
    central.push(header, name);
    offset += local.length + name.length + compressed.length;
    if (offset > 0xffffffff) throw new Error('the package is larger than 4 GB');
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  const zip = Buffer.concat([...chunks, ...central, end]);
  writeFileSync(zipFile, zip);
  return { bytes: zip.length, rawBytes };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function main(): void {
  const command = process.argv[2] ?? 'size';
  if (command !== 'stage' && command !== 'size') {
    console.error('usage: node dist/bench/package.js [stage|size]');
    process.exit(2);
  }
  const stageDir = path.join(ROOT, STAGE);
  const { packages } = stage(ROOT, stageDir);
  const rules = parseIgnore(readIfExists(path.join(stageDir, '.funcignore')));
  const files = walk(stageDir, rules);
  console.log(
    `package: staged ${STAGE} (${files.length} files to zip, ${packages.length} production packages)`,
  );
  if (command === 'size') {
    const zipFile = path.join(ROOT, 'dist', 'package.zip');
    const { bytes, rawBytes } = writeZip(stageDir, files, zipFile);
    const modules = files.filter((f) => f.startsWith('node_modules/')).length;
    console.log(
      `package: ${path.relative(ROOT, zipFile)}: ${mb(bytes)} zipped, ${mb(rawBytes)} unzipped, ${files.length} files ` +
        `(${files.length - modules} of the app, ${modules} in node_modules)`,
    );
  }
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`package: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
