/**
 * How a Graph-shaped answer is shaped by the client: `$select` (only the properties named, plus `id` and the
 * `@odata.*` annotations), `$expand` (related objects in place, with `$select` and `$expand` nested in parentheses:
 * `rules($select=id)`), and the absolute `@odata.context` that names both, as Graph writes it
 * (`{origin}/api/$metadata#{entity set}({select},{expand}(...))`). Used by pagedList for collections and by
 * `entityBody` and `withEntityContext` for single objects (GET by id, POST and PATCH answers).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { forEachLimited } from '../batching';
import { ODataError } from './odata';
import { problem } from './problem';

/** One `$expand` item: a navigation property and the options nested in its parentheses. */
export interface ExpandItem {
  name: string;
  select?: string[];
  expand: ExpandItem[];
}

/** What `$select` and `$expand` asked of one resource (nested for expanded ones). */
export interface Shaping {
  /** Undefined: every property. */
  select?: string[];
  expand: ExpandItem[];
}

export const NO_SHAPING: Shaping = { expand: [] };

/**
 * A related object (or list) of a resource, loaded for a whole page at once: `load` gets every item of the page
 * (so it can dedupe ids and bound its concurrency) and answers each item's expanded value, already in its view.
 */
export interface Expansion<T> extends ExpandSpec {
  load(items: readonly T[], nested: ExpandItem): Promise<(item: T) => unknown>;
}

/** What may be asked inside an expansion's parentheses. */
export interface ExpandSpec {
  /** Properties a nested `$select` may name; absent: `$select` isn't taken inside the parentheses. */
  properties?: readonly string[];
  /** Expansions a nested `$expand` may name (the expansion applies them itself). */
  expand?: Readonly<Record<string, ExpandSpec>>;
}

/** A Graph resource as the API answers it: its view, the properties `$select` may name, what `$expand` may add. */
export interface ODataResource<T> {
  view(item: T): Record<string, unknown>;
  properties: readonly string[];
  expand?: Readonly<Record<string, Expansion<T>>>;
}

/** Splits `text` on `sep` where it is outside parentheses and quotes. */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (depth < 0) throw new ODataError(`Unbalanced parentheses in "${text}"`);
    if (ch === sep && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0 || quoted) throw new ODataError(`Unbalanced parentheses or quotes in "${text}"`);
  parts.push(current);
  return parts.map((p) => p.trim());
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function parseSelectText(text: string, allowed: readonly string[], where: string): string[] {
  const names = splitTopLevel(text, ',').filter((n) => n !== '');
  for (const name of names) {
    if (!allowed.includes(name))
      throw new ODataError(`${where}: "${name}" is not a property here; use ${allowed.join(', ')}`);
  }
  return [...new Set(names)];
}

