import * as path from 'node:path';
import {
  type LineAt,
  type PathSegment,
  parseDataFile,
  problemAt,
  readDataFile,
  validateDataFile,
} from './data-file';
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
import { wildcardMatcher } from './wildcard';

/** The policy shipped with the project, used when no other file is given. */
export const DEFAULT_POLICY_FILE = path.join(__dirname, 'default-policy.yaml');

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
  return parsePolicy(readDataFile(file, PolicyError), file);
}

/** Validates policy text; `source` names it in messages. */
export function parsePolicy(text: string, source: string): Policy {
  const file = parseDataFile(text, source, PolicyError);
  const parsed = validateDataFile(policyFileSchema, file, source, PolicyError);
  return compile(parsed, source, file.lineAt);
}

function compile(file: PolicyFile, source: string, lineAt: LineAt): Policy {
  const problems: PolicyProblem[] = [];
  const problem = (segments: readonly PathSegment[], message: string): void => {
    problems.push(problemAt(lineAt, segments, message));
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
  return { pattern, matcher: wildcardMatcher(pattern), requirement };
}

/** More literal characters make a more specific pattern. */
function specificity(pattern: string): number {
  return pattern.replaceAll('*', '').length;
}
