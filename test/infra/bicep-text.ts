/**
 * Just enough reading of Bicep text for the consistency tests (no Bicep compiler here): comments stripped, blocks
 * found by brace matching, top-level keys of an object literal, resources and outputs by their declaring lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const INFRA = path.join(ROOT, 'infra');

export function read(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** Every .bicep file under infra/, as { file (relative to the repo), text without comments }. */
export function bicepFiles(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.bicep'))
        out.push({ file: path.relative(ROOT, full), text: stripComments(readFileSync(full, 'utf8')) });
    }
  };
  walk(INFRA);
  return out;
}

/** Removes // and /* *\/ comments that are not inside '...' strings. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === "'") inString = false;
    } else if (c === "'") {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** The text between the `{` that starts at or after `from` and its matching `}` (braces in strings count too). */
export function blockAfter(text: string, from: number): string {
  const open = text.indexOf('{', from);
  if (open < 0) throw new Error('no block found');
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

/** The keys at the top level of an object literal's body (one key per line, as Bicep writes them). */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of body.split('\n')) {
    const m = /^\s*'?([A-Za-z_][A-Za-z0-9_.-]*)'?\s*:/.exec(line);
    if (depth === 0 && m?.[1]) keys.push(m[1]);
    for (const c of line) {
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
    }
  }
  return keys;
}

/** Top-level keys of `var <name> = { ... }` in a Bicep text. */
export function varObjectKeys(text: string, name: string): string[] {
  const at = new RegExp(`^var ${name} = \\{`, 'm').exec(text);
  if (!at) throw new Error(`no var ${name} object`);
  return topLevelKeys(blockAfter(text, at.index));
}

export interface BicepResource {
  file: string;
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  body: string;
}

export function resources(files = bicepFiles()): BicepResource[] {
  const out: BicepResource[] = [];
  for (const { file, text } of files) {
    const re = /^resource (\w+) '([^'@]+)@([^']+)'( existing)? = /gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push({
        file,
        symbol: m[1] as string,
        type: m[2] as string,
        apiVersion: m[3] as string,
        existing: Boolean(m[4]),
        body: blockAfter(text, m.index),
      });
    }
  }
  return out;
}

export function outputs(text: string): string[] {
  return [...text.matchAll(/^output (\S+) /gm)].map((m) => m[1] as string);
}

export interface BicepParam {
  name: string;
  type: string;
  hasDefault: boolean;
  defaultText?: string;
}

export function params(text: string): BicepParam[] {
  return [...text.matchAll(/^param (\w+) (\w+)( = (.*))?$/gm)].map((m) => ({
    name: m[1] as string,
    type: m[2] as string,
    hasDefault: m[3] !== undefined,
    ...(m[4] !== undefined ? { defaultText: m[4].trim() } : {}),
  }));
}

/** A param's default when it is a plain string literal. */
export function stringDefault(text: string, name: string): string {
  const param = params(text).find((p) => p.name === name);
  const m = /^'((?:[^'\\]|\\.)*)'$/.exec(param?.defaultText ?? '');
  if (!m) throw new Error(`param ${name} has no string literal default`);
  return (m[1] as string).replace(/\\'/g, "'");
}

/** One read of a property of a `loadJsonContent` value that not every entry has (Bicep error BCP053). */
export interface UnsafeJsonRead {
  file: string;
  expression: string;
  reason: string;
}

/**
 * Property reads from `loadJsonContent` values that the Bicep compiler rejects. Such a value has an exact type:
 * `x.prop` where `x` is a loaded object lacking `prop`, or `c.prop` where `c` iterates a loaded array and some
 * entry lacks `prop`, is error BCP053, however it is guarded (`contains(c, 'prop') ? c.prop : ...` included).
 * `x.?prop` (safe dereference, null when absent) is always allowed. Only `var <name> = loadJsonContent('<file>')`
 * optionally followed by `.a.b` is followed; `loadJson` reads the JSON file relative to the .bicep file.
 */
export function unsafeJsonReads(
  file: string,
  text: string,
  loadJson: (relativeToBicep: string) => unknown,
): UnsafeJsonRead[] {
  const problems: UnsafeJsonRead[] = [];
  const loaded = new Map<string, unknown>();
  for (const m of text.matchAll(/^var (\w+) = loadJsonContent\('([^']+)'\)((?:\.\w+)*)\s*$/gm)) {
    let value: unknown = loadJson(m[2] as string);
    for (const key of (m[3] as string).split('.').filter(Boolean))
      value = isObject(value) ? value[key] : undefined;
    loaded.set(m[1] as string, value);
  }
  const reads = (scope: string, name: string) =>
    [...scope.matchAll(new RegExp(`(?<![\\w.?])${name}\\.(\\w+)`, 'g'))].map((r) => r[1] as string);

  for (const [name, value] of loaded) {
    // Direct reads of a loaded object (abbrs.functionApps).
    if (isObject(value))
      for (const prop of reads(text, name))
        if (!(prop in value))
          problems.push({
            file,
            expression: `${name}.${prop}`,
            reason: `not a property of the loaded object`,
          });
    // Reads of a loop variable over a loaded array, within the loop's brackets.
    const loop = new RegExp(`for (?:(\\w+)|\\((\\w+), *\\w+\\)) in ${name}\\s*:`, 'g');
    for (const m of text.matchAll(loop)) {
      const variable = (m[1] ?? m[2]) as string;
      if (!Array.isArray(value)) {
        problems.push({
          file,
          expression: `for ${variable} in ${name}`,
          reason: 'the loaded value is not an array',
        });
        continue;
      }
      for (const prop of new Set(reads(loopBody(text, m.index), variable))) {
        const missing = value.filter((entry) => !isObject(entry) || !(prop in entry)).length;
        if (missing > 0)
          problems.push({
            file,
            expression: `${variable}.${prop}`,
            reason: `${missing} of ${value.length} entries of ${name} lack "${prop}": use ${variable}.?${prop}`,
          });
      }
    }
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** From `at` (a `for` inside `[ ... ]`) to the `]` closing that comprehension. */
function loopBody(text: string, at: number): string {
  let depth = 1;
  for (let i = at; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']' && --depth === 0) return text.slice(at, i);
  }
  return text.slice(at);
}

/** The decorators (`@minValue(40)`, ...) on the lines right above `param <name>`, as { minValue: '40', ... }. */
export function paramDecorators(text: string, name: string): Record<string, string> {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^param ${name} `).test(l));
  if (at < 0) throw new Error(`no param ${name}`);
  const out: Record<string, string> = {};
  for (let i = at - 1; i >= 0 && (lines[i] ?? '').startsWith('@'); i--) {
    const m = /^@(\w+)\((.*)\)\s*$/.exec(lines[i] ?? '');
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}
