/**
 * HTTP trigger route templates, matched the way the Azure Functions host matches them.
 *
 * The host registers every HTTP function as an ASP.NET Core template route (`api/` + route), so this module
 * ports the parts of ASP.NET Core routing that decide what a request reaches: the template parser
 * (RoutePatternParser, RouteParameterParser), the matcher (RoutePatternMatcher, including its complex
 * segment algorithm), the built-in inline constraints, and inbound precedence (RoutePrecedence).
 */

export class RouteTemplateError extends Error {
  override name = 'RouteTemplateError';
}

export interface CompiledRoute {
  readonly template: string;
  /** One digit per segment, ASP.NET's inbound precedence: lower sorts first. */
  readonly precedence: number[];
  match(path: string): Record<string, string> | undefined;
}

/** `undefined` means the route produced no value (e.g. an empty catch-all). */
type Constraint = (value: string | undefined) => boolean;

interface LiteralPart {
  readonly kind: 'literal';
  readonly text: string;
  readonly folded: string;
  /** The `.` before a trailing optional parameter, which the request may omit along with it. */
  readonly separator: boolean;
}

interface ParameterPart {
  readonly kind: 'parameter';
  readonly name: string;
  readonly catchAll: boolean;
  readonly optional: boolean;
  readonly defaultValue: string | undefined;
  readonly constraints: readonly Constraint[];
}

type Part = LiteralPart | ParameterPart;
type Segment = readonly Part[];

interface ParseContext {
  readonly template: string;
  readonly text: string;
  /** Folded names: ASP.NET route values are case-insensitive, so `{id}` and `{ID}` collide. */
  readonly names: Set<string>;
}

export function compileRoute(template: string): CompiledRoute {
  const segments = parseTemplate(template);
  const parameters = segments.flat().filter(isParameter);
  return {
    template,
    precedence: segments.map(precedenceDigit),
    match: (path) => matchRoute(segments, parameters, path),
  };
}

/**
 * Orders routes so that trying them in turn picks the most specific match, as ASP.NET's endpoint routing
 * does: per-segment precedence digits compared like decimals (`1.13` < `1.3`), then the template text.
 */
export function compareRoutePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return compareOrdinal(foldCase(a.template), foldCase(b.template)) || compareOrdinal(a.template, b.template);
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

function invalid(template: string, reason: string): RouteTemplateError {
  return new RouteTemplateError(`Invalid route template '${template}': ${reason}.`);
}

function parseTemplate(template: string): Segment[] {
  // Functions routes are written either way; ASP.NET trims the leading slash of a whole template too.
  const text = template.startsWith('/') ? template.slice(1) : template;
  const context: ParseContext = { template, text, names: new Set() };
  const segments: Segment[] = [];
  let index = 0;
  while (index < text.length) {
    if (text.charAt(index) === '/') throw invalid(template, "the separator '/' cannot appear consecutively");
    const { parts, next } = parseSegment(context, index);
    segments.push(validateSegment(template, parts));
    index = next + 1; // past the '/', which also lets a single trailing slash through
  }
  assertCatchAllLast(template, segments);
  return segments;
}

function parseSegment(context: ParseContext, start: number): { parts: Part[]; next: number } {
  const { text } = context;
  const parts: Part[] = [];
  let index = start;
  while (index < text.length && text.charAt(index) !== '/') {
    const isParameter = text.charAt(index) === '{' && text.charAt(index + 1) !== '{';
    const parsed = isParameter ? parseParameter(context, index) : parseLiteral(context, index);
    parts.push(parsed.part);
    index = parsed.next;
  }
  return { parts, next: index };
}

function parseLiteral(context: ParseContext, start: number): { part: LiteralPart; next: number } {
  const { template, text } = context;
  let literal = '';
  let index = start;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '/') break;
    if (char === '{' || char === '}') {
      // Doubled braces are escapes; a single '{' starts a parameter, a single '}' closes nothing.
      if (text.charAt(index + 1) === char) {
        literal += char;
        index += 2;
        continue;
      }
      if (char === '{') break;
      throw invalid(template, "there is an unmatched '}'");
    }
    literal += char;
    index++;
  }
  if (literal.includes('?')) throw invalid(template, `the literal '${literal}' cannot contain '?'`);
  return { part: literalPart(literal, false), next: index };
}

