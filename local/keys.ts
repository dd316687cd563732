/**
 * The host's keys, kept as the Functions host keeps them on a file system (its FileSystemSecretsRepository):
 * `host.json` with the master key, the host function keys and the system keys (the Durable extension's
 * `durabletask_extension`), and `<function>.json` with a function's own keys. They are made on first start
 * (32 random bytes each) in the git-ignored local folder, so they survive restarts; delete the folder for new ones.
 * A key is matched as the host's SecretManager does: master key first, then system keys, host function keys, and
 * the function's own keys.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

export const MASTER_KEY_NAME = 'master';
export const DEFAULT_KEY_NAME = 'default';
/** The system key the Durable extension asks the host for; its HTTP API requires it. */
export const DURABLE_SYSTEM_KEY = 'durabletask_extension';

/** What a presented key grants, as the host's AuthorizationLevel (Admin = the master key). */
export interface KeyMatch {
  level: 'function' | 'system' | 'admin';
  name: string;
}

interface Key {
  name: string;
  value: string;
}
interface HostSecretsFile {
  masterKey: Key;
  functionKeys: Key[];
  systemKeys: Key[];
}
interface FunctionSecretsFile {
  keys: Key[];
}

export class HostKeys {
  private constructor(
    /** The folder holding `host.json` and the function key files. */
    readonly dir: string,
    private readonly host: HostSecretsFile,
    private readonly functions: Map<string, Key[]>,
  ) {}

  /**
   * Reads the keys in `dir`, making what is missing: the host keys, the given system keys, and a default key for
   * each of `functionNames` (functions whose authLevel is `function`).
   */
  static load(dir: string, options: { systemKeys?: string[]; functionNames?: string[] } = {}): HostKeys {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const hostFile = path.join(dir, 'host.json');
    const wantedSystemKeys = options.systemKeys ?? [DURABLE_SYSTEM_KEY];
    let host = readOrCreate<HostSecretsFile>(hostFile, () => ({
      masterKey: newKey(MASTER_KEY_NAME),
      functionKeys: [newKey(DEFAULT_KEY_NAME)],
      systemKeys: wantedSystemKeys.map(newKey),
    }));
    const missing = wantedSystemKeys.filter((name) => !host.systemKeys.some((k) => k.name === name));
    if (missing.length > 0) {
      host = { ...host, systemKeys: [...host.systemKeys, ...missing.map(newKey)] };
      replaceFile(hostFile, host);
    }
    const functions = new Map<string, Key[]>();
    for (const name of options.functionNames ?? []) {
      const file = path.join(dir, `${name.toLowerCase()}.json`);
      functions.set(
        name.toLowerCase(),
        readOrCreate<FunctionSecretsFile>(file, () => ({ keys: [newKey(DEFAULT_KEY_NAME)] })).keys,
      );
    }
    return new HostKeys(dir, host, functions);
  }

  /** Where the host keys are (for people and scripts: the banner prints it). */
  get hostFile(): string {
    return path.join(this.dir, 'host.json');
  }

  get master(): string {
    return this.host.masterKey.value;
  }

  /** The Durable extension's system key (`durabletask_extension`). */
  get durable(): string {
    return this.systemKey(DURABLE_SYSTEM_KEY);
  }

  /** A host function key (default: `default`), good for any function whose authLevel is `function`. */
  hostKey(name = DEFAULT_KEY_NAME): string {
    return found(this.host.functionKeys, name, 'host function key');
  }

  systemKey(name: string): string {
    return found(this.host.systemKeys, name, 'system key');
  }

  /** A function's own key (default: `default`), good for that function only. */
  functionKey(functionName: string, name = DEFAULT_KEY_NAME): string {
    return found(this.functions.get(functionName.toLowerCase()) ?? [], name, `key of ${functionName}`);
  }

  /** What `value` is, if it is a key at all; `functionName` lets a function's own keys match. */
  match(value: string | undefined, functionName?: string): KeyMatch | undefined {
    if (!value) return undefined;
    if (same(value, this.host.masterKey.value)) return { level: 'admin', name: MASTER_KEY_NAME };
    const system = this.host.systemKeys.find((k) => same(value, k.value));
    if (system) return { level: 'system', name: system.name };
    const hostKey = this.host.functionKeys.find((k) => same(value, k.value));
    if (hostKey) return { level: 'function', name: hostKey.name };
    const own = functionName ? this.functions.get(functionName.toLowerCase()) : undefined;
    const ownKey = own?.find((k) => same(value, k.value));
    return ownKey ? { level: 'function', name: ownKey.name } : undefined;
  }
}

/** Reads the host keys another process made (tests and scripts that call a runtime they started). */
export function readHostKeys(dir: string): { master: string; durable: string; hostKey: string } {
  const host = JSON.parse(readFileSync(path.join(dir, 'host.json'), 'utf8')) as HostSecretsFile;
  return {
    master: host.masterKey.value,
    durable: found(host.systemKeys, DURABLE_SYSTEM_KEY, 'system key'),
    hostKey: found(host.functionKeys, DEFAULT_KEY_NAME, 'host function key'),
  };
}

function newKey(name: string): Key {
  return { name, value: randomBytes(32).toString('base64url') };
}

function found(keys: Key[], name: string, what: string): string {
  const key = keys.find((k) => k.name === name);
  if (!key) throw new Error(`No ${what} named "${name}"`);
  return key.value;
}

/** Compares in constant time (the lengths of the digests, not of the keys, are what get compared). */
function same(presented: string, key: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(key));
}

/**
 * Reads a key file, or makes it. Several runtimes may start at once on one folder (parallel tests): the file is
 * written whole under a temporary name and linked into place only if no one else got there first, so every
 * process ends up with the same keys.
 */
function readOrCreate<T>(file: string, make: () => T): T {
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(make(), null, 2)}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function replaceFile(file: string, content: unknown): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
