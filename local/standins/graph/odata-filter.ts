/**
 * The `$filter` forms the stand-in understands, joined by `and`: `prop eq literal`, `startswith(prop,'x')` and
 * `prop in ('a','b')`. String comparisons ignore case, as directory queries do. Anything else is refused the way
 * Graph refuses a filter it can't run, so a query that works here is one Graph's default (non-advanced) query
 * engine accepts.
 */
import { GraphHttpError, unsupportedQuery } from './graph-errors';

type Literal = string | number | boolean | null;
export type Predicate = (item: Record<string, unknown>) => boolean;

type Token =
  { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: string };

export function parseFilter(
  expression: string,
  filterable: ReadonlySet<string>,
  resource: string,
): Predicate {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (!t) throw invalid('unexpected end of expression');
    return t;
  };
  const expect = (text: string): void => {
    const t = next();
    if (t.text.toLowerCase() !== text || t.kind === 'string') throw invalid(`expected '${text}'`);
  };
  const property = (): string => {
    const t = next();
    if (t.kind !== 'word') throw invalid('expected a property name');
    if (!filterable.has(t.text)) {
      throw unsupportedQuery(
        `Unsupported or invalid query filter clause specified for property '${t.text}' of resource '${resource}'.`,
      );
    }
    return t.text;
  };
  const literal = (): Literal => {
    const t = next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
    if (t.kind === 'word' && t.text.toLowerCase() === 'null') return null;
    if (t.kind === 'word' && /^-?\d+(\.\d+)?$/.test(t.text)) return Number(t.text);
    throw invalid(`unexpected '${t.text}'`);
  };
  const clause = (): Predicate => {
    const first = next();
    if (first.kind === 'word' && first.text.toLowerCase() === 'startswith') {
      expect('(');
      const prop = property();
      expect(',');
      const prefix = literal();
      expect(')');
      if (typeof prefix !== 'string') throw invalid('startswith needs a string');
      return (item) => fold(item[prop]).startsWith(prefix.toLowerCase());
    }
    pos--;
    const prop = property();
    const op = next();
    if (op.kind === 'word' && op.text.toLowerCase() === 'eq') {
      const value = literal();
      return (item) => equal(item[prop], value);
    }
    if (op.kind === 'word' && op.text.toLowerCase() === 'in') {
      expect('(');
      const values = [literal()];
      while (peek()?.text === ',') {
        pos++;
        values.push(literal());
      }
      expect(')');
      return (item) => values.some((v) => equal(item[prop], v));
    }
    throw unsupportedQuery(
      `Unsupported query: operator '${op.text}' is not supported by the Graph stand-in.`,
    );
  };

  const clauses = [clause()];
  while (pos < tokens.length) {
    const t = next();
    if (t.kind !== 'word' || t.text.toLowerCase() !== 'and') {
      throw unsupportedQuery(`Unsupported query: '${t.text}' is not supported by the Graph stand-in.`);
    }
    clauses.push(clause());
  }
  return (item) => clauses.every((c) => c(item));
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if ('(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === "'") {
      // OData string literal: a quote inside is doubled.
      let text = '';
      i++;
      for (;;) {
        if (i >= expression.length) throw invalid('unterminated string');
        if (expression[i] === "'" && expression[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (expression[i] === "'") {
          i++;
          break;
        } else {
          text += expression[i++];
        }
      }
      tokens.push({ kind: 'string', text });
    } else {
      const word = /^[A-Za-z0-9_./:+-]+/.exec(expression.slice(i))?.[0];
      if (!word) throw invalid(`unexpected '${c}'`);
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    }
  }
  return tokens;
}

function fold(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

function equal(actual: unknown, expected: Literal): boolean {
  if (typeof expected === 'string') return typeof actual === 'string' && fold(actual) === fold(expected);
  return (actual ?? null) === expected;
}

function invalid(detail: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Invalid filter clause: ${detail}.`);
}