function literalPart(text: string, separator: boolean): LiteralPart {
  return { kind: 'literal', text, folded: foldCase(text), separator };
}

function parseParameter(context: ParseContext, start: number): { part: ParameterPart; next: number } {
  const { template, text } = context;
  let index = start + 1;
  for (;;) {
    const char = text.charAt(index);
    if (char === '') throw invalid(template, "there is an unmatched '{'");
    if (char === '{' && text.charAt(index + 1) !== '{') {
      const reason =
        text.charAt(index + 1) === ''
          ? "there is an unmatched '{'"
          : "'{' inside a parameter must be written '{{'";
      throw invalid(template, reason);
    }
    if (char === '}' && text.charAt(index + 1) !== '}') break;
    // Regex constraints carry quantifiers such as \d{{3}}, written with doubled braces.
    index += char === '{' || char === '}' ? 2 : 1;
  }
  const inside = text
    .slice(start + 1, index)
    .replaceAll('}}', '}')
    .replaceAll('{{', '{');
  return { part: buildParameter(context, inside), next: index + 1 };
}

function buildParameter(context: ParseContext, inside: string): ParameterPart {
  const { template, names } = context;
  const parsed = splitParameter(inside);
  if (inside.startsWith('*') && inside.endsWith('?')) {
    throw invalid(template, 'a catch-all parameter cannot be marked optional');
  }
  if (parsed.optional && parsed.defaultValue !== undefined) {
    throw invalid(template, `the optional parameter '${parsed.name}' cannot have a default value`);
  }
  if (parsed.name === '' || /[/{}?*]/.test(parsed.name)) {
    throw invalid(template, `'${parsed.name}' is not a valid parameter name`);
  }
  const folded = foldCase(parsed.name);
  if (names.has(folded)) throw invalid(template, `the parameter '${parsed.name}' appears more than once`);
  names.add(folded);
  const constraints = parsed.constraints.map((text) => resolveConstraint(template, text));
  return { kind: 'parameter', ...parsed, constraints };
}

interface ParameterText {
  name: string;
  catchAll: boolean;
  optional: boolean;
  defaultValue: string | undefined;
  constraints: string[];
}

/** `*name:c1:c2(args)=default?` → its pieces; mirrors RouteParameterParser, quirks included. */
function splitParameter(text: string): ParameterText {
  const stars = text.startsWith('**') ? 2 : text.startsWith('*') ? 1 : 0;
  const optional = text.endsWith('?');
  const end = optional ? text.length - 1 : text.length;
  // The name's first character is never a delimiter, even ':' or '='; a later one ends the name.
  let nameEnd = Math.min(stars + 1, end);
  while (nameEnd < end && !':='.includes(text.charAt(nameEnd))) nameEnd++;
  const { constraints, next } = splitConstraints(text, nameEnd, end);
  return {
    name: text.slice(stars, nameEnd),
    catchAll: stars > 0,
    optional,
    defaultValue: text.charAt(next) === '=' && next < end ? text.slice(next + 1, end) : undefined,
    constraints,
  };
}

/**
 * Reads `:name(args)` items from `start` up to an `=` that begins the default value. A `)` only closes the
 * arguments when followed by `:`, `=` or the end, and `:`/`=` inside unclosed parentheses belong to the
 * arguments, so regex constraints may contain all three.
 */
function splitConstraints(text: string, start: number, end: number): { constraints: string[]; next: number } {
  const constraints: string[] = [];
  let index = start;
  while (index < end && text.charAt(index) === ':') {
    const itemEnd = constraintEnd(text, index + 1, end);
    const item = text.slice(index + 1, itemEnd);
    if (item !== '') constraints.push(item);
    index = itemEnd;
  }
  return { constraints, next: index };
}

function constraintEnd(text: string, start: number, end: number): number {
  let index = start;
  while (index < end && text.charAt(index) !== ':' && text.charAt(index) !== '=') {
    if (text.charAt(index) === '(') return argumentsEnd(text, index + 1, end);
    index++;
  }
  return index;
}

function argumentsEnd(text: string, start: number, end: number): number {
  for (let index = start; index < end; index++) {
    const char = text.charAt(index);
    const next = text.charAt(index + 1);
    if (char === ')' && (index + 1 === end || next === ':' || next === '=')) return index + 1;
    if (char === ':' || char === '=') {
      const close = text.indexOf(')', index + 1);
      if (close === -1 || close >= end) return index;
      index = close; // the loop's increment steps past it, as the ASP.NET state machine does
    }
  }
  return end;
}

