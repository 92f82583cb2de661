import {
  categoryOfManagedIdentifier,
  knownManagedIdentifiers,
} from '../policies/managed-identifiers';
import { normaliseIdentifier, type Policy } from '../policies/policy';
import { policyJsonSchema } from '../policies/policy-file-schema';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import { CUSTOM_IDENTIFIER_CATEGORY } from '../rules/detected-types';
import { requirementFor } from '../rules/required-level';
import { alternatives, closest } from './cli-suggest';
import { UsageError } from './usage-error';

/** `policy validate`: a short account of a valid policy, with the policies it extends. */
export function describePolicy(policy: Policy): string {
  const patterns = policy.managedIdentifierPatterns.length;
  const parents = policy.extends ?? [];
  return inertLines([
    `${inert(policy.source, MAX_MESSAGE)}: valid policy`,
    ...(parents.length === 0
      ? []
      : [`  extends: ${parents.map((parent) => inert(parent, MAX_MESSAGE)).join(' -> ')}`]),
    `  levels (lowest first): ${policy.levels.map((level) => inert(level)).join(' < ')}`,
    `  ${policy.categories.size} categories, ${policy.managedIdentifiers.size} managed identifiers and ${patterns} pattern${patterns === 1 ? '' : 's'} named, ${policy.customIdentifiers.byName.size} custom identifiers named`,
  ]);
}

export interface ExplainOptions {
  readonly category?: string;
  readonly custom?: boolean;
}

/**
 * `policy explain TYPE`: which level a type needs and which policy entry says
 * so. A managed identifier's category comes from Macie's published list unless
 * `--category` gives it.
 *
 * @throws UsageError for a managed identifier that is neither in Macie's list
 *   nor named by the policy, and no `--category`: most likely a typo, so the
 *   closest known names are suggested.
 */
export function explainType(policy: Policy, type: string, options: ExplainOptions = {}): string {
  const custom = options.custom ?? false;
  const category = custom
    ? CUSTOM_IDENTIFIER_CATEGORY
    : (options.category ?? categoryOfManagedIdentifier(type));
  if (
    !custom &&
    category === undefined &&
    !policy.managedIdentifiers.has(normaliseIdentifier(type))
  ) {
    throw new UsageError(unknownTypeMessage(policy, type));
  }
  const { requirement, because } = requirementFor(policy, {
    type,
    category: category ?? '',
    custom,
  });
  const needs =
    requirement.kind === 'forbidden'
      ? 'is forbidden at every level'
      : `needs a bucket declared ${requirement.level} or higher`;
  const lines = [`${inert(type)} ${needs}.`, `  decided by: ${inert(because)}`];
  if (custom) lines.push('  kind: custom data identifier (matched by name)');
  else if (category) {
    lines.push(`  category: ${inert(category)}${options.category ? ' (given)' : ''}`);
  } else {
    lines.push(
      '  category: unknown (not in the list of Macie managed data identifiers; give --category, or --custom for a custom identifier)',
    );
  }
  if (requirement.kind === 'level') {
    const allowed = policy.levels.slice(requirement.rank);
    lines.push(`  allowed in buckets declared: ${allowed.join(', ')}`);
  }
  lines.push(`  policy: ${inert(policy.source, MAX_MESSAGE)}`);
  return inertLines(lines);
}

function unknownTypeMessage(policy: Policy, type: string): string {
  const known = new Set([
    ...knownManagedIdentifiers().map((identifier) => identifier.type),
    ...policy.managedIdentifiers.keys(),
  ]);
  const word = normaliseIdentifier(type);
  // Close in spelling; else, for a part of a name (PASSPORT), the shortest names holding it.
  const close = closest(word, known);
  const suggestions =
    close.length > 0 || word.length < 3
      ? close
      : [...known]
          .filter((name) => name.includes(word))
          .sort((a, b) => a.length - b.length || a.localeCompare(b))
          .slice(0, 3);
  const hint = suggestions.length === 0 ? '' : ` Did you mean ${alternatives(suggestions)}?`;
  return `unknown data type "${inert(type)}": not in the list of Macie managed data identifiers, nor named by the policy ${inert(policy.source, MAX_MESSAGE)}.${hint} For an identifier missing from the list give --category CATEGORY; for a custom data identifier, --custom.`;
}

/** `policy schema`: the JSON Schema of policy files. */
export function policySchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
