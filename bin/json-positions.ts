/**
 * Finds where values sit in a JSON text, so a bad finding inside a large array
 * can be reported by line, and where a JSON text stops being valid (V8's
 * `JSON.parse` messages do not always say).
 */

export interface JsonSyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type JsonScan =
  | { readonly ok: true; readonly lineOf: (pointer: string) => number }
  | { readonly ok: false; readonly problem: JsonSyntaxProblem };

/** Values nested deeper than this are located by their nearest recorded ancestor. */
const RECORDED_DEPTH = 3;
/** Deeper nesting is refused rather than left to overflow the stack. */
const MAX_DEPTH = 256;
/** A backslash and what may follow it in a JSON string. */
const ESCAPE = /^\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/;

class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Validates `text` as JSON and records the line of each value up to three
 * levels deep, keyed by JSON pointer (`/findings/2`, `/0`).
 */
export function scanJson(text: string): JsonScan {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineAt = (offset: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };

  const lines = new Map<string, number>();
  let at = 0;
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at++;
  };
  const expect = (char: string, what: string): void => {
    if (text.charAt(at) !== char) throw new ScanError(at, `expected ${what}`);
    at++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, at)) at += word.length;
    else throw new ScanError(at, 'unexpected character');
  };
  const string = (): string => {
    const start = at;
    expect('"', 'a string');
    while (at < text.length) {
      const char = text.charCodeAt(at);
      if (char === 34) {
        at++;
        return JSON.parse(text.slice(start, at)) as string;
      }
      if (char === 92) {
        // Checked here because JSON.parse above would throw on it, not report it.
        if (!ESCAPE.test(text.slice(at, at + 6))) {
          throw new ScanError(at, 'invalid escape in a string');
        }
        at += text.charAt(at + 1) === 'u' ? 6 : 2;
      } else if (char < 32) throw new ScanError(at, 'control character in a string');
      else at++;
    }
    throw new ScanError(start, 'unterminated string');
  };
  // Sticky, so a number of any length is matched in place without copying the text.
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const number = (): void => {
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (!match) throw new ScanError(at, 'unexpected character');
    at += match[0].length;
  };
  const value = (pointer: string, depth: number): void => {
    skipSpace();
    if (depth > MAX_DEPTH) throw new ScanError(at, `nested deeper than ${MAX_DEPTH} levels`);
    if (depth <= RECORDED_DEPTH) lines.set(pointer, lineAt(at));
    const char = text.charAt(at);
    if (char === '{') {
      at++;
      skipSpace();
      if (text.charAt(at) === '}') {
        at++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = string();
        skipSpace();
        expect(':', "':' after a property name");
        value(`${pointer}/${escapePointer(key)}`, depth + 1);
        skipSpace();
        if (text.charAt(at) === ',') at++;
        else if (text.charAt(at) === '}') {
          at++;
          return;
        } else throw new ScanError(at, "expected ',' or '}' after a property");
      }
    }
    if (char === '[') {
      at++;
      skipSpace();
      if (text.charAt(at) === ']') {
        at++;
        return;
      }
      for (let index = 0; ; index++) {
        value(`${pointer}/${index}`, depth + 1);
        skipSpace();
        if (text.charAt(at) === ',') at++;
        else if (text.charAt(at) === ']') {
          at++;
          return;
        } else throw new ScanError(at, "expected ',' or ']' after an array element");
      }
    }
    if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (at >= text.length) throw new ScanError(at, 'unexpected end of input');
    else number();
  };

  try {
    value('', 0);
    skipSpace();
    if (at < text.length) throw new ScanError(at, 'unexpected text after the JSON value');
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    const line = lineAt(error.offset);
    const column = error.offset - (lineStarts[line - 1] ?? 0) + 1;
    return { ok: false, problem: { line, column, message: error.message } };
  }
  return {
    ok: true,
    lineOf: (pointer) => {
      for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
        const line = lines.get(p);
        if (line !== undefined) return line;
        if (p === '') return 1;
      }
    },
  };
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
