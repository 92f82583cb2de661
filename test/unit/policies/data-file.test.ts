/**
 * The reader shared by the policy and waivers loaders, on its own: what it reads,
 * how it names each problem (path, line, message) and what it refuses.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import {
  checkDataFile,
  type DataFile,
  parseDataFile,
  problemIn,
  readDataFile,
} from '../../../policies/data-file';
import { type InvalidFileError, PolicyError } from '../../../policies/policy-error';
import { useTempDir } from '../../support/temp-dir';

jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return {
    ...actual,
    openSync: jest.fn(actual.openSync),
    readSync: jest.fn(actual.readSync),
    closeSync: jest.fn(actual.closeSync),
  };
});

const MIB = 1024 * 1024;

function refusal(action: () => unknown): InvalidFileError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as InvalidFileError;
  }
  throw new Error('expected a PolicyError');
}

const parse = (text: string): DataFile => parseDataFile(text, 'p.yaml', PolicyError);

/** The problems `schema` finds in `text`. */
function schemaProblems(schema: z.ZodType, text: string) {
  const checked = checkDataFile(schema, parse(text));
  if (checked.ok) throw new Error('expected schema problems');
  return checked.problems;
}

/** `n` list items: `n` entries. */
const listOf = (n: number): string =>
  `${Array.from({ length: n }, (_, i) => `- ${i}`).join('\n')}\n`;

