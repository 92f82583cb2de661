/**
 * An event the validator cannot judge, as data: its whole JSON text at any
 * depth, a bounded excerpt for an alert, and the parts a log line can hold.
 *
 * Such an event is untrusted in shape as well as in content: it may nest
 * thousands of levels deep (where `JSON.stringify` overflows the stack and
 * throws `RangeError`), or be made of quotes and backslashes, each of which
 * costs more bytes every time it is escaped. Nothing here recurses deeper than
 * {@link EXCERPT_DEPTH}, and nothing is cut inside a character or an escape.
 */
import { cutAt, utf8Bytes } from './message-bounds';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A container being written: its items (an object's entries) and how far the writing got. */
type Frame =
  | {
      readonly kind: 'array';
      readonly source: object;
      readonly items: readonly unknown[];
      index: number;
    }
  | {
      readonly kind: 'object';
      readonly source: object;
      readonly entries: ReadonlyArray<readonly [string, unknown]>;
      index: number;
    };

/**
 * The JSON text of a value, as `JSON.stringify` writes it for values parsed
 * from JSON, at any depth: it keeps its own stack instead of the call stack.
 * `undefined`, functions and symbols are left out of objects and written as
 * `null` in arrays; a value that contains itself is written as `"[cycle]"`.
 */
export function jsonText(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const path = new Set<object>();
  const write = (value: unknown): void => {
    if (value === null || typeof value !== 'object') {
      out.push(scalarText(value));
    } else if (path.has(value)) {
      out.push('"[cycle]"');
    } else if (value instanceof Date) {
      out.push(JSON.stringify(value));
    } else if (Array.isArray(value)) {
      out.push('[');
      path.add(value);
      stack.push({ kind: 'array', source: value, items: value, index: 0 });
    } else {
      out.push('{');
      path.add(value);
      const entries = Object.entries(value).filter(([, v]) => representable(v));
      stack.push({ kind: 'object', source: value, entries, index: 0 });
    }
  };
  write(root);
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    const length = frame.kind === 'array' ? frame.items.length : frame.entries.length;
    if (frame.index >= length) {
      out.push(frame.kind === 'array' ? ']' : '}');
      stack.pop();
      path.delete(frame.source);
      continue;
    }
    if (frame.index > 0) out.push(',');
    if (frame.kind === 'array') {
      write(frame.items[frame.index++]);
    } else {
      const [key, value] = frame.entries[frame.index++] ?? ['', null];
      out.push(JSON.stringify(key), ':');
      write(value);
    }
  }
  return out.join('');
}

function representable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function scalarText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    default:
      return 'null';
  }
}

/** How deep an excerpt goes; deeper containers are named, not copied. */
export const EXCERPT_DEPTH = 24;
/** Longest string kept whole in an excerpt, in characters. */
const EXCERPT_STRING = 2048;

/**
 * A JSON value that shows the start of `value` in about `maxBytes` of JSON text:
 * containers deeper than {@link EXCERPT_DEPTH} become a note of what they were,
 * long strings are cut (between characters, the cut marked), and when the
 * bytes run out, an array ends with `"[…N more items]"` and an object with a
 * `"…"` field counting the fields left out. It is a value, not text, so the
 * alert's JSON escapes it once.
 */
export function eventExcerpt(
  value: unknown,
  maxBytes: number,
): { readonly excerpt: JsonValue; readonly complete: boolean } {
  const budget: Budget = { left: maxBytes, complete: true };
  const excerpt = excerptOf(value, 0, budget);
  return { excerpt, complete: budget.complete };
}

interface Budget {
  /** Bytes of JSON text still to spend. */
  left: number;
  /** Nothing was cut or left out so far. */
  complete: boolean;
}

function excerptOf(value: unknown, depth: number, budget: Budget): JsonValue {
  if (value === null || typeof value !== 'object') {
    const scalar = scalarExcerpt(value, budget.left);
    if (typeof value === 'string' && scalar !== value) budget.complete = false;
    budget.left -= utf8Bytes(JSON.stringify(scalar));
    return scalar;
  }
  if (depth >= EXCERPT_DEPTH) {
    budget.complete = false;
    const note = Array.isArray(value)
      ? `[an array of ${value.length} items, nested deeper: see the raw event]`
      : `[an object of ${Object.keys(value).length} fields, nested deeper: see the raw event]`;
    budget.left -= note.length + 2;
    return note;
  }
  budget.left -= 2;
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value) {
      if (budget.left <= 0) break;
      items.push(excerptOf(item, depth + 1, budget));
      budget.left -= 1;
    }
    if (items.length < value.length) {
      budget.complete = false;
      items.push(`[…${value.length - items.length} more items]`);
    }
    return items;
  }
  // Entries, not assignments: a field named `__proto__` stays a field.
  const fields: Array<[string, JsonValue]> = [];
  const entries = Object.entries(value).filter(([, v]) => representable(v));
  let kept = 0;
  for (const [key, item] of entries) {
    if (budget.left <= 0) break;
    const name = cutAt(key, EXCERPT_STRING);
    budget.left -= utf8Bytes(JSON.stringify(name)) + 2;
    fields.push([name, excerptOf(item, depth + 1, budget)]);
    kept++;
  }
  if (kept < entries.length) {
    budget.complete = false;
    fields.push(['…', `${entries.length - kept} more fields`]);
  }
  return Object.fromEntries(fields);
}

function scalarExcerpt(value: unknown, bytesLeft: number): JsonValue {
  if (typeof value === 'string') {
    const limit = Math.max(16, Math.min(EXCERPT_STRING, bytesLeft));
    return value.length <= limit ? value : `${cutAt(value, limit)}…[${value.length} characters]`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  return null;
}

/**
 * `text` in consecutive parts, each of which takes at most `maxBytes` once written
 * as a JSON string (its escapes counted as UTF-8 bytes, quotes not). Parts end
 * between characters, so joining them gives `text` back exactly.
 */
export function splitForLog(text: string, maxBytes: number): string[] {
  if (maxBytes < 6) throw new RangeError(`a log part needs at least 6 bytes; got ${maxBytes}`);
  const parts: string[] = [];
  let start = 0;
  let bytes = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    const pair =
      code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1)) ? 2 : 1;
    const cost = escapedBytes(code, pair);
    if (bytes + cost > maxBytes) {
      parts.push(text.slice(start, index));
      start = index;
      bytes = 0;
    }
    bytes += cost;
    index += pair;
  }
  // The part being filled: never empty, since a split keeps the character that caused
  // it; the empty text is one empty part.
  parts.push(text.slice(start));
  return parts;
}

/** Bytes one character takes inside a JSON string: its escape, or its UTF-8 encoding. */
function escapedBytes(code: number, units: number): number {
  if (units === 2) return 4;
  if (code === 0x22 || code === 0x5c) return 2;
  if (code < 0x20) return [0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(code) ? 2 : 6;
  if (code >= 0xd800 && code <= 0xdfff) return 6;
  if (code < 0x80) return 1;
  return code < 0x800 ? 2 : 3;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
