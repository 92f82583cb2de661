import fc from 'fast-check';
import { eventExcerpt, jsonText, splitForLog } from '../../../rules/raw-event';

/** `inner` inside `levels` arrays of one item each. */
function deepList(levels: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** `{ n: { n: ... { leaf: 'bottom' } } }`, `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = { leaf: 'bottom' };
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}

describe('jsonText', () => {
  it('writes what JSON.stringify writes for values parsed from JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonText(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('writes an event nested 5,000 levels deep, where JSON.stringify may overflow the stack', () => {
    const text = jsonText(nested(5000));

    expect(text.startsWith('{"n":{"n":')).toBe(true);
    expect(text).toContain('{"leaf":"bottom"}');
    expect(text.length).toBe(5000 * '{"n":}'.length + '{"leaf":"bottom"}'.length);
  });

  it('writes dates, big integers and numbers that JSON has no room for as JSON.stringify would, or as text', () => {
    const value = {
      at: new Date('2025-05-01T00:00:00.000Z'),
      big: 12n,
      nan: Number.NaN,
      f: () => 1,
    };

    expect(jsonText(value)).toBe('{"at":"2025-05-01T00:00:00.000Z","big":"12","nan":null}');
  });

  it('writes undefined in an array as null, leaves it out of an object, and names a cycle', () => {
    const looped: Record<string, unknown> = { a: [1, undefined], b: undefined };
    looped.self = looped;

    expect(jsonText(looped)).toBe('{"a":[1,null],"self":"[cycle]"}');
  });

  it('leaves symbols out of an object and writes them as null in an array, as JSON.stringify does', () => {
    const value = { a: 1, s: Symbol('x'), list: [Symbol('y')] };

    expect(jsonText(value)).toBe(JSON.stringify(value));
    expect(jsonText(value)).toBe('{"a":1,"list":[null]}');
  });
});

describe('eventExcerpt', () => {
  it('keeps a small event whole', () => {
    const event = { source: 'aws.guardduty', detail: { a: [1, 2, 'three'], b: null, c: true } };

    expect(eventExcerpt(event, 1024)).toEqual({ excerpt: event, complete: true });
  });

  it('writes what JSON has no room for as JSON.stringify would, or as text', () => {
    const value = { gone: undefined, f: () => 1, list: [undefined, () => 1], big: 12n, n: 1.5 };

    expect(eventExcerpt(value, 1024)).toStrictEqual({
      excerpt: { list: [null, null], big: '12', n: 1.5 },
      complete: true,
    });
  });

  it('keeps a string of 2,048 characters whole, and cuts one of 2,049', () => {
    const whole = 'a'.repeat(2048);

    expect(eventExcerpt({ s: whole }, 128 * 1024).excerpt).toEqual({ s: whole });
    expect(eventExcerpt({ s: `${whole}b` }, 128 * 1024)).toEqual({
      excerpt: { s: `${whole}…[2049 characters]` },
      complete: false,
    });
  });

  it('names an array nested deeper than 24 levels instead of copying it', () => {
    const { excerpt, complete } = eventExcerpt(deepList(5000, 'bottom'), 128 * 1024);

    expect(complete).toBe(false);
    expect(JSON.stringify(excerpt)).toBe(
      `${'['.repeat(24)}"[an array of 1 items, nested deeper: see the raw event]"${']'.repeat(24)}`,
    );
  });

  // An item or field is started while any byte is left; the whole excerpt of
  // [1,2,3,4,5] takes 11 bytes, and {"a":1,"b":2,"c":3} 19, counted 20 (a comma
  // after each field).
  it.each([
    [[1, 2, 3, 4, 5], 2, ['[…5 more items]']],
    [[1, 2, 3, 4, 5], 3, [1, '[…4 more items]']],
    [[1, 2, 3, 4, 5], 10, [1, 2, 3, 4, '[…1 more items]']],
    [[1, 2, 3, 4, 5], 11, [1, 2, 3, 4, 5]],
    [{ a: 1, b: 2, c: 3 }, 8, { a: 1, '…': '2 more fields' }],
    [{ a: 1, b: 2, c: 3 }, 9, { a: 1, b: 2, '…': '1 more fields' }],
    [{ a: 1, b: 2, c: 3 }, 14, { a: 1, b: 2, '…': '1 more fields' }],
    [{ a: 1, b: 2, c: 3 }, 15, { a: 1, b: 2, c: 3 }],
  ])('excerpts %j in %d bytes as %j', (value, maxBytes, excerpt) => {
    const complete = JSON.stringify(excerpt) === JSON.stringify(value);

    expect(eventExcerpt(value, maxBytes)).toStrictEqual({ excerpt, complete });
  });

  it('counts the note that stands for a deeper container against the bytes', () => {
    // 24 levels of brackets take 48 bytes; the note 57 with its quotes, then a comma.
    const event = deepList(23, [deepList(1, 0), 1, 2, 3]);
    const atDepth23 = (maxBytes: number) => {
      let value = eventExcerpt(event, maxBytes).excerpt;
      for (let i = 0; i < 23; i++) value = (value as unknown[])[0] as typeof value;
      return value;
    };
    const note = '[an array of 1 items, nested deeper: see the raw event]';

    expect(atDepth23(106)).toEqual([note, '[…3 more items]']);
    expect(atDepth23(107)).toEqual([note, 1, '[…2 more items]']);
    expect(atDepth23(111)).toEqual([note, 1, 2, 3]);
  });

  it('names what lies deeper than 24 levels instead of copying it', () => {
    const { excerpt, complete } = eventExcerpt(nested(5000), 128 * 1024);

    expect(complete).toBe(false);
    const text = JSON.stringify(excerpt);
    expect(text.split('{"n":').length - 1).toBe(24);
    expect(text).toContain('"[an object of 1 fields, nested deeper: see the raw event]"');
    expect(text).not.toContain('[object Object]');
  });

  it('cuts a long string between characters and says how long it was', () => {
    const { excerpt } = eventExcerpt({ s: `${'a'.repeat(2047)}😀tail` }, 128 * 1024);

    expect(excerpt).toEqual({ s: `${'a'.repeat(2047)}…[2053 characters]` });
  });

  it('counts the items and fields it had no room for', () => {
    const event = { list: Array.from({ length: 1000 }, (_, i) => i), other: 1, more: 2 };

    const { excerpt } = eventExcerpt(event, 100);

    const { list, ...rest } = excerpt as { list: unknown[] } & Record<string, unknown>;
    expect(list.at(-1)).toMatch(/^\[…\d+ more items\]$/);
    expect(rest).toEqual({ '…': '2 more fields' });
  });

  it('keeps a field named __proto__ as a field', () => {
    const event = JSON.parse('{"__proto__":{"polluted":true},"a":1}');

    const { excerpt } = eventExcerpt(event, 1024);

    expect(JSON.stringify(excerpt)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
});

describe('splitForLog', () => {
  /** Bytes of a part once written as a JSON string, without its quotes. */
  const escapedBytes = (part: string) => Buffer.byteLength(JSON.stringify(part), 'utf8') - 2;

  it.each([
    ['quotes and backslashes', '"\\'.repeat(125_000)],
    ['four-byte characters', '😀'.repeat(100_000)],
    ['control characters', '\u0001\n'.repeat(50_000)],
  ])('splits %s into parts that join back exactly, each within the bytes given', (_, text) => {
    const parts = splitForLog(text, 200 * 1024);

    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(escapedBytes(part)).toBeLessThanOrEqual(200 * 1024);
    expect(parts.length).toBeGreaterThan(1);
  });

  it('needs at least 6 bytes a part, what one escaped character may take', () => {
    expect(() => splitForLog('abc', 5)).toThrow(
      new RangeError('a log part needs at least 6 bytes; got 5'),
    );
    expect(splitForLog('\u0001\u0002', 6)).toEqual(['\u0001', '\u0002']);
  });

  it('ends each part where the next character would no longer fit, for every kind of character', () => {
    // The edges of each escaping and encoding rule, and surrogates alone and in pairs.
    const unit = fc.constantFrom(
      ...['a', ' ', '~', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '\uffff', '\ud7ff', '\ue000'],
      ...['\ud800', '\udbff', '\udc00', '\udfff', '😀', '"', '\\'],
      ...['\u0000', '\u001f', '\b', '\t', '\n', '\u000b', '\f', '\r'],
    );
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 200 }),
        fc.integer({ min: 6, max: 40 }),
        (text, max) => {
          const parts = splitForLog(text, max);

          expect(parts.join('')).toBe(text);
          parts.forEach((part, i) => {
            expect(escapedBytes(part)).toBeLessThanOrEqual(max);
            const next = parts[i + 1];
            if (next !== undefined) {
              const first = String.fromCodePoint(next.codePointAt(0) as number);
              expect(escapedBytes(part + first)).toBeGreaterThan(max);
            }
          });
        },
      ),
    );
  });

  it('takes a high surrogate and a low one after it as one character of four bytes', () => {
    expect(splitForLog('\ud800\udc00'.repeat(3), 8)).toEqual([
      '\ud800\udc00\ud800\udc00',
      '\ud800\udc00',
    ]);
    expect(splitForLog('\udbff\udfff'.repeat(3), 8)).toEqual([
      '\udbff\udfff\udbff\udfff',
      '\udbff\udfff',
    ]);
    // U+E000 is not a low surrogate: the high one stands alone, escaped in six bytes.
    expect(splitForLog('\ud800\ue000', 6)).toEqual(['\ud800', '\ue000']);
  });

  it('keeps a text that fits in one part', () => {
    // Escaped, each quote takes two bytes: 9 in all.
    expect(splitForLog('{"a":1}', 9)).toEqual(['{"a":1}']);
    expect(splitForLog('{"a":1}', 8)).toEqual(['{"a":1', '}']);
    expect(splitForLog('', 10)).toEqual(['']);
  });

  it('holds for any text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.integer({ min: 6, max: 64 }),
        (text, max) => {
          const parts = splitForLog(text, max);

          expect(parts.join('')).toBe(text);
          for (const part of parts) expect(escapedBytes(part)).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
