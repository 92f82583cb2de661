/**
 * What the policy and waivers loaders share: reading a YAML or JSON file, and
 * turning every syntax and schema problem into a `FileProblem` with the line and
 * the path inside the file, so both report bad files the same way.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { MAX_ALIASES, MAX_DATA_FILE_BYTES, MAX_DATA_FILE_ENTRIES } from './data-file-limits';
import type { FileProblem, InvalidFileErrorClass } from './policy-error';

export type PathSegment = string | number;

/** The 1-based line of the deepest node of a path that exists in the file. */
export type LineAt = (segments: readonly PathSegment[]) => number | undefined;

/** A parsed file: its plain value and where each part of it was written. */
export interface DataFile {
  readonly value: unknown;
  readonly lineAt: LineAt;
  /**
   * The file a path was written in, when the value was merged from several files
   * (a policy and the policies it extends); `undefined` for the file loaded.
   */
  readonly fileAt?: (segments: readonly PathSegment[]) => string | undefined;
}

/** What a schema made of a file: its output, or every problem with it. */
export type SchemaCheck<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly problems: readonly FileProblem[] };

/**
 * The text of `file`: a regular file of at most {@link MAX_DATA_FILE_BYTES}. It is
 * opened without waiting, so a FIFO fails at once instead of blocking, and read
 * no further than the limit, so `/dev/zero` cannot exhaust memory.
 *
 * @throws `ErrorClass` naming the file when it cannot be read or is too large.
 */
export function readDataFile(file: string, ErrorClass: InvalidFileErrorClass): string {
  const fail = (message: string, cause?: unknown): never => {
    throw new ErrorClass(file, [{ path: '', message }], { cause });
  };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return fail(
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      error,
    );
  }
  try {
    if (!fstatSync(fd).isFile()) fail('cannot read the file (not a regular file)');
    const buffer = Buffer.alloc(MAX_DATA_FILE_BYTES + 1);
    let total = 0;
    for (;;) {
      const read = readSync(fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
      if (total > MAX_DATA_FILE_BYTES) {
        fail(
          `the file is larger than ${MAX_DATA_FILE_BYTES / 1024 / 1024} MiB, the most a file may hold`,
        );
      }
    }
    return buffer.toString('utf8', 0, total);
  } catch (error) {
    if (error instanceof ErrorClass) throw error;
    return fail(
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      error,
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses YAML (or JSON, which is YAML) text; `source` names it in messages.
 *
 * @throws `ErrorClass` with every syntax error, or when the file holds nothing.
 */
export function parseDataFile(
  text: string,
  source: string,
  ErrorClass: InvalidFileErrorClass,
): DataFile {
  const lineCounter = new LineCounter();
  // The YAML library's own check of unique keys compares each key with every key
  // before it (quadratic: 20,000 entries take seconds); duplicateKeys is one pass.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const problems: FileProblem[] = document.errors.map((error) => ({
    path: '',
    ...lineOf(lineCounter.linePos(error.pos[0]).line),
    message: error.message.split('\n')[0] ?? error.message,
  }));
  const entries = countEntries(document.contents);
  if (problems.length === 0 && entries > MAX_DATA_FILE_ENTRIES) {
    problems.push({
      path: '',
      message: `the file has ${entries} entries (keys and list items); a file may have at most ${MAX_DATA_FILE_ENTRIES}`,
    });
  }
  if (problems.length === 0) problems.push(...duplicateKeys(document.contents, lineCounter));
  if (problems.length > 0) throw new ErrorClass(source, problems);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // The YAML library refuses an alias bomb ("billion laughs") as it expands it.
    throw new ErrorClass(
      source,
      [
        {
          path: '',
          message: `YAML aliases expand too far (${(error as Error).message}); a file may use at most ${MAX_ALIASES} aliases`,
        },
      ],
      { cause: error },
    );
  }
  if (value === null || value === undefined) {
    throw new ErrorClass(source, [{ path: '', message: 'the file is empty' }]);
  }
  return { value, lineAt: (segments) => locate(document.contents, segments, lineCounter) };
}

/**
 * Checks a parsed file against its schema.
 *
 * @throws `ErrorClass` with one problem per schema issue; an unknown key names the
 *   keys allowed where it stands.
 */
export function validateDataFile<S extends z.ZodType>(
  schema: S,
  file: DataFile,
  source: string,
  ErrorClass: InvalidFileErrorClass,
): z.output<S> {
  const checked = checkDataFile(schema, file);
  if (!checked.ok) throw new ErrorClass(source, checked.problems);
  return checked.data;
}

/**
 * Checks a parsed file against its schema without throwing, for a loader that
 * goes on to look for other problems in what the schema accepted.
 */
