import { describe, it, expect } from 'vitest';
import {
  BodyKeyError,
  MAX_BODY_INDEX,
  MAX_BODY_KEY_DEPTH,
  MAX_BODY_SLOTS,
  bodyJsonBytes,
  buildBody,
  jsonStringBytes,
  findBodyKeyConflicts,
  formatBodyPath,
  parseBodyKey,
} from '../../../src/domain/body-notation.js';

describe('parseBodyKey', () => {
  it('parses a plain name', () => {
    expect(parseBodyKey('chatId')).toEqual([{ kind: 'prop', name: 'chatId' }]);
  });

  it('nests with dots', () => {
    expect(parseBodyKey('multimedia.url')).toEqual([
      { kind: 'prop', name: 'multimedia' },
      { kind: 'prop', name: 'url' },
    ]);
  });

  it('parses an append', () => {
    expect(parseBodyKey('items[]')).toEqual([{ kind: 'prop', name: 'items' }, { kind: 'append' }]);
  });

  it('parses an index, including 0 and the maximum', () => {
    expect(parseBodyKey('list[0]')).toEqual([
      { kind: 'prop', name: 'list' },
      { kind: 'index', index: 0 },
    ]);
    expect(parseBodyKey('list[12]')).toEqual([
      { kind: 'prop', name: 'list' },
      { kind: 'index', index: 12 },
    ]);
    expect(parseBodyKey(`list[${MAX_BODY_INDEX}]`)).toEqual([
      { kind: 'prop', name: 'list' },
      { kind: 'index', index: 999 },
    ]);
  });

  it('parses a child of an element', () => {
    expect(parseBodyKey('list[2].name')).toEqual([
      { kind: 'prop', name: 'list' },
      { kind: 'index', index: 2 },
      { kind: 'prop', name: 'name' },
    ]);
  });

  it('parses combinations', () => {
    expect(parseBodyKey('a.b[2].c[]')).toEqual([
      { kind: 'prop', name: 'a' },
      { kind: 'prop', name: 'b' },
      { kind: 'index', index: 2 },
      { kind: 'prop', name: 'c' },
      { kind: 'append' },
    ]);
    expect(parseBodyKey('matrix[1][0]')).toEqual([
      { kind: 'prop', name: 'matrix' },
      { kind: 'index', index: 1 },
      { kind: 'index', index: 0 },
    ]);
  });

  it('allows names that exist on Object.prototype but are harmless', () => {
    expect(parseBodyKey('toString')).toEqual([{ kind: 'prop', name: 'toString' }]);
  });

  it.each([
    ['', /empty/],
    ['a..b', /empty property name at position 3/],
    ['.a', /empty property name at position 1/],
    ['a.', /ends with "\."/],
    ['a.[0]', /empty property name/],
  ])('rejects empty segments: %j', (key, message) => {
    expect(() => parseBodyKey(key)).toThrow(BodyKeyError);
    expect(() => parseBodyKey(key)).toThrow(message);
  });

  it.each(['a[0', 'a[', 'a]', 'a[0]]', 'a[[0]]', 'a]b', 'a[0]]b'])('rejects unbalanced brackets: %j', (key) => {
    expect(() => parseBodyKey(key)).toThrow(BodyKeyError);
    expect(() => parseBodyKey(key)).toThrow(/unbalanced/);
  });

  it.each(['a[x]', 'a[-1]', 'a[1.5]', 'a[ 1]', 'a[01]', 'a[00]', 'a[1e2]'])(
    'rejects an index that is not a non-negative integer without leading zeros: %j',
    (key) => {
      expect(() => parseBodyKey(key)).toThrow(BodyKeyError);
      expect(() => parseBodyKey(key)).toThrow(/is not an index/);
    },
  );

  it('caps the nesting at 8 levels after the first name, "[]" included', () => {
    expect(MAX_BODY_KEY_DEPTH).toBe(8);
    expect(parseBodyKey('a.b.c.d.e.f.g.h.i')).toHaveLength(9);
    expect(parseBodyKey('a[1][2][3][4][5][6][7][]')).toHaveLength(9);
    expect(() => parseBodyKey('a.b.c.d.e.f.g.h.i.j')).toThrow(
      'invalid body key "a.b.c.d.e.f.g.h.i.j": it nests more than 8 levels below its first name',
    );
    expect(() => parseBodyKey('a[1][2][3][4][5][6][7][8][]')).toThrow('it nests more than 8 levels');
  });

  it('caps the index at 999', () => {
    expect(() => parseBodyKey('a[1000]')).toThrow('invalid body key "a[1000]": index 1000 is above the maximum 999');
  });

  it.each(['a[].b', 'a[][]', 'a[][0]', 'a[]x'])('rejects anything after an append: %j', (key) => {
    expect(() => parseBodyKey(key)).toThrow(BodyKeyError);
    expect(() => parseBodyKey(key)).toThrow(/must end the key/);
  });

  it('rejects a leading bracket', () => {
    expect(() => parseBodyKey('[0]')).toThrow(
      'invalid body key "[0]": it must start with a property name, not a bracket',
    );
    expect(() => parseBodyKey('[]')).toThrow(BodyKeyError);
  });

  it('rejects text right after a closing bracket', () => {
    expect(() => parseBodyKey('a[0]b')).toThrow(
      'invalid body key "a[0]b": expected "." or "[" at position 5, after "]"',
    );
  });

  it.each(['__proto__', 'a.__proto__', 'a[0].constructor', 'constructor', 'prototype', 'x.prototype.y', '__proto__[]'])(
    'rejects prototype-related names anywhere: %j',
    (key) => {
      expect(() => parseBodyKey(key)).toThrow(BodyKeyError);
      expect(() => parseBodyKey(key)).toThrow(/is not allowed as a property name/);
    },
  );
});