/** Rules from RoutePatternParser.IsSegmentValid; also marks the `.` that may go missing. */
function validateSegment(template: string, parts: Part[]): Segment {
  if (parts.length > 1 && parts.some((part) => isParameter(part) && part.catchAll)) {
    throw invalid(template, 'a catch-all parameter cannot share its segment with anything else');
  }
  const last = parts.length - 1;
  parts.forEach((part, index) => {
    if (!isParameter(part) || !part.optional || parts.length === 1) return;
    if (index !== last) {
      throw invalid(template, `the optional parameter '${part.name}' must be at the end of its segment`);
    }
    const previous = parts[index - 1];
    if (previous?.kind !== 'literal' || previous.text !== '.') {
      throw invalid(template, `only a period (.) can precede the optional parameter '${part.name}'`);
    }
    parts[index - 1] = literalPart(previous.text, true);
  });
  if (parts.some((part, index) => isParameter(part) && parts[index - 1]?.kind === 'parameter')) {
    throw invalid(template, 'a segment cannot contain two consecutive parameters');
  }
  return parts;
}

function assertCatchAllLast(template: string, segments: readonly Segment[]): void {
  segments.forEach((segment, index) => {
    const catchAll = segment.some((part) => isParameter(part) && part.catchAll);
    if (catchAll && index !== segments.length - 1) {
      throw invalid(template, 'a catch-all parameter can only be the last segment');
    }
  });
}

function isParameter(part: Part): part is ParameterPart {
  return part.kind === 'parameter';
}

// ---------------------------------------------------------------------------------------------------------
// Constraints: the default ASP.NET Core constraint map (names are case-insensitive)

type ConstraintFactory = (
  args: string | undefined,
  fail: (reason: string) => RouteTemplateError,
) => Constraint;

const CONSTRAINTS: Readonly<Record<string, ConstraintFactory>> = {
  int: withoutArguments((value) => parseInteger(value, INT32) !== undefined),
  long: withoutArguments((value) => parseInteger(value, INT64) !== undefined),
  bool: withoutArguments((value) => /^(true|false)$/i.test(value.trim())),
  datetime: withoutArguments(isDateTime),
  decimal: withoutArguments(isDecimal),
  double: withoutArguments(isFloatingPoint),
  float: withoutArguments(isFloatingPoint),
  guid: withoutArguments(isGuid),
  alpha: withoutArguments((value) => /^[a-z]*$/i.test(value)),
  required: withoutArguments((value) => value !== ''),
  file: withoutArguments(isFileName),
  // The one built-in constraint that accepts a missing value.
  nonfile: (args, fail) => {
    if (args !== undefined) throw fail('takes no arguments');
    return (value) => value === undefined || !isFileName(value);
  },
  minlength: (args, fail) => {
    const min = nonNegative(singleInteger(args, INT32, fail), fail);
    return present((value) => value.length >= min);
  },
  maxlength: (args, fail) => {
    const max = nonNegative(singleInteger(args, INT32, fail), fail);
    return present((value) => value.length <= max);
  },
  length: (args, fail) => {
    const lengths = integerList(args, INT32, fail).map((value) => nonNegative(value, fail));
    const [min, max = min] = lengths;
    if (min === undefined || max === undefined || lengths.length > 2) throw fail('needs one or two integers');
    if (min > max) throw fail('has a maximum below its minimum');
    return present((value) => value.length >= min && value.length <= max);
  },
  min: (args, fail) => {
    const min = singleInteger(args, INT64, fail);
    return present((value) => isBetween(parseInteger(value, INT64), min, INT64.max));
  },
  max: (args, fail) => {
    const max = singleInteger(args, INT64, fail);
    return present((value) => isBetween(parseInteger(value, INT64), INT64.min, max));
  },
  range: (args, fail) => {
    const [min, max, ...extra] = integerList(args, INT64, fail);
    if (min === undefined || max === undefined || extra.length > 0) throw fail('needs two integers');
    if (min > max) throw fail('has a maximum below its minimum');
    return present((value) => isBetween(parseInteger(value, INT64), min, max));
  },
  regex: (args, fail) => {
    if (args === undefined) throw fail('needs a pattern');
    const regex = compileDotnetRegex(args, fail);
    return present((value) => regex.test(value));
  },
};

