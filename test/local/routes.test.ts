import { describe, expect, it } from 'vitest';

import { compareRoutePrecedence, compileRoute, RouteTemplateError } from '../../local/routes';

/** Whether `value` is accepted as the only parameter of `{value:<constraint>}`. */
function accepts(constraint: string, value: string): boolean {
  return compileRoute(`x/{value:${constraint}}`).match(`x/${encodeURIComponent(value)}`) !== undefined;
}

describe('literal segments and simple parameters', () => {
  const pim = compileRoute('identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/{id}');

  it('captures a parameter after literal segments', () => {
    expect(pim.match('identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/req-1')).toEqual({
      id: 'req-1',
    });
  });

  it('matches literals case-insensitively and keeps the parameter case', () => {
    expect(pim.match('IDENTITYGOVERNANCE/privilegedaccess/Group/ELIGIBILITYSCHEDULEREQUESTS/AbC')).toEqual({
      id: 'AbC',
    });
    expect(compileRoute('café/{x}').match('CAFÉ/1')).toEqual({ x: '1' });
  });

  it('rejects paths that are too short, too long or differ in a literal', () => {
    expect(
      pim.match('identityGovernance/privilegedAccess/group/eligibilityScheduleRequests'),
    ).toBeUndefined();
    expect(
      pim.match('identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/1/2'),
    ).toBeUndefined();
    expect(
      pim.match('identityGovernance/privilegedAccess/groups/eligibilityScheduleRequests/1'),
    ).toBeUndefined();
  });

  it('tolerates one trailing slash on the request path', () => {
    expect(compileRoute('users/{id}').match('users/42/')).toEqual({ id: '42' });
    expect(compileRoute('users').match('users/')).toEqual({});
    expect(compileRoute('users/{id}').match('users/42//')).toBeUndefined();
  });

  it('does not let empty segments match parameters', () => {
    const route = compileRoute('{a}/{b}');
    expect(route.match('x//y')).toBeUndefined();
    expect(route.match('x/')).toBeUndefined();
    expect(route.match('/y')).toBeUndefined();
    expect(compileRoute('users/{id}').match('users//')).toBeUndefined();
  });

  it('strips a leading slash from the template but reports the template as given', () => {
    const route = compileRoute('/users/{id}');
    expect(route.template).toBe('/users/{id}');
    expect(route.match('users/7')).toEqual({ id: '7' });
  });

  it('accepts a trailing slash in the template', () => {
    expect(compileRoute('users/').match('users')).toEqual({});
  });

  it('matches an empty template against the root only', () => {
    const route = compileRoute('');
    expect(route.match('')).toEqual({});
    expect(route.match('x')).toBeUndefined();
  });

  it('reads doubled braces in literals as braces', () => {
    expect(compileRoute('a{{b}}/{c}').match('a{b}/1')).toEqual({ c: '1' });
  });

  it('returns parameters named like Object.prototype members as plain keys', () => {
    const route = compileRoute('{constructor?}');
    expect(route.match('')).toEqual({});
    expect(route.match('x')).toEqual({ constructor: 'x' });
  });
});

describe('URL decoding', () => {
  const route = compileRoute('users/{id}');

  it('decodes parameter values', () => {
    expect(route.match('users/a%20b')).toEqual({ id: 'a b' });
    expect(route.match('users/%E2%82%AC')).toEqual({ id: '€' });
    expect(route.match('users/a%2Fb')).toEqual({ id: 'a/b' });
    expect(route.match('users/a+b')).toEqual({ id: 'a+b' });
  });

  it('leaves malformed or non-UTF-8 escapes as they are', () => {
    expect(route.match('users/100%')).toEqual({ id: '100%' });
    expect(route.match('users/a%zz')).toEqual({ id: 'a%zz' });
    expect(route.match('users/%E9t%C3%A9')).toEqual({ id: '%E9té' });
    expect(route.match('users/%C3%A9%E9')).toEqual({ id: 'é%E9' });
  });

  it('decodes before matching literals and constraints', () => {
    expect(compileRoute('caf%C3%A9').match('caf%C3%A9')).toBeUndefined(); // the template is not decoded
    expect(compileRoute('café').match('caf%C3%A9')).toEqual({});
    expect(compileRoute('n/{n:int}').match('n/%31%32')).toEqual({ n: '12' });
  });
});