describe('formatBodyPath', () => {
  it('writes segments back in the notation', () => {
    expect(formatBodyPath(parseBodyKey('a.b[2].c[]'))).toBe('a.b[2].c[]');
  });
});

describe('findBodyKeyConflicts', () => {
  it('accepts the default body keys', () => {
    expect(
      findBodyKeyConflicts(['chatId', 'contact', 'event', 'text', 'multimedia.url', 'multimedia.caption']),
    ).toEqual([]);
  });

  it('accepts repeated appends, indexes with gaps and siblings inside elements', () => {
    expect(
      findBodyKeyConflicts(['items[]', 'items[]', 'list[2].name', 'list[2].id', 'list[0]', 'a.b[1].c[]', 'a.b[1].c[]']),
    ).toEqual([]);
  });

  it('reports a malformed key with its index', () => {
    expect(findBodyKeyConflicts(['ok', 'a..b', 'fine'])).toEqual([
      { index: 1, message: 'invalid body key "a..b": empty property name at position 3' },
    ]);
  });

  it('reports the same leaf assigned twice', () => {
    expect(findBodyKeyConflicts(['a', 'b', 'a'])).toEqual([
      { index: 2, message: 'body key "a" sets "a" again: the earlier key "a" already sets it' },
    ]);
    expect(findBodyKeyConflicts(['list[1]', 'list[1]'])).toEqual([
      { index: 1, message: 'body key "list[1]" sets "list[1]" again: the earlier key "list[1]" already sets it' },
    ]);
  });

  it('reports a value then a container', () => {
    expect(findBodyKeyConflicts(['a', 'a.b'])).toEqual([
      { index: 1, message: 'body key "a.b" uses "a" as an object, but the earlier key "a" uses it as a value' },
    ]);
  });

  it('reports a container then a value', () => {
    expect(findBodyKeyConflicts(['a.b', 'a'])).toEqual([
      { index: 1, message: 'body key "a" uses "a" as a value, but the earlier key "a.b" uses it as an object' },
    ]);
    expect(findBodyKeyConflicts(['a[]', 'a'])).toEqual([
      {
        index: 1,
        message:
          'body key "a" uses "a" as a value, but the earlier key "a[]" uses it as an array appended to with "[]"',
      },
    ]);
  });

  it('reports an object then an array', () => {
    expect(findBodyKeyConflicts(['a.b', 'a[0]'])).toEqual([
      {
        index: 1,
        message:
          'body key "a[0]" uses "a" as an array addressed by index, but the earlier key "a.b" uses it as an object',
      },
    ]);
  });

  it('reports an appended array then an object', () => {
    expect(findBodyKeyConflicts(['a[]', 'a.x'])).toEqual([
      {
        index: 1,
        message:
          'body key "a.x" uses "a" as an object, but the earlier key "a[]" uses it as an array appended to with "[]"',
      },
    ]);
  });

  it('reports appends mixed with indexes, in either order', () => {
    expect(findBodyKeyConflicts(['a[]', 'a[0]'])).toEqual([
      {
        index: 1,
        message:
          'body key "a[0]" uses "a" as an array addressed by index, but the earlier key "a[]" uses it as an array appended to with "[]"',
      },
    ]);
    expect(findBodyKeyConflicts(['a[0]', 'a[]'])).toEqual([
      {
        index: 1,
        message:
          'body key "a[]" uses "a" as an array appended to with "[]", but the earlier key "a[0]" uses it as an array addressed by index',
      },
    ]);
  });

  it('names the deep path where two keys disagree', () => {
    expect(findBodyKeyConflicts(['x.list[2].name', 'x.list[2][0]'])).toEqual([
      {
        index: 1,
        message:
          'body key "x.list[2][0]" uses "x.list[2]" as an array addressed by index, but the earlier key "x.list[2].name" uses it as an object',
      },
    ]);
  });

  it('reports every bad key and keeps checking later ones against the accepted keys only', () => {
    expect(findBodyKeyConflicts(['a', 'a.b', 'a.b.c', '[0]', 'c'])).toEqual([
      { index: 1, message: 'body key "a.b" uses "a" as an object, but the earlier key "a" uses it as a value' },
      { index: 2, message: 'body key "a.b.c" uses "a" as an object, but the earlier key "a" uses it as a value' },
      { index: 3, message: 'invalid body key "[0]": it must start with a property name, not a bracket' },
    ]);
  });
});

