import fc from 'fast-check';
import { eventExcerpt, jsonText, splitForLog } from '../../../rules/raw-event';

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
});

describe('eventExcerpt', () => {
  it('keeps a small event whole', () => {
    const event = { source: 'aws.guardduty', detail: { a: [1, 2, 'three'] } };

    expect(eventExcerpt(event, 1024)).toEqual({ excerpt: event, complete: true });
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
