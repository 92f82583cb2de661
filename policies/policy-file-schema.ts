import { z } from 'zod';
import { withinPatternLimits } from './data-file-limits';
import { SEVERITIES } from './policy';

/** The word that marks a type as allowed at no level. */
export const FORBIDDEN = 'forbidden';

const levelReference = z
  .string()
  .trim()
  .min(1)
  .describe(
    `A level name or alias from \`levels\`, or "${FORBIDDEN}" for data allowed at no level.`,
  );

const severity = z.enum(SEVERITIES);

const categoryKey = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case Macie category such as PERSONAL_INFORMATION');

const managedIdentifierKey = withinPatternLimits(
  z
    .string()
    .regex(
      /^[A-Z0-9_()*]+$/,
      'must be an upper-case Macie ID such as CREDIT_CARD_NUMBER, or a pattern with * such as *_PASSPORT_NUMBER',
    ),
);

const level = z.strictObject({
  name: z.string().trim().min(1).describe('The value teams put in the classification tag.'),
  aliases: z
    .array(z.string().trim().min(1))
    .default([])
    .describe('Other tag values accepted for this level (matched case-insensitively).'),
  description: z.string().optional(),
});

/** The value of `extends` that names the policy shipped with the project. */
export const DEFAULT_PARENT = 'default';

/**
 * The policy file as people write it. Unknown keys are errors, so a typo is
 * reported rather than silently ignored. A file that `extends` another is
 * checked after it is merged with its parents (see `policy-chain.ts`), so what
 * is required here may come from a parent.
 */
export const policyFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    extends: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe(
        `The policy this one changes: "${DEFAULT_PARENT}" (the policy shipped with the project) or a path relative to this file. Maps merge key by key; lists and single values given here replace the parent's.`,
      ),
    description: z.string().optional(),
    levels: z
      .array(level)
      .min(2)
      .describe('Classification levels, lowest first. Tag values must name one of these.'),
    categories: z
      .record(categoryKey, levelReference)
      .describe('Minimum level for each Macie category (FINANCIAL_INFORMATION, ...).'),
    unknownCategory: levelReference.describe('Minimum level for a category not named above.'),
    managedIdentifiers: z
      .record(managedIdentifierKey, levelReference)
      .default({})
      .describe(
        'Per managed data identifier minimums, overriding the category. A key with * is a pattern; an exact ID wins over patterns, and a more specific pattern over a less specific one.',
      ),
    customIdentifiers: z
      .strictObject({
        default: levelReference.describe('Minimum level for custom data identifiers.'),
        byName: z
          .record(z.string().trim().min(1), levelReference)
          .default({})
          .describe('Per custom data identifier (by name) minimums.'),
      })
      .describe('Custom data identifiers, matched by name case-insensitively.'),
    severity: z
      .strictObject({
        levelGap: z
          .array(severity)
          .describe(
            'Severity by how many levels the data needs above the declared one: [gap 1, gap 2, ...].',
          ),
        forbidden: severity.describe('Severity when a forbidden type is found.'),
        unclassified: severity.describe('Severity when the bucket declares no valid level.'),
        publicExposureRaise: z
          .number()
          .int()
          .min(0)
          .max(SEVERITIES.length - 1)
          .describe('Steps a finding in a publicly accessible bucket is raised by.'),
      })
      .describe('How bad a violation is.'),
  })
  .describe('Bucket classification policy: which data each classification level may hold.');

export type PolicyFile = z.infer<typeof policyFileSchema>;

type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema of the policy file, for editors (`policies/policy.schema.json`).
 * A file with `extends` needs none of the keys (its parents give them), so the
 * keys required of a whole policy are required only when `extends` is absent.
 */
export function policyJsonSchema(): JsonSchema {
  const whole = z.toJSONSchema(policyFileSchema, { io: 'input' }) as JsonSchema;
  const { $schema, ...schema } = whole;
  return {
    $schema,
    ...withoutRequired(schema),
    if: { required: ['extends'] },
    else: requiredKeys(schema),
  };
}

/** The keys `schema` and the maps below it require, as a schema of its own. */
function requiredKeys(schema: JsonSchema): JsonSchema {
  const below = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)
    .filter(([, value]) => value.type === 'object')
    .map(([key, value]): [string, JsonSchema] => [key, requiredKeys(value)])
    .filter(([, value]) => Object.keys(value).length > 0);
  return {
    ...(schema.required === undefined ? {} : { required: schema.required }),
    ...(below.length === 0 ? {} : { properties: Object.fromEntries(below) }),
  };
}

/**
 * `schema` with no key required in it or in the maps below it, which merge with
 * the parent's key by key. Items of lists are left alone: a list given in a file
 * replaces its parent's whole, so each item must be complete.
 */
function withoutRequired(schema: JsonSchema): JsonSchema {
  const { required: _required, properties, ...rest } = schema;
  if (properties === undefined) return rest;
  const relaxed = Object.entries(properties as Record<string, JsonSchema>).map(
    ([key, value]): [string, JsonSchema] => [
      key,
      value.type === 'object' ? withoutRequired(value) : value,
    ],
  );
  return { ...rest, properties: Object.fromEntries(relaxed) };
}