function resolveConstraint(template: string, text: string): Constraint {
  // `name(args)` only when the text ends with ')'; otherwise the whole text is the name, like ASP.NET.
  const open = text.indexOf('(');
  const hasArguments = open >= 0 && text.endsWith(')');
  const name = hasArguments ? text.slice(0, open) : text;
  const args = hasArguments ? text.slice(open + 1, -1) : undefined;
  const factory = Object.hasOwn(CONSTRAINTS, name.toLowerCase())
    ? CONSTRAINTS[name.toLowerCase()]
    : undefined;
  if (!factory) throw invalid(template, `the constraint '${text}' is unknown`);
  const fail = (reason: string): RouteTemplateError =>
    invalid(template, `the constraint '${text}' ${reason}`);
  return factory(args, fail);
}

/** Constraints other than `nonfile` reject a missing value. */
function present(test: (value: string) => boolean): Constraint {
  return (value) => value !== undefined && test(value);
}

function withoutArguments(test: (value: string) => boolean): ConstraintFactory {
  return (args, fail) => {
    if (args !== undefined) throw fail('takes no arguments');
    return present(test);
  };
}

interface IntegerRange {
  readonly min: bigint;
  readonly max: bigint;
}

const INT32: IntegerRange = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const INT64: IntegerRange = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

// .NET's NumberStyles whitespace: tab, LF, VT, FF, CR and space (not JavaScript's wider \s).
const WS = '[\\t\\n\\v\\f\\r ]*';
const INTEGER = new RegExp(`^${WS}([+-]?\\d+)${WS}$`);

/** NumberStyles.Integer with the invariant culture: optional sign, ASCII digits, surrounding whitespace. */
function parseInteger(text: string, range: IntegerRange): bigint | undefined {
  const digits = INTEGER.exec(text)?.[1];
  if (digits === undefined) return undefined;
  const value = BigInt(digits);
  return value >= range.min && value <= range.max ? value : undefined;
}

/** A constructor taking one number receives the whole argument string, unsplit. */
function singleInteger(
  args: string | undefined,
  range: IntegerRange,
  fail: (reason: string) => RouteTemplateError,
): bigint {
  const value = args === undefined ? undefined : parseInteger(args, range);
  if (value === undefined) throw fail('needs one integer');
  return value;
}

/** Several-argument constructors get the arguments split on commas and trimmed. */
function integerList(
  args: string | undefined,
  range: IntegerRange,
  fail: (reason: string) => RouteTemplateError,
): bigint[] {
  const items = args === undefined ? [] : args.split(',').map((item) => item.trim());
  return items.map((item) => {
    const value = parseInteger(item, range);
    if (value === undefined) throw fail(`has '${item}' where an integer belongs`);
    return value;
  });
}

function isBetween(value: bigint | undefined, min: bigint, max: bigint): boolean {
  return value !== undefined && value >= min && value <= max;
}

function nonNegative(value: bigint, fail: (reason: string) => RouteTemplateError): number {
  if (value < 0n) throw fail('needs a length of at least 0');
  return Number(value);
}

const DECIMAL = new RegExp(`^${WS}([+-]?)(\\d[\\d,]*)?(?:\\.(\\d*))?([+-]?)${WS}$`);
const DECIMAL_MAX = 79228162514264337593543950335n;

/** decimal.TryParse with NumberStyles.Number: thousands separators, leading or trailing sign, no exponent. */
function isDecimal(text: string): boolean {
  const match = DECIMAL.exec(text);
  if (!match) return false;
  const [, leadingSign = '', whole = '', fraction, trailingSign = ''] = match;
  if (leadingSign !== '' && trailingSign !== '') return false;
  if (whole === '' && !fraction) return false;
  const integer = BigInt(whole.replaceAll(',', '') || '0');
  // Values round to 28-29 significant digits, so only the integral part can overflow.
  return integer < DECIMAL_MAX || (integer === DECIMAL_MAX && !/^[5-9]/.test(fraction ?? ''));
}

const FLOAT = new RegExp(
  `^${WS}[+-]?(?:(?:\\d[\\d,]*(?:\\.\\d*)?|\\.\\d+)(?:e[+-]?\\d+)?|infinity|∞|nan)${WS}$`,
  'i',
);

/** double/float.TryParse (Float | AllowThousands). Since .NET Core 3.0 overflow gives ±∞ rather than failing. */
function isFloatingPoint(text: string): boolean {
  return FLOAT.test(text);
}