describe('optional parameters and defaults', () => {
  it('leaves an omitted optional parameter out', () => {
    const route = compileRoute('items/{id:int?}');
    expect(route.match('items')).toEqual({});
    expect(route.match('items/')).toEqual({});
    expect(route.match('items/5')).toEqual({ id: '5' });
    expect(route.match('items/five')).toBeUndefined();
  });

  it('fills in default values', () => {
    const route = compileRoute('a/{x=default}');
    expect(route.match('a')).toEqual({ x: 'default' });
    expect(route.match('a/given')).toEqual({ x: 'given' });
    expect(compileRoute('a/{x=}').match('a')).toEqual({ x: '' });
  });

  it('checks defaults against their constraints, as ASP.NET does', () => {
    expect(compileRoute('page/{n:int=1}').match('page')).toEqual({ n: '1' });
    expect(compileRoute('page/{n:int=first}').match('page')).toBeUndefined();
    expect(compileRoute('page/{n:int:range(1,10)=5}').match('page/11')).toBeUndefined();
  });

  it('allows several trailing optional segments', () => {
    const route = compileRoute('{a?}/{b?}/{c=z}');
    expect(route.match('')).toEqual({ c: 'z' });
    expect(route.match('x')).toEqual({ a: 'x', c: 'z' });
    expect(route.match('x/y/w')).toEqual({ a: 'x', b: 'y', c: 'w' });
  });

  it('only lets optional parameters go missing at the end of the path', () => {
    const route = compileRoute('{a?}/b');
    expect(route.match('x/b')).toEqual({ a: 'x' });
    expect(route.match('b')).toBeUndefined();
  });
});

