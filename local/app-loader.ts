/**
 * Loads a function app the way the Functions host does: read package.json `main` (a file or a glob), require
 * every matching file, and let `@azure/functions` register through our `@azure/functions-core` stand-in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { FunctionsCoreRegistry, installFunctionsCore } from './functions-core';

export interface LoadedApp {
  appDir: string;
  registry: FunctionsCoreRegistry;
  files: string[];
}

export class AppLoadError extends Error {}

/** The worker loads one app per process and Node caches its modules: a second load returns the first. */
let loaded: LoadedApp | undefined;

export async function loadFunctionApp(appDir: string): Promise<LoadedApp> {
  if (loaded) {
    if (loaded.appDir !== appDir) {
      throw new AppLoadError(
        `This process already runs the app in ${loaded.appDir}; start another process for ${appDir}`,
      );
    }
    return loaded;
  }
  const packageJsonPath = path.join(appDir, 'package.json');
  if (!existsSync(packageJsonPath)) throw new AppLoadError(`No package.json in ${appDir}`);
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { main?: string };
  const main = pkg.main ?? 'index.js';
  const files = expandMainGlob(appDir, main);
  if (files.length === 0) {
    throw new AppLoadError(
      `package.json "main" (${main}) matches no file in ${appDir}: did you run "npm run build"?`,
    );
  }
  const registry = new FunctionsCoreRegistry();
  installFunctionsCore(registry);
  const requireFromApp = Module.createRequire(packageJsonPath);
  for (const file of files) {
    try {
      requireFromApp(file);
    } catch (err) {
      throw new AppLoadError(
        `Worker was unable to load entry point "${path.relative(appDir, file)}": ${errorText(err)}`,
      );
    }
  }
  await registry.runHooks('appStart', {
    hookData: {},
    appHookData: registry.appHookData,
    functionAppDirectory: appDir,
  });
  loaded = { appDir, registry, files };
  return loaded;
}

/** Glob subset the host supports in `main`: `*`, `**` and `{a,b}`. */
export function expandMainGlob(appDir: string, pattern: string): string[] {
  if (!/[*?{]/.test(pattern)) {
    const file = path.resolve(appDir, pattern);
    return existsSync(file) ? [file] : [];
  }
  const regex = globToRegExp(pattern.replace(/^\.\//, ''));
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (regex.test(path.relative(appDir, full).split(path.sep).join('/'))) found.push(full);
    }
  };
  walk(appDir);
  return found.sort();
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '{') out += '(?:';
    else if (ch === '}') out += ')';
    else if (ch === ',') out += '|';
    else out += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