const GUID_D = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const GUID = new RegExp(`^(?:[0-9a-f]{32}|${GUID_D}|\\{${GUID_D}\\}|\\(${GUID_D}\\))$`, 'i');
const GUID_X =
  /^\{0x[0-9a-f]{1,8},0x[0-9a-f]{1,4},0x[0-9a-f]{1,4},\{0x[0-9a-f]{1,2}(?:,0x[0-9a-f]{1,2}){7}\}\}$/i;

/** Guid.TryParse: the N, D, B, P and X formats. */
function isGuid(text: string): boolean {
  const trimmed = text.trim();
  return GUID.test(trimmed) || GUID_X.test(trimmed.replace(/\s+/g, ''));
}

/** FileNameRouteConstraint: the last path segment has a '.' followed by something other than dots. */
function isFileName(value: string): boolean {
  const name = value.slice(value.lastIndexOf('/') + 1);
  const dot = name.indexOf('.');
  return dot >= 0 && /[^.]/.test(name.slice(dot + 1));
}

/**
 * ASP.NET runs the pattern unanchored with IgnoreCase | CultureInvariant. JavaScript syntax is close enough
 * for route patterns; .NET's \A, \z and \Z anchors are translated since JavaScript reads them as letters.
 */
function compileDotnetRegex(pattern: string, fail: (reason: string) => RouteTemplateError): RegExp {
  const translated = pattern.replace(/(?<!\\)((?:\\\\)*)\\([AzZ])/g, (_, slashes: string, anchor: string) => {
    const replacement = anchor === 'A' ? '^' : anchor === 'z' ? '$' : '(?=\\n?$)';
    return slashes + replacement;
  });
  try {
    return new RegExp(translated, 'i');
  } catch (error) {
    throw fail(`has an invalid pattern (${(error as Error).message})`);
  }
}

// DateTime.TryParse(value, CultureInfo.InvariantCulture) accepts a great many shapes; these are the ones that
// plausibly turn up in URLs: ISO 8601, M/d/yyyy, yyyy/M/d, "2 Jan 2024", "Jan 2, 2024", RFC 1123, time only.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH = `(?:${[...MONTH_NAMES, ...MONTHS].join('|')})`;
const DAY_NAME = '(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun)';
const DATE_FORMS = [
  '(?<isoY>\\d{4})-(?<isoM>\\d{1,2})-(?<isoD>\\d{1,2})',
  '(?<ymdY>\\d{4})[/.](?<ymdM>\\d{1,2})[/.](?<ymdD>\\d{1,2})',
  '(?<mdyM>\\d{1,2})[/.-](?<mdyD>\\d{1,2})[/.-](?<mdyY>\\d{4}|\\d{2})',
  `(?:${DAY_NAME},?\\s+)?(?<dmyD>\\d{1,2})\\s+(?<dmyM>${MONTH})\\s+(?<dmyY>\\d{4})`,
  `(?:${DAY_NAME},?\\s+)?(?<mdyNM>${MONTH})\\s+(?<mdyND>\\d{1,2}),?\\s+(?<mdyNY>\\d{4})`,
];
// Written twice (after a date, or alone), so each copy gets its own group names.
function timePattern(tag: string): string {
  return (
    `(?<${tag}Hour>\\d{1,2}):(?<${tag}Minute>\\d{2})(?::(?<${tag}Second>\\d{2})(?:\\.\\d{1,7})?)?` +
    `(?:\\s*(?<${tag}Meridiem>[ap]m))?`
  );
}
const ZONE = '(?:\\s*(?:z|gmt|utc|(?<offset>[+-]\\d{1,2}(?::?\\d{2})?)))?';
const DATE_TIME = new RegExp(
  `^(?:(?:${DATE_FORMS.join('|')})(?:(?:t|\\s+)${timePattern('date')})?|${timePattern('only')})${ZONE}$`,
  'i',
);

function isDateTime(text: string): boolean {
  const groups = DATE_TIME.exec(text.trim())?.groups;
  return groups !== undefined && isValidDate(groups) && isValidTime(groups) && isValidOffset(groups.offset);
}

type Groups = Record<string, string | undefined>;