describe('catch-all parameters', () => {
  const route = compileRoute('files/{*path}');

  it('captures the rest of the path, slashes included', () => {
    expect(route.match('files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(route.match('files/a')).toEqual({ path: 'a' });
    expect(route.match('FILES/a')).toEqual({ path: 'a' });
  });

  it('keeps the raw remainder, as ASP.NET does: trailing slash and inner empty segments', () => {
    expect(route.match('files/a/b/')).toEqual({ path: 'a/b/' });
    expect(route.match('files/a//b')).toEqual({ path: 'a//b' });
    expect(route.match('files//a')).toBeUndefined();
  });

  it('may be empty', () => {
    expect(route.match('files')).toEqual({});
    expect(route.match('files/')).toEqual({});
    expect(compileRoute('{*all}').match('')).toEqual({});
  });

  it('decodes escapes except %2F, so encoded slashes stay distinct from separators', () => {
    expect(route.match('files/a%20b/c%2Fd%2fe')).toEqual({ path: 'a b/c%2Fd%2fe' });
  });

  it('supports the {**path} form and default values', () => {
    expect(compileRoute('files/{**path}').match('files/x/y')).toEqual({ path: 'x/y' });
    const withDefault = compileRoute('site/{*page=index.html}');
    expect(withDefault.match('site')).toEqual({ page: 'index.html' });
    expect(withDefault.match('site/docs/a.html')).toEqual({ page: 'docs/a.html' });
  });

  it('checks constraints on the whole remainder and fails an empty constrained catch-all', () => {
    const constrained = compileRoute('files/{*path:minlength(3)}');
    expect(constrained.match('files/a/b')).toEqual({ path: 'a/b' });
    expect(constrained.match('files/ab')).toBeUndefined();
    expect(constrained.match('files')).toBeUndefined();
    expect(compileRoute('files/{*path:file}').match('files/docs/a.txt')).toEqual({ path: 'docs/a.txt' });
  });
});

describe('constraints', () => {
  it.each([
    [
      'int',
      ['0', '123', '-5', '+7', ' 42 ', '2147483647', '-2147483648', '007'],
      ['2147483648', '1.5', '1e3', 'x', '- 1'],
    ],
    ['long', ['9223372036854775807', '-9223372036854775808'], ['9223372036854775808', '1.0', 'abc']],
    ['bool', ['true', 'False', 'TRUE', ' true '], ['yes', '1', 't']],
    [
      'datetime',
      [
        '2024-02-29',
        '2024-01-31T10:15:30Z',
        '2024-01-31T10:15:30.1234567+02:00',
        '2024-01-31 10:15',
        '1/31/2024',
        '01-31-24',
        '2024/01/31',
        '31 Jan 2024',
        'January 31, 2024',
        'Wed, 31 Jan 2024 10:15:30 GMT',
        '10:15',
        '3:15 PM',
      ],
      [
        '2023-02-29',
        '2024-13-01',
        '31/01/2024',
        '2024-01-31T25:00',
        '2024-01-31T10:60',
        'tomorrow',
        '20240131',
      ],
    ],
    [
      'decimal',
      ['1', '-1.5', '1,000.25', '.5', '5.', '5-', ' 2 ', '79228162514264337593543950335'],
      ['1e5', 'NaN', 'Infinity', '1.2.3', '--1', '-1-', '.', '79228162514264337593543950336'],
    ],
    [
      'double',
      ['1.5', '-2e10', '1E-5', '1,000', 'Infinity', '-infinity', 'NaN', '1e999', '∞'],
      ['abc', '1e', '0x10', '1.5f'],
    ],
    ['float', ['1.5', '3.4e39', '-0'], ['one', '1..2']],
    [
      'guid',
      [
        '0f8fad5b-d9cb-469f-a165-70867728950e',
        '0F8FAD5BD9CB469FA16570867728950E',
        '{0f8fad5b-d9cb-469f-a165-70867728950e}',
        '(0f8fad5b-d9cb-469f-a165-70867728950e)',
        '{0x0f8fad5b,0xd9cb,0x469f,{0xa1,0x65,0x70,0x86,0x77,0x28,0x95,0x0e}}',
      ],
      [
        '0f8fad5b-d9cb-469f-a165-70867728950',
        '0f8fad5b-d9cb-469f-a165-70867728950g',
        '{0f8fad5b-d9cb-469f-a165-70867728950e',
        '0f8fad5bd9cb-469f-a165-70867728950e',
      ],
    ],
    ['alpha', ['abc', 'XyZ'], ['abc1', 'é', 'a-b']],
    ['minlength(3)', ['abc', 'abcd'], ['ab']],
    ['maxlength(3)', ['a', 'abc'], ['abcd']],
    ['length(3)', ['abc'], ['ab', 'abcd']],
    ['length(2,4)', ['ab', 'abcd'], ['a', 'abcde']],
    ['min(10)', ['10', '11', '9223372036854775807'], ['9', '-10', 'ten', '10.0']],
    ['max(10)', ['10', '-5'], ['11', 'x']],
    ['range(1,5)', ['1', '5', '+3'], ['0', '6', 'two']],
    ['regex(^[a-z]+$)', ['abc', 'ABC'], ['ab1', '']],
    ['required', ['x'], []],
    ['file', ['a.txt', '.gitignore', 'a.b.c'], ['a', 'a.', 'a...']],
    ['nonfile', ['a', 'a.', 'a...'], ['a.txt', '.gitignore']],
  ])('%s', (constraint, good, bad) => {
    for (const value of good)
      expect(accepts(constraint, value), `${constraint} accepts '${value}'`).toBe(true);
    for (const value of bad)
      expect(accepts(constraint, value), `${constraint} rejects '${value}'`).toBe(false);
  });

  it('chains constraints', () => {
    const route = compileRoute('orders/{id:int:min(1)}');
    expect(route.match('orders/5')).toEqual({ id: '5' });
    expect(route.match('orders/0')).toBeUndefined();
    expect(route.match('orders/x')).toBeUndefined();
  });

  it('treats constraint names case-insensitively', () => {
    expect(compileRoute('{id:INT}').match('5')).toEqual({ id: '5' });
    expect(compileRoute('{id:MinLength(2)}').match('5')).toBeUndefined();
  });

  it('runs regex patterns unanchored and case-insensitively', () => {
    expect(compileRoute('{x:regex(\\d)}').match('a1b')).toEqual({ x: 'a1b' });
    expect(compileRoute('{x:regex(^abc$)}').match('ABC')).toEqual({ x: 'ABC' });
  });

  it('reads regex patterns containing escaped braces, commas, colons, equals signs and parentheses', () => {
    expect(compileRoute('{code:regex(^\\d{{3}}$)}').match('123')).toEqual({ code: '123' });
    expect(compileRoute('{code:regex(^\\d{{3}}$)}').match('1234')).toBeUndefined();
    expect(compileRoute('{x:regex(^\\d{{1,3}}$)}').match('12')).toEqual({ x: '12' });
    expect(compileRoute('{x:regex(^a:b=c$)}').match('a:b=c')).toEqual({ x: 'a:b=c' });
    expect(compileRoute('{x:regex(^(a|b)c$):minlength(2)}').match('bc')).toEqual({ x: 'bc' });
    expect(compileRoute('{x:regex(^(a|b)$)=a}').match('')).toEqual({ x: 'a' });
  });

  it('translates the .NET \\A and \\z anchors', () => {
    const route = compileRoute('{x:regex(\\Aab\\z)}');
    expect(route.match('ab')).toEqual({ x: 'ab' });
    expect(route.match('cab')).toBeUndefined();
  });

  it('does not check constraints of an omitted optional parameter', () => {
    expect(compileRoute('x/{v:required?}').match('x')).toEqual({});
  });
});

describe('complex segments', () => {
  const file = compileRoute('files/{name}.{ext?}');

  it('splits a name and an optional extension', () => {
    expect(file.match('files/report.pdf')).toEqual({ name: 'report', ext: 'pdf' });
    expect(file.match('files/archive.tar.gz')).toEqual({ name: 'archive.tar', ext: 'gz' });
    expect(file.match('files/report')).toEqual({ name: 'report' });
  });

  it('rejects a dangling period, and reads a leading period as part of the name (like .gitignore)', () => {
    expect(file.match('files/report.')).toBeUndefined();
    expect(file.match('files')).toBeUndefined();
    // ASP.NET retries without the optional extension when the name would be empty.
    expect(file.match('files/.gitignore')).toEqual({ name: '.gitignore' });
    expect(compileRoute('files/{name}.{ext}').match('files/.pdf')).toBeUndefined();
  });

  it('anchors literal prefixes and suffixes, case-insensitively', () => {
    const route = compileRoute('img-{id:int}.png');
    expect(route.match('img-42.png')).toEqual({ id: '42' });
    expect(route.match('IMG-42.PNG')).toEqual({ id: '42' });
    expect(route.match('img-.png')).toBeUndefined();
    expect(route.match('ximg-42.png')).toBeUndefined();
    expect(route.match('img-42.pngx')).toBeUndefined();
    expect(route.match('img-x.png')).toBeUndefined();
    expect(compileRoute('v{version}').match('V2')).toEqual({ version: '2' });
    expect(compileRoute('{name}.json').match('a.b.JSON')).toEqual({ name: 'a.b' });
  });

  it('assigns text right to left when a literal repeats', () => {
    expect(compileRoute('{a}-{b}-{c}').match('x-y-z-w')).toEqual({ a: 'x-y', b: 'z', c: 'w' });
    expect(compileRoute('{from}to{to}').match('AtoB')).toEqual({ from: 'A', to: 'B' });
    expect(compileRoute('{a}-{b}').match('x-')).toBeUndefined();
  });

  it('decodes the segment before splitting it', () => {
    expect(file.match('files/my%20report.pdf')).toEqual({ name: 'my report', ext: 'pdf' });
  });
});

describe('malformed templates', () => {
  it.each([
    ['users/{id', 'unbalanced {'],
    ['users/id}', 'unbalanced }'],
    ['{', 'lone {'],
    ['a/{b}}', 'unbalanced } after a parameter'],
    ['{a{b}', 'unescaped { in a parameter'],
    ['a//b', 'consecutive separators'],
    ['//a', 'empty first segment'],
    ['{}', 'empty parameter name'],
    ['{*}', 'empty catch-all name'],
    ['{a/b}', 'slash in a parameter name'],
    ['{id}/{id}', 'duplicate name'],
    ['{id}/{ID}', 'duplicate name differing in case'],
    ['{*path}/x', 'catch-all not last'],
    ['a{*path}', 'catch-all in a complex segment'],
    ['{*path?}', 'optional catch-all'],
    ['{x=a?}', 'optional with a default'],
    ['{a}{b}', 'consecutive parameters'],
    ['{a?}.{b}', 'optional not at the end of its segment'],
    ['{a}-{b?}', 'optional preceded by something other than a period'],
    ['x.{a?}.y', 'optional followed by a literal'],
    ['a?b', 'question mark in a literal'],
    ['{id:unknown}', 'unknown constraint'],
    ['{id:int(5)}', 'arguments to an argument-less constraint'],
    ['{id:int()}', 'empty arguments to an argument-less constraint'],
    ['{id:minlength}', 'missing argument'],
    ['{id:minlength(x)}', 'non-numeric argument'],
    ['{id:minlength(-1)}', 'negative length'],
    ['{id:minlength(1,2)}', 'too many arguments'],
    ['{id:length(1,2,3)}', 'too many arguments'],
    ['{id:length(5,2)}', 'maximum below minimum'],
    ['{id:range(5)}', 'too few arguments'],
    ['{id:range(5,1)}', 'maximum below minimum'],
    ['{id:max(99999999999999999999)}', 'argument out of range'],
    ['{id:regex}', 'regex without a pattern'],
    ['{id:regex([)}', 'invalid regex'],
    ['{id:regex(abc}', 'unclosed constraint arguments'],
  ])('%s (%s)', (template) => {
    expect(() => compileRoute(template)).toThrow(RouteTemplateError);
  });

  it('names the template in the error', () => {
    expect(() => compileRoute('users/{id')).toThrow(/'users\/\{id'/);
    expect(() => compileRoute('{id:nope}')).toThrow(/constraint 'nope'/);
  });

  it('throws an Error subclass', () => {
    const error = (() => {
      try {
        compileRoute('{');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('RouteTemplateError');
  });
});

describe('precedence', () => {
  it('gives each segment an ASP.NET inbound precedence digit', () => {
    expect(compileRoute('api/template').precedence).toEqual([1, 1]);
    expect(compileRoute('api/template/{id}').precedence).toEqual([1, 1, 3]);
    expect(compileRoute('api/{id:int}').precedence).toEqual([1, 2]);
    expect(compileRoute('api/{name}.{ext?}').precedence).toEqual([1, 2]);
    expect(compileRoute('api/{*rest:minlength(1)}').precedence).toEqual([1, 4]);
    expect(compileRoute('api/{*rest}').precedence).toEqual([1, 5]);
    expect(compileRoute('/').precedence).toEqual([]);
  });

  const templates = [
    '{*all}',
    'users/{id}',
    'users/{*rest}',
    'users/{id}/photo',
    'users/me',
    'users/{name}.{ext}',
    'users/{id:int}',
  ];
  const sorted = templates.map(compileRoute).sort(compareRoutePrecedence);

  it('orders literals, then constrained parameters, then parameters, then catch-alls', () => {
    expect(sorted.map((route) => route.template)).toEqual([
      'users/me',
      'users/{id:int}',
      'users/{name}.{ext}',
      'users/{id}',
      'users/{id}/photo',
      'users/{*rest}',
      '{*all}',
    ]);
  });

  it('picks the most specific matching route when routes are tried in that order', () => {
    const pick = (path: string): string | undefined => sorted.find((route) => route.match(path))?.template;
    expect(pick('users/me')).toBe('users/me');
    expect(pick('USERS/ME')).toBe('users/me');
    expect(pick('users/42')).toBe('users/{id:int}');
    expect(pick('users/a.png')).toBe('users/{name}.{ext}');
    expect(pick('users/bob')).toBe('users/{id}');
    expect(pick('users/bob/photo')).toBe('users/{id}/photo');
    expect(pick('users/bob/other')).toBe('users/{*rest}');
    expect(pick('elsewhere')).toBe('{*all}');
  });

  it('is a consistent comparator', () => {
    const [a, b] = [compileRoute('a/{x}'), compileRoute('a/b')];
    expect(compareRoutePrecedence(a, b)).toBeGreaterThan(0);
    expect(compareRoutePrecedence(b, a)).toBeLessThan(0);
    expect(compareRoutePrecedence(a, compileRoute('a/{x}'))).toBe(0);
    // Equal precedence falls back to the template text, ignoring case first.
    expect(compareRoutePrecedence(compileRoute('B/{x}'), compileRoute('a/{y}'))).toBeGreaterThan(0);
    expect(compareRoutePrecedence(compileRoute('a/{x}'), compileRoute('A/{x}'))).toBeGreaterThan(0);
  });

  it('compares like decimals, so a shorter route sharing a prefix comes first', () => {
    const short = compileRoute('a/{x?}');
    const long = compileRoute('a/{x}/{y?}');
    expect(compareRoutePrecedence(short, long)).toBeLessThan(0);
  });
});