export function checkDataFile<S extends z.ZodType>(
  schema: S,
  file: DataFile,
): SchemaCheck<z.output<S>> {
  const parsed = schema.safeParse(file.value);
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.flatMap((issue) => toProblems(issue, schema, file)),
  };
}

/** A problem at `segments`, with its line when the file has that path (or a parent of it). */
export function problemAt(
  lineAt: LineAt,
  segments: readonly PathSegment[],
  message: string,
): FileProblem {
  return { path: formatPath(segments), ...lineOf(lineAt(segments)), message };
}

/**
 * {@link problemAt} in a file that may be merged from several: the problem names
 * the file the path was written in when it is not the file loaded.
 */
export function problemIn(
  file: DataFile,
  segments: readonly PathSegment[],
  message: string,
): FileProblem {
  const written = file.fileAt?.(segments);
  return {
    ...problemAt(file.lineAt, segments, message),
    ...(written === undefined ? {} : { file: written }),
  };
}

function toProblems(issue: z.core.$ZodIssue, schema: z.ZodType, file: DataFile): FileProblem[] {
  const at = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, at);
    const hint = known.length > 0 ? ` (allowed here: ${known.join(', ')})` : '';
    return issue.keys.map((key) => problemIn(file, [...at, key], `unknown key${hint}`));
  }
  if (issue.code === 'invalid_key') {
    // A record key that breaks its own schema: say what is wrong with it.
    const reasons = issue.issues.map((inner) => inner.message);
    return [problemIn(file, at, reasons.join('; ') || issue.message)];
  }
  const missing = valueAt(file.value, at) === undefined;
  return [problemIn(file, at, missing ? 'is required' : issue.message)];
}

function valueAt(root: unknown, at: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of at) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

/** Keys a strict object in the schema accepts at `at`, for "unknown key" hints. */
function knownKeysAt(root: z.ZodType, at: readonly PathSegment[]): string[] {
  let schema: unknown = root;
  for (const segment of at) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    const element = (schema as { element?: unknown }).element;
    if (typeof segment === 'string' && shape) schema = shape[segment];
    else if (typeof segment === 'number' && element) schema = element;
    else return [];
  }
  // `undefined` past an object's own keys (a key its catchall accepts).
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape).filter((key) => key !== '$schema') : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { innerType?: unknown } };
  while (current?.def?.innerType) current = current.def.innerType as typeof current;
  return current;
}

/**
 * Every key that appears twice in one mapping, with its line and the line of its
 * first use: YAML forbids them, and a policy must not say two things about one key.
 * One pass over the document, with a set per mapping.
 */
function duplicateKeys(root: unknown, lineCounter: LineCounter): FileProblem[] {
  const problems: FileProblem[] = [];
  const lineOfNode = (node: unknown) => startLine(node as Node | null, lineCounter);
  const visit = (node: unknown, path: readonly PathSegment[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (key === '__proto__') {
          problems.push({
            path: formatPath([...path, key]),
            ...lineOf(lineOfNode(pair.key)),
            message: 'the key __proto__ is not allowed',
          });
        } else if (seen.has(key)) {
          const first = seen.get(key);
          problems.push({
            path: formatPath([...path, key]),
            ...lineOf(lineOfNode(pair.key)),
            message: `map keys must be unique: "${key}" is given again${first === undefined ? '' : ` (first at line ${first})`}`,
          });
        } else {
          seen.set(key, lineOfNode(pair.key));
        }
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index]);
      });
    }
  };
  visit(root, []);
  return problems;
}

/** Keys of every mapping plus items of every list, counted without building values. */
function countEntries(root: unknown): number {
  let count = 0;
  const pending: unknown[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (isMap(node)) {
      count += node.items.length;
      for (const pair of node.items) pending.push(pair.value);
    } else if (isSeq(node)) {
      count += node.items.length;
      for (const item of node.items) pending.push(item);
    }
  }
  return count;
}

/** Line of the deepest node of `segments` that exists in the document. */
function locate(
  root: unknown,
  segments: readonly PathSegment[],
  lineCounter: LineCounter,
): number | undefined {
  let node = root as Node | null | undefined;
  let line = startLine(node, lineCounter);
  for (const segment of segments) {
    if (!node || !('items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      node = pair.value as Node | null;
      line = startLine(pair.key as Node, lineCounter) ?? line;
    } else if (typeof segment === 'number') {
      node = items[segment] as Node | undefined;
      line = startLine(node, lineCounter) ?? line;
    } else {
      break;
    }
  }
  return line;
}

function startLine(node: Node | null | undefined, lineCounter: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function lineOf(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

/** `['levels', 0, 'name']` -> `levels[0].name` */
function formatPath(segments: readonly PathSegment[]): string {
  return segments
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}