/** `a,b(…)` → items, each checked against `allowed` (name → what may be nested in its parentheses). */
function parseExpandText(
  text: string,
  allowed: Readonly<Record<string, ExpandSpec>>,
  where: string,
): ExpandItem[] {
  const names = Object.keys(allowed);
  return splitTopLevel(text, ',')
    .filter((p) => p !== '')
    .map((part) => {
      const m = /^([^(]+?)\s*(?:\((.*)\))?$/s.exec(part);
      const name = m?.[1]?.trim() ?? part;
      // Own properties only: `constructor` is no expansion.
      const spec = NAME.test(name) && Object.hasOwn(allowed, name) ? allowed[name] : undefined;
      if (!m || !spec)
        throw new ODataError(
          `${where}: "${name}" can't be expanded here; ${names.length ? `use ${names.join(', ')}` : 'nothing can'}`,
        );
      const item: ExpandItem = { name, expand: [] };
      for (const option of m[2] ? splitTopLevel(m[2], ';') : []) {
        const eq = option.indexOf('=');
        const key = eq < 0 ? option : option.slice(0, eq).trim();
        const value = eq < 0 ? '' : option.slice(eq + 1);
        const nestedExpand = spec.expand && Object.keys(spec.expand).length ? spec.expand : undefined;
        if (key === '$select' && spec.properties) {
          item.select = parseSelectText(value, spec.properties, `${where} ${name}($select)`);
        } else if (key === '$expand' && nestedExpand) {
          item.expand = parseExpandText(value, nestedExpand, `${where} ${name}($expand)`);
        } else {
          const takes = [spec.properties && '$select', nestedExpand && '$expand'].filter(Boolean);
          throw new ODataError(
            `${where}: ${name}(${option}) is not supported; ${takes.length ? `inside ${name}(...) use ${takes.join(', ')}` : `${name} takes no options`}`,
          );
        }
      }
      return item;
    });
}

/** `$select` and `$expand` of the request for `resource` (an ODataError names what is wrong). */
export function parseShaping<T>(request: HttpRequest, resource: ODataResource<T>): Shaping {
  const select = request.query.get('$select');
  const expand = request.query.get('$expand');
  return {
    // `*` (or nothing) selects every property.
    ...(select !== null && !['', '*'].includes(select.trim())
      ? { select: parseSelectText(select, resource.properties, '$select') }
      : {}),
    expand: expand === null ? [] : parseExpandText(expand, resource.expand ?? {}, '$expand'),
  };
}

/**
 * An entity's query options (GET by id): `$select` and `$expand` for `resource`, or the 400 that names what is
 * wrong (another `$` option, a property or expansion it doesn't have).
 */
export function parseShapingRequest<T>(
  request: HttpRequest,
  resource: ODataResource<T>,
): { ok: true; value: Shaping } | { ok: false; response: HttpResponseInit } {
  const offered = [
    ...(resource.properties.length ? ['$select'] : []),
    ...(resource.expand && Object.keys(resource.expand).length ? ['$expand'] : []),
  ];
  try {
    for (const key of new Set(request.query.keys())) {
      if (key.startsWith('$') && !offered.includes(key))
        throw new ODataError(
          `Query option ${key} is not supported here${offered.length ? `; use ${offered.join(', ')}` : ''}`,
        );
    }
    return { ok: true, value: parseShaping(request, resource) };
  } catch (err) {
    if (err instanceof ODataError) return { ok: false, response: problem(400, err.message) };
    throw err;
  }
}

/** Only the properties selected (and `id`, the `@odata.*` annotations, the expanded ones); all when none is. */
export function applySelect(
  view: Record<string, unknown>,
  select: readonly string[] | undefined,
  expanded: readonly string[] = [],
): Record<string, unknown> {
  if (!select) return view;
  return Object.fromEntries(
    Object.entries(view).filter(
      ([k]) => k === 'id' || k.startsWith('@odata.') || select.includes(k) || expanded.includes(k),
    ),
  );
}

/** A nested `$select` applied to an expanded value (an object, or each object of a list), keeping its expansions. */
export function selectIn(value: unknown, nested: ExpandItem): unknown {
  if (!nested.select || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => selectIn(v, nested));
  return applySelect(
    value as Record<string, unknown>,
    nested.select,
    nested.expand.map((e) => e.name),
  );
}

/** The items' views, expanded and selected as `shaping` asks. */
export async function shapeAll<T>(
  items: readonly T[],
  resource: ODataResource<T>,
  shaping: Shaping,
): Promise<Record<string, unknown>[]> {
  const loaded = await Promise.all(
    shaping.expand.map(async (e) => {
      const expansion = resource.expand?.[e.name] as Expansion<T>;
      return { name: e.name, valueOf: items.length ? await expansion.load(items, e) : () => null, e };
    }),
  );
  const expanded = shaping.expand.map((e) => e.name);
  return items.map((item) => {
    const view = resource.view(item);
    for (const { name, valueOf, e } of loaded) view[name] = selectIn(valueOf(item), e);
    return applySelect(view, shaping.select, expanded);
  });
}

/** `(a,b,rules(id))`: the selection as the context URL writes it; empty when everything is answered as is. */
export function selectionOf(shaping: Shaping): string {
  const parts = [
    ...(shaping.select ?? []),
    ...shaping.expand.map((e) => `${e.name}(${selectionOf(e).slice(1, -1)})`),
  ];
  return parts.length ? `(${parts.join(',')})` : '';
}

/** `{origin}/api/$metadata#{path}`: the absolute `@odata.context` of an answer to `requestUrl`. */
export function contextUrl(requestUrl: string, path: string): string {
  const url = new URL(requestUrl);
  const api = /^\/api(?=\/|$)/i.exec(url.pathname)?.[0] ?? '/api';
  return `${url.origin}${api}/$metadata#${path}`;
}

/** The `@odata.context` of a collection (`entitySet`, e.g. `roleManagement/directory/roleDefinitions`). */
export function collectionContext(request: HttpRequest, entitySet: string, shaping = NO_SHAPING): string {
  return contextUrl(request.url, `${entitySet}${selectionOf(shaping)}`);
}

/** The `@odata.context` of one entity of `entitySet`. */
export function entityContext(request: HttpRequest, entitySet: string, shaping = NO_SHAPING): string {
  return contextUrl(request.url, `${entitySet}${selectionOf(shaping)}/$entity`);
}

/**
 * One entity as Graph answers it: `@odata.context` first, then the view shaped by the request's `$select` and
 * `$expand` (an ODataError names a wrong one). Callers that take no query options pass `NO_SHAPING`-like resources.
 */
export async function entityBody<T>(
  request: HttpRequest,
  entitySet: string,
  resource: ODataResource<T>,
  item: T,
  shaping: Shaping = parseShaping(request, resource),
): Promise<Record<string, unknown>> {
  const [shaped] = await shapeAll([item], resource, shaping);
  return { '@odata.context': entityContext(request, entitySet, shaping), ...shaped };
}

/** A plain view as an entity (no `$select`/`$expand` taken): `@odata.context` first. */
export function withEntityContext(
  request: HttpRequest,
  entitySet: string,
  view: Record<string, unknown>,
): Record<string, unknown> {
  const { '@odata.context': _old, ...rest } = view;
  return { '@odata.context': entityContext(request, entitySet), ...rest };
}

/** At most this many lookups of one expansion run at once. */
const EXPANSION_CONCURRENCY = 5;

/**
 * An expansion that looks each related object up by a key: every distinct key of the page once (a principal named
 * by ten requests is one lookup), at most EXPANSION_CONCURRENCY at a time; items without a key, or whose object is
 * gone, expand to null.
 */
export function lookupExpansion<T, K extends string = string>(spec: {
  keyOf(item: T): K | null;
  lookup(key: K): Promise<unknown>;
  properties?: readonly string[];
}): Expansion<T> {
  return {
    properties: spec.properties,
    async load(items) {
      const keys = [...new Set(items.map(spec.keyOf).filter((k): k is K => k !== null))];
      const found = new Map<K, unknown>();
      await forEachLimited(keys, EXPANSION_CONCURRENCY, async (key) => {
        found.set(key, (await spec.lookup(key)) ?? null);
      });
      return (item) => {
        const key = spec.keyOf(item);
        return key === null ? null : (found.get(key) ?? null);
      };
    },
  };
}

/** A resource answered as its view alone, for lists that take no `$select` or `$expand`. */
export function plainResource<T>(view: (item: T) => unknown): ODataResource<T> {
  return { view: (item) => view(item) as Record<string, unknown>, properties: [] };
}
