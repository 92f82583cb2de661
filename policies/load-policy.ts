import {
  checkDataFile,
  type DataFile,
  type PathSegment,
  problemIn,
  readDataFile,
} from './data-file';
import {
  type IdentifierPattern,
  normaliseCustomName,
  normaliseIdentifier,
  normaliseLevelName,
  type Policy,
  type Requirement,
} from './policy';
import { mergePolicyChain, readPolicyChain } from './policy-chain';
import { type FileProblem, PolicyError, type PolicyProblem } from './policy-error';
import { FORBIDDEN, type PolicyFile, policyFileSchema } from './policy-file-schema';
import { shippedFile } from './shipped-file';
import { wildcardMatcher } from './wildcard';

/**
 * The policy shipped with the project, used when no other file is given and
 * named by `extends: default`: `policies/default-policy.yaml`, read where it is
 * (see `shippedFile`).
 */
export const DEFAULT_POLICY_FILE = shippedFile(__dirname, 'default-policy.yaml');

/**
 * Reads and validates a policy file (YAML or JSON), merged with the policies it
 * `extends` (see `policy-chain.ts`). Every problem is reported at once, each
 * with its file, line and path: schema problems (an unknown key, a missing one,
 * a value of the wrong kind) together with problems of meaning (a level that is
 * not defined, a duplicate name, a severity table too short).
 *
 * @throws PolicyError when a file cannot be read or the policy is not valid.
 * @example
 * ```ts
 * const policy = loadPolicy('policies/default-policy.yaml');
 * ```
 */
export function loadPolicy(file: string = DEFAULT_POLICY_FILE): Policy {
  return parsePolicy(readDataFile(file, PolicyError), file);
}

/**
 * Validates policy text; `source` names it in messages, and the files it
 * `extends` are found relative to it.
 */
export function parsePolicy(text: string, source: string): Policy {
  const layers = readPolicyChain(text, source, { defaultPolicyFile: DEFAULT_POLICY_FILE });
  const file = mergePolicyChain(layers);
  const problems: FileProblem[] = [];
  const checked = checkDataFile(policyFileSchema, file);
  if (!checked.ok) problems.push(...checked.problems);
  const policy = compile(checked.ok ? checked.data : salvage(file.value), source, file, (problem) =>
    problems.push(problem),
  );
  if (problems.length > 0 || policy === undefined) {
    throw new PolicyError(
      source,
      inFileOrder(
        problems,
        layers.map((layer) => layer.source),
      ),
    );
  }
  const parents = layers.slice(1).map((layer) => layer.source);
  return parents.length === 0 ? policy : { ...policy, extends: parents };
}

/** The parts of a policy file its schema accepts. */
type PolicyParts = Partial<Omit<PolicyFile, 'customIdentifiers'>> & {
  customIdentifiers?: Partial<PolicyFile['customIdentifiers']>;
};

/**
 * The parts of a file that failed its schema that are valid on their own, so
 * the meaning of those parts is checked too and one run reports every problem:
 * each top-level key, and in a map each entry, is kept when its schema accepts it.
 */
function salvage(value: unknown): PolicyParts {
  const raw = isMap(value) ? value : {};
  const fields = policyFileSchema.shape;
  const customs = fields.customIdentifiers.shape;
  const rawCustoms = isMap(raw.customIdentifiers) ? raw.customIdentifiers : {};
  return {
    ...valid('levels', fields.levels, raw.levels),
    ...valid('unknownCategory', fields.unknownCategory, raw.unknownCategory),
    ...valid('severity', fields.severity, raw.severity),
    categories: validEntries(fields.categories, raw.categories),
    managedIdentifiers: validEntries(fields.managedIdentifiers, raw.managedIdentifiers),
    customIdentifiers: {
      ...valid('default', customs.default, rawCustoms.default),
      byName: validEntries(customs.byName, rawCustoms.byName),
    },
  };
}

/** `{ [key]: output }` when `schema` accepts `value`; `{}` otherwise. */
function valid<K extends string, T>(
  key: K,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
): Partial<Record<K, T>> {
  const parsed = schema.safeParse(value);
  return parsed.success ? ({ [key]: parsed.data } as Record<K, T>) : {};
}

/** The entries of a map that `schema` (a record) accepts one by one. */
function validEntries<T>(
  schema: {
    safeParse(value: unknown): { success: true; data: Record<string, T> } | { success: false };
  },
  value: unknown,
): Record<string, T> {
  if (!isMap(value)) return {};
  const kept = Object.entries(value).filter(
    ([key, entry]) => schema.safeParse({ [key]: entry }).success,
  );
  const parsed = schema.safeParse(Object.fromEntries(kept));
  return parsed.success ? parsed.data : {};
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems grouped by file (the given one first, then its parents), each file by line. */
function inFileOrder(problems: readonly FileProblem[], files: readonly string[]): FileProblem[] {
  const fileRank = (problem: FileProblem): number =>
    problem.file === undefined ? 0 : files.indexOf(problem.file);
  const line = (problem: FileProblem): number => problem.line ?? Number.POSITIVE_INFINITY;
  return [...problems].sort((a, b) => fileRank(a) - fileRank(b) || line(a) - line(b));
}

/**
 * The policy the parts make, after checking what they mean: level names unique,
 * every level reference a level, a severity for every gap. Each problem goes to
 * `report`. `undefined` when a part is missing (its schema problem is reported
 * already); the caller rejects the policy whenever a problem was reported.
 */
function compile(
  parts: PolicyParts,
  source: string,
  file: DataFile,
  report: (problem: PolicyProblem) => void,
): Policy | undefined {
  // Without levels no reference can be judged: the schema problem with levels says enough.
  if (parts.levels === undefined) return undefined;
  const problem = (segments: readonly PathSegment[], message: string): void => {
    report(problemIn(file, segments, message));
  };

  const levels = parts.levels.map((level) => level.name);
  const levelByName = new Map<string, number>();
  parts.levels.forEach((level, rank) => {
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
    entries: Record<string, string> = {},
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
    parts.managedIdentifiers,
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

  const categories = requirements(['categories'], parts.categories, normaliseIdentifier);
  const unknownCategory =
    parts.unknownCategory === undefined
      ? undefined
      : requirement(['unknownCategory'], parts.unknownCategory);
  const customDefault =
    parts.customIdentifiers?.default === undefined
      ? undefined
      : requirement(['customIdentifiers', 'default'], parts.customIdentifiers.default);
  const customByName = requirements(
    ['customIdentifiers', 'byName'],
    parts.customIdentifiers?.byName,
    normaliseCustomName,
  );

  const { severity } = parts;
  const gaps = levels.length - 1;
  if (severity !== undefined && severity.levelGap.length < gaps) {
    problem(
      ['severity', 'levelGap'],
      `needs ${gaps} entries, one for each possible gap between ${levels.length} levels; has ${severity.levelGap.length}`,
    );
  }

  if (
    parts.categories === undefined ||
    unknownCategory === undefined ||
    customDefault === undefined ||
    severity === undefined
  ) {
    return undefined;
  }
  return {
    source,
    levels,
    levelByName,
    categories,
    unknownCategory,
    managedIdentifiers,
    managedIdentifierPatterns,
    customIdentifiers: { default: customDefault, byName: customByName },
    severity,
  };
}

function toPattern(pattern: string, requirement: Requirement): IdentifierPattern {
  return { pattern, matcher: wildcardMatcher(pattern), requirement };
}

/** More literal characters make a more specific pattern. */
function specificity(pattern: string): number {
  return pattern.replaceAll('*', '').length;
}
