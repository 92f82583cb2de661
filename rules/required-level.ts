import {
  normaliseCustomName,
  normaliseIdentifier,
  type Policy,
  type Requirement,
} from '../policies/policy';
import type { Detection } from './detected-types';

/** The level a type needs, and the policy entry that says so. */
export interface RequirementExplanation {
  readonly requirement: Requirement;
  /** The policy entry that decided, e.g. `managedIdentifiers."*_PASSPORT_NUMBER"`. */
  readonly because: string;
}

/**
 * Which level a detected type needs under the policy. Lookup order: for custom
 * identifiers `customIdentifiers.byName`, then `customIdentifiers.default`; for
 * managed identifiers the exact ID in `managedIdentifiers`, then the most
 * specific `*` pattern, then the type's category, then `unknownCategory`.
 *
 * @example
 * ```yaml
 * categories: { PERSONAL_INFORMATION: Confidential }
 * managedIdentifiers: { "*_PASSPORT_NUMBER": Restricted }
 * ```
 * With this policy `USA_PASSPORT_NUMBER` needs Restricted and `NAME` Confidential.
 */
export function requirementFor(
  policy: Policy,
  detection: Pick<Detection, 'type' | 'category' | 'custom'>,
): RequirementExplanation {
  let known = requirementsByPolicy.get(policy);
  if (!known) {
    known = new Map();
    requirementsByPolicy.set(policy, known);
  }
  const key = `${detection.custom ? 'c' : 'm'}\u0000${detection.category}\u0000${detection.type}`;
  let explanation = known.get(key);
  if (!explanation) {
    explanation = lookUp(policy, detection);
    // Type names come from findings: a warm function must not keep every name it met.
    if (known.size >= MAX_REMEMBERED_TYPES) known.clear();
    known.set(key, explanation);
  }
  return explanation;
}

/**
 * What each policy requires of each type it was asked about: a run of many findings
 * names the same few types again and again. Keyed by the policy object, which is
 * not changed once loaded, so a policy and its answers are dropped together.
 */
const requirementsByPolicy = new WeakMap<Policy, Map<string, RequirementExplanation>>();

/** Far more types than Macie's managed identifiers and an account's custom ones. */
const MAX_REMEMBERED_TYPES = 10_000;

function lookUp(
  policy: Policy,
  detection: Pick<Detection, 'type' | 'category' | 'custom'>,
): RequirementExplanation {
  if (detection.custom) {
    const named = policy.customIdentifiers.byName.get(normaliseCustomName(detection.type));
    return named
      ? { requirement: named, because: `customIdentifiers.byName.${detection.type}` }
      : { requirement: policy.customIdentifiers.default, because: 'customIdentifiers.default' };
  }
  const type = normaliseIdentifier(detection.type);
  const exact = policy.managedIdentifiers.get(type);
  if (exact) return { requirement: exact, because: `managedIdentifiers.${type}` };
  const pattern = policy.managedIdentifierPatterns.find(({ matcher }) => matcher.test(type));
  if (pattern) {
    return { requirement: pattern.requirement, because: `managedIdentifiers."${pattern.pattern}"` };
  }
  const category = normaliseIdentifier(detection.category);
  const byCategory = policy.categories.get(category);
  if (byCategory) return { requirement: byCategory, because: `categories.${category}` };
  return {
    requirement: policy.unknownCategory,
    because: `unknownCategory (the policy does not name category ${category})`,
  };
}

/** `Restricted`, or `forbidden` for types allowed at no level. */
export function describeRequirement(requirement: Requirement): string {
  return requirement.kind === 'forbidden' ? 'forbidden' : requirement.level;
}
