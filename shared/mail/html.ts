/**
 * Safe HTML building: the `html` tag escapes every interpolated value unless it is already SafeHtml (made by
 * `html` itself or by `trusted()`), so user-supplied strings (display names, justifications) can't inject markup.
 */

const SAFE = Symbol('SafeHtml');

/** A fragment of HTML known to be safe to insert as is. */
export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
  toString(): string;
}

/** Values the `html` tag accepts: strings and numbers are escaped; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Marks markup as safe. Only for constant markup written in our code, never for anything a user typed. */
export function trusted(markup: string): SafeHtml {
  return { [SAFE]: true, value: markup, toString: () => markup };
}

export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as Partial<SafeHtml>)[SAFE] === true;
}

/** Tagged template: html`<p>Hello ${name}</p>` escapes `name`. Arrays are rendered item by item. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return trusted(out);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (isSafeHtml(value)) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}
