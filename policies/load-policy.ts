import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type IdentifierPattern,
  normaliseCustomName,
  normaliseIdentifier,
  normaliseLevelName,
  type Policy,
  type Requirement,
} from './policy';
import { PolicyError, type PolicyProblem } from './policy-error';
import { FORBIDDEN, type PolicyFile, policyFileSchema } from './policy-file-schema';

/** The policy shipped with the project, used when no other file is given. */
export const DEFAULT_POLICY_FILE = path.join(__dirname, 'default-policy.yaml');

type PathSegment = string | number;

/**
 * Reads and validates a policy file (YAML or JSON). Every problem in the file is
 * reported at once, each with its line and path.
 *
 * @throws PolicyError when the file cannot be read or is not a valid policy.
 * @example
 * ```ts
 * const policy = loadPolicy('policies/default-policy.yaml');
 * ```
 */
export function loadPolicy(file: string = DEFAULT_POLICY_FILE): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PolicyError(file, [{ path: '', message: `cannot read the file (${reason})` }], {
      cause: error,
    });
  }
  return parsePolicy(text, file);
}

/** Validates policy text; `source` names it in messages. */
export function parsePolicy(text: string, source: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new PolicyError(
      source,
      document.errors.map((error) => ({
        path: '',
        ...lineOf(lineCounter.linePos(error.pos[0]).line),
        message: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  const lineAt = (segments: readonly PathSegment[]): number | undefined =>
    locate(document.contents, segments, lineCounter);

  const raw: unknown = document.toJS();
  if (raw === null || raw === undefined) {
    throw new PolicyError(source, [{ path: '', message: 'the file is empty' }]);
  }
  const parsed = policyFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PolicyError(
      source,
      parsed.error.issues.flatMap((issue) => toProblems(issue, raw, lineAt)),
    );
  }
  return compile(parsed.data, source, lineAt);
}

function compile(
  file: PolicyFile,
  source: string,
  lineAt: (segments: readonly PathSegment[]) => number | undefined,
): Policy {
  const problems: PolicyProblem[] = [];
  const problem = (segments: readonly PathSegment[], message: string): void => {
    problems.push({ path: formatPath(segments), ...lineOf(lineAt(segments)), message });
  };

  const levels = file.levels.map((level) => level.name);
  const levelByName = new Map<string, number>();
  file.levels.forEach((level, rank) => {
    const names: Array<[readonly PathSegment[], string]> = [
      [['levels', rank, 'name'], level.name],
      ...level.aliases.map((alias, i): [PathSegment[], string] => [
        ['levels', rank, 'aliases', i],
        alias,
      ]),
    ];
    for (const [at, name] of names) {
      const key = normaliseLevelName(name);
      if (key === FORBIDDEN) {
        problem(at, `"${name}" is reserved for types allowed at no level`);
      } else if (levelByName.has(key)) {
        const owner = levels[levelByName.get(key) ?? 0];
        problem(at, `duplicate level name "${name}" (already used by level ${owner})`);
      } else {
        levelByName.set(key, rank);
      }
    }
  });

  const allowed = `${levels.join(', ')} or ${FORBIDDEN}`;
  const requirement = (at: readonly PathSegment[], reference: string): Requirement => {
    const key = normaliseLevelName(reference);
    if (key === FORBIDDEN) return { kind: 'forbidden' };
    const rank = levelByName.get(key);
    if (rank === undefined) {
      problem(at, `unknown level "${reference}" (expected ${allowed})`);
      return { kind: 'forbidden' };
    }
    return { kind: 'level', level: levels[rank] ?? reference, rank };
  };
  const requirements = (
    at: readonly PathSegment[],
    entries: Record<string, string>,
    normalise: (key: string) => string,
  ): Map<string, Requirement> => {
    const result = new Map<string, Requirement>();
    for (const [key, reference] of Object.entries(entries)) {
      const normalised = normalise(key);
      if (result.has(normalised)) {
        problem([...at, key], `duplicate entry (same as another key once case is ignored)`);
      }
      result.set(normalised, requirement([...at, key], reference));
    }
    return result;
  };

  const managed = requirements(
    ['managedIdentifiers'],
    file.managedIdentifiers,
    normaliseIdentifier,
  );
  const managedIdentifiers = new Map<string, Requirement>();
  const managedIdentifierPatterns: IdentifierPattern[] = [];
  for (const [key, value] of managed) {
    if (key.includes('*')) managedIdentifierPatterns.push(toPattern(key, value));
    else managedIdentifiers.set(key, value);
  }
  managedIdentifierPatterns.sort(
    (a, b) => specificity(b.pattern) - specificity(a.pattern) || a.pattern.localeCompare(b.pattern),
  );

  const policy: Policy = {
    source,
    levels,
    levelByName,
    categories: requirements(['categories'], file.categories, normaliseIdentifier),
    unknownCategory: requirement(['unknownCategory'], file.unknownCategory),
    managedIdentifiers,
    managedIdentifierPatterns,
    customIdentifiers: {
      default: requirement(['customIdentifiers', 'default'], file.customIdentifiers.default),
      byName: requirements(
        ['customIdentifiers', 'byName'],
        file.customIdentifiers.byName,
        normaliseCustomName,
      ),
    },
    severity: file.severity,
  };

  const gaps = levels.length - 1;
  if (file.severity.levelGap.length < gaps) {
    problem(
      ['severity', 'levelGap'],
      `needs ${gaps} entries, one for each possible gap between ${levels.length} levels; has ${file.severity.levelGap.length}`,
    );
  }

  if (problems.length > 0) throw new PolicyError(source, problems);
  return policy;
}

function toPattern(pattern: string, requirement: Requirement): IdentifierPattern {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return { pattern, matcher: new RegExp(`^${escaped}$`), requirement };
}

/** More literal characters make a more specific pattern. */
function specificity(pattern: string): number {
  return pattern.replaceAll('*', '').length;
}

function toProblems(
  issue: z.core.$ZodIssue,
  raw: unknown,
  lineAt: (segments: readonly PathSegment[]) => number | undefined,
): PolicyProblem[] {
  const at = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(at);
    const hint = known.length > 0 ? ` (allowed here: ${known.join(', ')})` : '';
    return issue.keys.map((key) => ({
      path: formatPath([...at, key]),
      ...lineOf(lineAt([...at, key])),
      message: `unknown key${hint}`,
    }));
  }
  const missing = valueAt(raw, at) === undefined;
  return [
    {
      path: formatPath(at),
      ...lineOf(lineAt(at)),
      message: missing ? 'is required' : issue.message,
    },
  ];
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
function knownKeysAt(at: readonly PathSegment[]): string[] {
  let schema: unknown = policyFileSchema;
  for (const segment of at) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    const element = (schema as { element?: unknown }).element;
    if (typeof segment === 'string' && shape) schema = shape[segment];
    else if (typeof segment === 'number' && element) schema = element;
    else return [];
  }
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).filter((key) => key !== '$schema') : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { unwrap?: () => unknown; def?: { innerType?: unknown } };
  while (current?.def?.innerType) current = current.def.innerType as typeof current;
  return current;
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