describe('buildBody', () => {
  it('nests dotted keys', () => {
    expect(
      buildBody([
        { key: 'chatId', value: 'c1' },
        { key: 'multimedia.url', value: null },
        { key: 'multimedia.caption', value: 'hi' },
      ]),
    ).toEqual({ chatId: 'c1', multimedia: { url: null, caption: 'hi' } });
  });

  it('appends in order and fills index gaps with null', () => {
    const body = buildBody([
      { key: 'items[]', value: 'first' },
      { key: 'items[]', value: 'second' },
      { key: 'list[2].name', value: 'Ann' },
      { key: 'list[2].age', value: '31' },
      { key: 'list[0]', value: 'zero' },
    ]);
    expect(JSON.stringify(body)).toBe('{"items":["first","second"],"list":["zero",null,{"name":"Ann","age":"31"}]}');
    const list = body.list as unknown[];
    expect(Object.keys(list)).toEqual(['0', '1', '2']);
  });

  it('builds a container inside a gap left by a larger index', () => {
    expect(
      buildBody([
        { key: 'list[3]', value: 'three' },
        { key: 'list[1].x', value: 'one' },
      ]),
    ).toEqual({ list: [null, { x: 'one' }, null, 'three'] });
  });

  it('builds nested arrays and combinations', () => {
    expect(
      buildBody([
        { key: 'a.b[1].c[]', value: 1 },
        { key: 'a.b[1].c[]', value: 2 },
        { key: 'm[1][1]', value: 'x' },
      ]),
    ).toEqual({ a: { b: [null, { c: [1, 2] }] }, m: [null, [null, 'x']] });
  });

  it('treats names inherited from Object.prototype as ordinary own properties', () => {
    const body = buildBody([
      { key: 'toString.x', value: 'a' },
      { key: 'hasOwnProperty', value: 'b' },
    ]);
    expect(JSON.parse(JSON.stringify(body))).toEqual({ toString: { x: 'a' }, hasOwnProperty: 'b' });
  });

  it('returns {} for no entries', () => {
    expect(buildBody([])).toEqual({});
  });

  it('throws BodyKeyError on contradicting keys', () => {
    expect(() =>
      buildBody([
        { key: 'a', value: 1 },
        { key: 'a.b', value: 2 },
      ]),
    ).toThrow(new BodyKeyError('body key "a.b" uses "a" as an object, but the earlier key "a" uses it as a value'));
  });

  it('rejects __proto__ keys and leaves Object.prototype untouched', () => {
    const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const key of [
      '__proto__.polluted',
      '__proto__',
      'a.__proto__.polluted',
      'constructor.prototype.polluted',
      'a[0].__proto__',
    ]) {
      expect(() => buildBody([{ key, value: 'yes' }])).toThrow(BodyKeyError);
    }
    expect(findBodyKeyConflicts(['__proto__.polluted'])).toEqual([
      { index: 0, message: 'invalid body key "__proto__.polluted": "__proto__" is not allowed as a property name' },
    ]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(buildBody([{ key: 'a.b', value: 1 }]).a)).toBe(Object.prototype);
  });
});