describe('readDataFile', () => {
  const dir = useTempDir();

  afterEach(() => {
    jest.clearAllMocks();
  });

  it('reads a file of exactly 1 MiB and refuses one byte more', () => {
    const full = dir.write('full.yaml', 'a'.repeat(MIB));
    const over = dir.write('over.yaml', 'a'.repeat(MIB + 1));

    expect(readDataFile(full, PolicyError)).toHaveLength(MIB);
    expect(refusal(() => readDataFile(over, PolicyError)).problems).toStrictEqual([
      { path: '', message: 'the file is larger than 1 MiB, the most a file may hold' },
    ]);
  });

  it('names the system error of a file it cannot open, and keeps it as the cause', () => {
    const missing = `${dir.path}/missing.yaml`;

    const error = refusal(() => readDataFile(missing, PolicyError));

    expect(error.source).toBe(missing);
    expect(error.problems).toStrictEqual([{ path: '', message: 'cannot read the file (ENOENT)' }]);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('says "unreadable" when the failure to open has no system code', () => {
    jest.mocked(fs.openSync).mockImplementationOnce(() => {
      throw new Error('no code');
    });

    expect(refusal(() => readDataFile('x.yaml', PolicyError)).problems).toStrictEqual([
      { path: '', message: 'cannot read the file (unreadable)' },
    ]);
  });

  it('turns a failed read into the file error, with the system code or "unreadable"', () => {
    const file = dir.write('p.yaml', 'a: 1\n');
    const io = Object.assign(new Error('i/o error'), { code: 'EIO' });
    jest.mocked(fs.readSync).mockImplementationOnce(() => {
      throw io;
    });

    const withCode = refusal(() => readDataFile(file, PolicyError));

    expect(withCode.problems).toStrictEqual([{ path: '', message: 'cannot read the file (EIO)' }]);
    expect(withCode.cause).toBe(io);

    jest.mocked(fs.readSync).mockImplementationOnce(() => {
      throw new Error('no code');
    });
    expect(refusal(() => readDataFile(file, PolicyError)).problems).toStrictEqual([
      { path: '', message: 'cannot read the file (unreadable)' },
    ]);
  });

  it('closes the file whether it was read or refused', () => {
    const small = dir.write('small.yaml', 'a: 1\n');
    const big = dir.write('big.yaml', 'a'.repeat(MIB + 1));
    const close = jest.mocked(fs.closeSync);

    readDataFile(small, PolicyError);
    refusal(() => readDataFile(big, PolicyError));

    expect(close).toHaveBeenCalledTimes(2);
  });
});

describe('parseDataFile', () => {
  it('reports a syntax error on its line, with the first line of its message only', () => {
    const error = refusal(() => parse('levels: [1, 2\nseverity: 3\n'));

    expect(error.source).toBe('p.yaml');
    expect(error.problems).toStrictEqual([
      {
        path: '',
        line: 2,
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
  });

  it('reports a syntax error alone, without counting entries or looking for duplicates', () => {
    const text = `a: 1\na: 2\nlist:\n${listOf(20_001).replace(/^/gm, '  ')}b: c: d\n`;

    const problems = refusal(() => parse(text)).problems;

    expect(problems.map((problem) => problem.message)).toStrictEqual([
      'All mapping items must start at the same column',
      'Nested mappings are not allowed in compact mappings',
    ]);
  });

  it('accepts 20,000 entries and refuses 20,001, before looking for duplicate keys', () => {
    expect(parse(listOf(20_000)).value).toHaveLength(20_000);

    const text = `a: 1\na: 2\nlist:\n${listOf(19_998).replace(/^/gm, '  ')}`;
    expect(refusal(() => parse(text)).problems).toStrictEqual([
      {
        path: '',
        message: 'the file has 20001 entries (keys and list items); a file may have at most 20000',
      },
    ]);
  });

  it('names each repeated key with its line and the line of its first use', () => {
    const problems = refusal(() =>
      parse('a:\n  b: 1\n  c: 2\n  b: 3\nd: [{e: 1, e: 2}]\n'),
    ).problems;

    expect(problems).toStrictEqual([
      {
        path: 'a.b',
        line: 4,
        message: 'map keys must be unique: "b" is given again (first at line 2)',
      },
      {
        path: 'd[0].e',
        line: 5,
        message: 'map keys must be unique: "e" is given again (first at line 5)',
      },
    ]);
  });

  it('keeps the alias error as the cause when aliases expand too far', () => {
    const aliases = Array.from({ length: 101 }, () => '*a').join(', ');

    const error = refusal(() => parse(`a: &a [x]\nb: [${aliases}]\n`));

    expect(error.problems[0]?.message).toMatch(
      /^YAML aliases expand too far \(.+\); a file may use at most 100 aliases$/,
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it.each([
    ['empty', ''],
    ['a comment only', '# nothing\n'],
    ['null', 'null\n'],
    ['~', '~\n'],
  ])('refuses a file that is %s', (_, text) => {
    expect(refusal(() => parse(text)).problems).toStrictEqual([
      { path: '', message: 'the file is empty' },
    ]);
  });

  describe('lineAt', () => {
    const file = parse('name: x\nlevels:\n  - a\n  - b\nmap:\n  key: 1\n');

    it.each([
      [[], 1],
      [['levels'], 2],
      [['levels', 1], 4],
      [['map', 'key'], 6],
      // Past what the file has: the deepest part of the path that exists.
      [['levels', 9], 2],
      [['levels', 'length', 'x'], 2],
      [['levels', 'x', 1], 2],
      [['name', 0], 1],
      [['name', 'x', 0], 1],
      [['map', 'other'], 5],
    ] as const)('finds the line of %j: %d', (segments, line) => {
      expect(file.lineAt(segments)).toBe(line);
    });
  });
});

describe('checkDataFile', () => {
  const strict = z.strictObject({
    $schema: z.string().optional(),
    name: z.string(),
    inner: z.strictObject({ b: z.number(), c: z.number() }).optional(),
    list: z.array(z.strictObject({ d: z.number() })).optional(),
  });

  it('names the keys allowed where an unknown key stands, through optional and list', () => {
    const problems = schemaProblems(
      strict,
      'name: x\nx: 1\ninner:\n  b: 1\n  c: 2\n  z: 3\nlist:\n  - d: 1\n    y: 2\n',
    );

    expect(problems).toStrictEqual([
      { path: 'inner.z', line: 6, message: 'unknown key (allowed here: b, c)' },
      { path: 'list[0].y', line: 9, message: 'unknown key (allowed here: d)' },
      { path: 'x', line: 2, message: 'unknown key (allowed here: name, inner, list)' },
    ]);
  });

  it.each([
    [
      'in a record',
      z.record(z.string(), z.strictObject({ a: z.number() })),
      'k:\n  a: 1\n  b: 2\n',
      'k.b',
    ],
    [
      'in a tuple',
      z.tuple([z.strictObject({ a: z.strictObject({ b: z.number() }) })]),
      '- a:\n    b: 1\n    c: 2\n',
      '[0].a.c',
    ],
    [
      'after a transform',
      z.strictObject({ a: z.number() }).transform((v) => v),
      'a: 1\nb: 2\n',
      'b',
    ],
    [
      'under a catchall',
      z.strictObject({ a: z.number() }).catchall(z.strictObject({ x: z.number() })),
      'a: 1\nmore:\n  x: 1\n  y: 2\n',
      'more.y',
    ],
  ])('says only "unknown key" where the allowed keys are not known: %s', (_, schema, text, at) => {
    expect(schemaProblems(schema, text)).toMatchObject([{ path: at, message: 'unknown key' }]);
  });

  it('says what is wrong with a record key, every reason of it', () => {
    const schema = z.record(
      z
        .string()
        .min(3, 'too short')
        .regex(/^[a-z]+$/, 'not lower case'),
      z.number(),
    );

    expect(schemaProblems(schema, 'AB: 1\n')).toStrictEqual([
      { path: 'AB', line: 1, message: 'too short; not lower case' },
    ]);
  });

  it('says "is required" only where the value is missing, not where it has the wrong type', () => {
    const nested = z.strictObject({ a: z.strictObject({ b: z.string() }) });

    expect(schemaProblems(nested, 'a: {}\n')).toStrictEqual([
      { path: 'a.b', line: 1, message: 'is required' },
    ]);
    expect(schemaProblems(nested, 'a:\n  b: 1\n')[0]).toMatchObject({ path: 'a.b', line: 2 });
    expect(schemaProblems(nested, 'a:\n  b: 1\n')[0]?.message).not.toBe('is required');
  });

  it('looks for the value of a custom problem through nulls and text without failing', () => {
    const at = (path: PropertyKey[]) =>
      z.unknown().superRefine((_, ctx) => {
        ctx.addIssue({ code: 'custom', message: 'custom', path });
      });
    const symbol = Symbol('hidden');

    expect(schemaProblems(at(['a', 'b']), 'a: null\n')).toMatchObject([
      { path: 'a.b', message: 'is required' },
    ]);
    // "abc"[0] is "a", but a string has no parts in the file.
    expect(schemaProblems(at(['a', 0]), 'a: abc\n')).toMatchObject([
      { path: 'a[0]', message: 'is required' },
    ]);
    expect(schemaProblems(at([symbol, 'a']), 'a: 1\n')).toStrictEqual([
      { path: 'a', line: 1, message: 'custom' },
    ]);
  });
});

describe('problemIn', () => {
  const lineAt = (segments: readonly (string | number)[]) => (segments.length > 0 ? 3 : undefined);

  it('names the file a path was written in only when it is another file', () => {
    expect(problemIn({ value: {}, lineAt, fileAt: () => 'base.yaml' }, ['a'], 'm')).toStrictEqual({
      path: 'a',
      line: 3,
      message: 'm',
      file: 'base.yaml',
    });
    expect(problemIn({ value: {}, lineAt, fileAt: () => undefined }, ['a'], 'm')).toStrictEqual({
      path: 'a',
      line: 3,
      message: 'm',
    });
    expect(problemIn({ value: {}, lineAt }, [], 'm')).toStrictEqual({ path: '', message: 'm' });
  });
});
