import fc from 'fast-check';
import { type JsonScan, type JsonSyntaxProblem, scanJson } from '../../../bin/json-positions';

function lineOfIn(scan: JsonScan): (pointer: string) => number {
  if (!scan.ok) throw new Error(`expected valid JSON, got: ${JSON.stringify(scan.problem)}`);
  return scan.lineOf;
}

function problemOf(scan: JsonScan): JsonSyntaxProblem {
  if (scan.ok) throw new Error('expected a syntax problem, but the text was accepted');
  return scan.problem;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('scanJson', () => {
  describe('locating values', () => {
    it('gives the line each array element starts on', () => {
      const text = ['[', '  {"id": "a"},', '', '  {', '    "id": "b"', '  }', ']'].join('\n');

      const lineOf = lineOfIn(scanJson(text));

      expect([lineOf(''), lineOf('/0'), lineOf('/1')]).toEqual([1, 2, 4]);
    });

    it('gives the line of each element of a findings list', () => {
      const text = JSON.stringify({ findings: [{ id: 'a' }, { id: 'b' }] }, null, 2);

      const lineOf = lineOfIn(scanJson(text));

      expect(text.split('\n')[2]).toBe('    {');
      expect(text.split('\n')[5]).toBe('    {');
      expect([lineOf('/findings/0'), lineOf('/findings/1')]).toEqual([3, 6]);
    });

    it('finds keys holding "/" and "~" by their escaped pointer', () => {
      const text = '{\n"a/b~c":\n[\n1\n]\n}';

      const lineOf = lineOfIn(scanJson(text));

      expect(lineOf('/a~1b~0c/0')).toBe(4);
    });

    it('locates a value deeper than three levels by its nearest recorded ancestor', () => {
      const text = '{"a":\n{"b":\n{"c":\n{"d":\n1}}}}';

      const lineOf = lineOfIn(scanJson(text));

      expect(lineOf('/a/b/c')).toBe(4);
      expect(lineOf('/a/b/c/d')).toBe(4);
    });

    it('gives line 1 for a pointer to nothing in the document', () => {
      const text = '[\n1\n]';

      const lineOf = lineOfIn(scanJson(text));

      expect(lineOf('/findings/9')).toBe(1);
    });

    it('accepts a number of any length, as JSON.parse does', () => {
      const text = `[\n${'9'.repeat(1000)}.5e-3\n]`;

      const lineOf = lineOfIn(scanJson(text));

      expect(lineOf('/0')).toBe(2);
    });

    it('accepts nesting 250 levels deep', () => {
      const text = `${'['.repeat(250)}${']'.repeat(250)}`;

      const scan = scanJson(text);

      expect(scan.ok).toBe(true);
    });
  });

  describe('syntax errors', () => {
    it.each([
      ['a trailing comma in an array', '[\n  1,\n  2,\n]', 4, 1, 'unexpected character'],
      ['a trailing comma in an object', '{\n  "a": 1,\n}', 3, 1, 'expected a string'],
      ['an unexpected token', '{\n  "a": tru\n}', 2, 8, 'unexpected character'],
      ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after a property"],
      ['an unterminated string', '{\n  "a": "abc', 2, 8, 'unterminated string'],
      ['a raw line break in a string', '{"a": "one\ntwo"}', 1, 11, 'control character in a string'],
      ['text after the value', '{"a": 1}\n{"b": 2}', 2, 1, 'unexpected text after the JSON value'],
      ['empty input', '', 1, 1, 'unexpected end of input'],
      [
        'an invalid escape in a string',
        '{\n  "a": "C:\\data"\n}',
        2,
        11,
        'invalid escape in a string',
      ],
      ['a short \\u escape', '["\\u12"]', 1, 3, 'invalid escape in a string'],
    ])('reports %s with its line and column', (_, text, line, column, message) => {
      const problem = problemOf(scanJson(text));

      expect(problem).toEqual({ line, column, message });
    });

    it('refuses deep nesting without overflowing the stack', () => {
      const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

      const problem = problemOf(scanJson(text));

      expect(problem).toEqual({ line: 1, column: 258, message: 'nested deeper than 256 levels' });
    });
  });

  describe('agreement with JSON.parse', () => {
    it('accepts every JSON text, compact or indented', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
          const text = JSON.stringify(value, null, indent);

          expect(scanJson(text).ok).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it('accepts exactly what JSON.parse accepts, and never throws', () => {
      const edited = fc
        .tuple(fc.json(), fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 }))
        .map(([text, at, removed, inserted]) => {
          const i = at % (text.length + 1);
          return text.slice(0, i) + inserted + text.slice(i + removed);
        });
      const texts = fc.oneof(
        edited,
        fc.string(),
        fc.string({ unit: fc.constantFrom(...'{}[]":,\\ \n-0123456789.eEtrufalsn') }),
      );

      fc.assert(
        fc.property(texts, (text) => {
          expect(scanJson(text).ok).toBe(parses(text));
        }),
        { numRuns: 2000 },
      );
    });
  });
});