function isValidDate(groups: Groups): boolean {
  const yearText = groups.isoY ?? groups.ymdY ?? groups.mdyY ?? groups.dmyY ?? groups.mdyNY;
  if (yearText === undefined) return true; // time only: today's date
  const month = Number(groups.isoM ?? groups.ymdM ?? groups.mdyM ?? monthNumber(groups.dmyM ?? groups.mdyNM));
  const day = Number(groups.isoD ?? groups.ymdD ?? groups.mdyD ?? groups.dmyD ?? groups.mdyND);
  // Two-digit years use the invariant calendar's 2049 cutoff.
  const short = Number(yearText);
  const year = yearText.length === 2 ? short + (short <= 49 ? 2000 : 1900) : short;
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function monthNumber(name: string | undefined): number {
  const prefix = (name ?? '').slice(0, 3).toLowerCase();
  return MONTHS.indexOf(prefix) + 1;
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isValidTime(groups: Groups): boolean {
  const hour = groups.dateHour ?? groups.onlyHour;
  if (hour === undefined) return true;
  const maxHour = (groups.dateMeridiem ?? groups.onlyMeridiem) === undefined ? 23 : 12;
  const minute = groups.dateMinute ?? groups.onlyMinute;
  const second = groups.dateSecond ?? groups.onlySecond ?? 0;
  return Number(hour) <= maxHour && Number(minute) <= 59 && Number(second) <= 59;
}

function isValidOffset(offset: string | undefined): boolean {
  if (offset === undefined) return true;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.length > 2 ? digits.slice(0, -2) : digits);
  const minutes = Number(digits.length > 2 ? digits.slice(-2) : 0);
  return minutes <= 59 && hours * 60 + minutes <= 14 * 60;
}

// ---------------------------------------------------------------------------------------------------------
// Matching

function matchRoute(
  segments: readonly Segment[],
  parameters: readonly ParameterPart[],
  path: string,
): Record<string, string> | undefined {
  const values = new Map<string, string>();
  const matched = matchSegments(segments, path, values);
  if (matched === undefined) return undefined;
  for (const parameter of parameters) {
    if (!values.has(parameter.name) && parameter.defaultValue !== undefined) {
      values.set(parameter.name, parameter.defaultValue);
    }
  }
  if (!parameters.every((parameter) => satisfiesConstraints(parameter, values.get(parameter.name)))) {
    return undefined;
  }
  // Built from a Map so that names like "constructor" or "__proto__" are ordinary keys.
  return Object.fromEntries(values);
}

/** Walks request segments against template segments, as RoutePatternMatcher.TryMatch does. */
function matchSegments(
  segments: readonly Segment[],
  path: string,
  values: Map<string, string>,
): true | undefined {
  const raw = path === '' ? [] : path.split('/');
  // PathTokenizer ignores one trailing slash; any other empty segment fails the match.
  const tokens = raw.length > 1 && raw[raw.length - 1] === '' ? raw.slice(0, -1) : raw;
  let index = 0;
  for (; index < tokens.length; index++) {
    const token = tokens[index] ?? '';
    const segment = segments[index];
    if (token === '' || segment === undefined) return undefined;
    const catchAll = catchAllOf(segment);
    if (catchAll) {
      // Everything left, slashes (and a trailing slash) included.
      values.set(catchAll.name, decodeCatchAll(raw.slice(index).join('/')));
      return true;
    }
    if (!matchSegment(segment, decodePathSegment(token), values)) return undefined;
  }
  return segments.slice(index).every(canBeOmitted) ? true : undefined;
}

function catchAllOf(segment: Segment): ParameterPart | undefined {
  const [part] = segment;
  return segment.length === 1 && part?.kind === 'parameter' && part.catchAll ? part : undefined;
}

/** Segments past the end of the path must be lone optional, defaulted or catch-all parameters. */
function canBeOmitted(segment: Segment): boolean {
  const [part] = segment;
  if (segment.length !== 1 || part?.kind !== 'parameter') return false;
  return part.catchAll || part.optional || part.defaultValue !== undefined;
}

function matchSegment(segment: Segment, text: string, values: Map<string, string>): boolean {
  const [part] = segment;
  if (segment.length === 1 && part?.kind === 'literal') return foldCase(text) === part.folded;
  if (segment.length === 1 && part?.kind === 'parameter') {
    values.set(part.name, text);
    return true;
  }
  const captured = matchComplexSegment(segment, text);
  captured?.forEach((value, name) => values.set(name, value));
  return captured !== undefined;
}

/**
 * `{name}.{ext?}`-style segments: try with the optional trailing parameter, then, unless the request ends
 * with its period, without the period and the parameter.
 */
function matchComplexSegment(segment: Segment, text: string): Map<string, string> | undefined {
  const full = matchComplexFrom(segment, text, segment.length - 1);
  const separator = segment[segment.length - 2];
  if (full || separator?.kind !== 'literal' || !separator.separator) return full;
  if (foldCase(text).endsWith(separator.folded)) return undefined;
  return matchComplexFrom(segment, text, segment.length - 3);
}

/**
 * RoutePatternMatcher.MatchComplexSegmentCore: scan right to left, finding each literal's last occurrence
 * (case-insensitive) and giving each parameter the non-empty text between its neighbouring literals.
 */
function matchComplexFrom(segment: Segment, text: string, lastUsed: number): Map<string, string> | undefined {
  const folded = foldCase(text);
  const captured = new Map<string, string>();
  let end = text.length;
  let pending: ParameterPart | undefined;
  for (let index = lastUsed; index >= 0; index--) {
    const part = segment[index];
    if (part === undefined) return undefined;
    if (part.kind === 'parameter') {
      pending = part;
      if (index > 0) continue;
      if (end === 0) return undefined; // leftmost parameter takes the rest, which must not be empty
      captured.set(part.name, text.slice(0, end));
      return captured;
    }
    // Leave at least one character for a parameter waiting on the right.
    const searchEnd = pending ? end - 1 : end;
    if (searchEnd <= 0) return undefined;
    const found = folded.slice(0, searchEnd).lastIndexOf(part.folded);
    if (found === -1) return undefined;
    // A trailing literal must sit at the very end of the request segment.
    if (index === segment.length - 1 && found + part.text.length !== text.length) return undefined;
    if (pending) {
      const start = found + part.text.length;
      if (start >= end) return undefined;
      captured.set(pending.name, text.slice(start, end));
      pending = undefined;
    }
    end = found;
  }
  // A leading literal must sit at the very start.
  return end === 0 ? captured : undefined;
}

function satisfiesConstraints(parameter: ParameterPart, value: string | undefined): boolean {
  // An absent optional value is not checked (ASP.NET's OptionalRouteConstraint).
  if (value === undefined && parameter.optional) return true;
  return parameter.constraints.every((constraint) => constraint(value));
}

// ---------------------------------------------------------------------------------------------------------
// Text helpers

/** Kestrel decodes the path before routing; invalid or non-UTF-8 escapes are left as they were. */
function decodePathSegment(text: string): string {
  return text.includes('%') ? text.replace(/(?:%[0-9a-f]{2})+/gi, decodeEscapeRun) : text;
}

/** A catch-all keeps %2F encoded, as Kestrel does, so an escaped slash stays distinct from a separator. */
function decodeCatchAll(text: string): string {
  return text
    .split(/(%2F)/i)
    .map((piece, index) => (index % 2 === 0 ? decodePathSegment(piece) : piece))
    .join('');
}

function decodeEscapeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    // Decode one UTF-8 sequence at a time, keeping the bytes that don't form one.
  }
  const escapes = run.match(/%[0-9a-f]{2}/gi) ?? [];
  let decoded = '';
  let index = 0;
  while (index < escapes.length) {
    const lead = parseInt((escapes[index] ?? '').slice(1), 16);
    const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    try {
      decoded += decodeURIComponent(escapes.slice(index, index + width).join(''));
      index += width;
    } catch {
      decoded += escapes[index] ?? '';
      index += 1;
    }
  }
  return decoded;
}

/**
 * OrdinalIgnoreCase: simple per-character upper-casing that keeps string length (so indexes found in the
 * folded text apply to the original); characters whose upper case is longer, like 'ß', stay as they are.
 */
function foldCase(text: string): string {
  let folded = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    folded += upper.length === char.length ? upper : char;
  }
  return folded;
}

function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function precedenceDigit(segment: Segment): number {
  // 1 literal, 2 constrained parameter or multi-part, 3 parameter, 4 constrained catch-all, 5 catch-all.
  const [part] = segment;
  if (segment.length > 1) return 2;
  if (part === undefined || part.kind === 'literal') return 1;
  return (part.catchAll ? 5 : 3) - (part.constraints.length > 0 ? 1 : 0);
}