describe('buildBody allocation', () => {
  it(`stops a body that would materialise more than ${MAX_BODY_SLOTS} array slots before allocating them`, () => {
    const rows = Array.from({ length: 200 }, (_, index) => ({
      key: `k${index}${'[999]'.repeat(MAX_BODY_KEY_DEPTH)}`,
      value: 'x',
    }));
    expect(() => buildBody(rows)).toThrow(
      new BodyKeyError(`the body would hold more than ${MAX_BODY_SLOTS} array elements`),
    );
    expect(buildBody(rows.slice(0, 10))).toHaveProperty('k9');
  });
});

describe('sizes without rendering', () => {
  it('counts the UTF-8 bytes of JSON.stringify for every kind of character', () => {
    for (const text of [
      '',
      'plain',
      '"quoted" \\ back',
      '\b\f\n\r\t\u0001\u001f\u007f',
      'é€😀',
      '\uD800 lone \uDFFF',
      '\u2028\u2029',
      '\uDBFF\uDFFF',
    ]) {
      expect(jsonStringBytes(text), JSON.stringify(text)).toBe(Buffer.byteLength(JSON.stringify(text)));
    }
  });

  it('gives the exact length of the rendered body, gaps and appends included', () => {
    const values = ['x', '', 'é\n😀', '\uD800', null, 'a"b'];
    const keySets = [
      ['chatId', 'multimedia.url', 'multimedia.caption'],
      ['list[3]', 'list[0].name', 'list[0].tags[]', 'list[0].tags[]', 'list[1][2][]', 'ñame.x'],
      ['a[999]', 'b[0][0][0]', 'c[]', 'c[]', 'c[]', 'd.e.f.g.h.i.j.k.l'],
      [],
    ];
    keySets.forEach((keys, set) => {
      const entries = keys.map((key, index) => ({ key, value: values[(index + set) % values.length]! }));
      const expected = Buffer.byteLength(JSON.stringify(buildBody(entries)));
      const valueBytes = (value: string | null) => (value === null ? 4 : jsonStringBytes(value));
      expect(bodyJsonBytes(entries.map(({ key, value }) => ({ key, valueBytes: valueBytes(value) })))).toBe(expected);
    });
  });

  it('measures an amplification template without building it', () => {
    const keys = Array.from({ length: 200 }, (_, index) => ({
      key: `k${index}${'[999]'.repeat(MAX_BODY_KEY_DEPTH)}`,
      valueBytes: 3,
    }));
    // 200 keys × 8 arrays of 1,000 slots: "null," 5 bytes each.
    expect(bodyJsonBytes(keys)).toBeGreaterThan(200 * 8 * 999 * 5);
  });
});
