import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findingSchema } from '../../../lib/macie-finding';
import { fastFinding } from '../../../lib/macie-finding-fast';

const ROOT = path.resolve(__dirname, '../../..');

/** Every JSON value in the files of `dir` (recursively): each line of JSON Lines, each finding of an event. */
function valuesIn(dir: string): unknown[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
    if (!entry.isFile() || !/\.jsonl?$/.test(entry.name)) return [];
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    const documents = entry.name.endsWith('.jsonl') ? text.split('\n') : [text];
    return documents.flatMap((document) => {
      try {
        return [JSON.parse(document) as unknown];
      } catch {
        return [];
      }
    });
  });
}

/** The findings in a value: itself, an event's `detail`, each of `findings` or of an array (three deep). */
function findingsIn(value: unknown, depth = 0): unknown[] {
  if (depth > 3) return [];
  if (Array.isArray(value)) return value.flatMap((item) => findingsIn(item, depth + 1));
  if (typeof value !== 'object' || value === null) return [value];
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.findings)) {
    return record.findings.flatMap((item) => findingsIn(item, depth + 1));
  }
  return 'detail' in record ? [record.detail] : [record];
}

const EXAMPLES = valuesIn(path.join(ROOT, 'examples', 'findings')).flatMap((value) =>
  findingsIn(value),
);
const EVENTS = valuesIn(path.join(ROOT, 'test', 'events')).flatMap((value) => findingsIn(value));

/** Values put in place of a field to break it, or to take the other side of a rule. */
const REPLACEMENTS: readonly unknown[] = [
  undefined,
  null,
  '',
  'x',
  '12',
  '-1',
  '1.5',
  ' 3',
  0,
  7,
  -1,
  1.5,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  true,
  false,
  [],
  [{}],
  {},
];

/** Every path to a field (object key or array index) in `value`. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const keys: (string | number)[] = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value);
  return keys.flatMap((key) => [
    [...at, key],
    ...paths((value as Record<string | number, unknown>)[key], [...at, key]),
  ]);
}

/** A copy of `value` with the field at `where` set to `replacement` (deleted when `deleted`). */
function changed(
  value: unknown,
  where: (string | number)[],
  replacement: unknown,
  deleted: boolean,
) {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of where.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = where[where.length - 1] as string | number;
  if (deleted) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** The fast reading either gives up or agrees with the schema, key order included. */
function expectAgreement(value: unknown): 'fast' | 'schema' {
  const fast = fastFinding(value);
  if (fast === undefined) return 'schema';
  const schema = findingSchema.safeParse(value);
  expect(schema.success).toBe(true);
  expect(fast).toStrictEqual(schema.data);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.data));
  return 'fast';
}

describe('fastFinding', () => {
  it('reads the example findings itself, as the schema reads them', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(11);
    for (const finding of EXAMPLES) expect(expectAgreement(finding)).toBe('fast');
  });

  it('agrees with the schema on every finding among the test events, good and bad', () => {
    const outcomes = EVENTS.map(expectAgreement);
    expect(outcomes).toContain('fast');
    expect(outcomes).toContain('schema');
  });

  it('gives up, or agrees with the schema, when any one field is deleted or replaced', () => {
    const finding = EXAMPLES.find(
      (value) =>
        (value as { resourcesAffected?: { s3Object?: unknown } }).resourcesAffected?.s3Object,
    );
    let fast = 0;
    let schema = 0;
    for (const where of paths(finding)) {
      for (const outcome of [
        expectAgreement(changed(finding, where, undefined, true)),
        ...REPLACEMENTS.map((replacement) =>
          expectAgreement(changed(finding, where, replacement, false)),
        ),
      ]) {
        if (outcome === 'fast') fast++;
        else schema++;
      }
    }
    // Both sides are taken: the comparison above is not empty on either.
    expect(fast).toBeGreaterThan(100);
    expect(schema).toBeGreaterThan(100);
  });

  it('normalises as the schema does: counts as numbers, defaults, null tag values, unknown fields dropped', () => {
    const finding = fastFinding({
      id: 'f-1',
      type: 'SensitiveData:S3Object/Personal',
      accountId: '111122223333',
      region: 'eu-west-1',
      unknownField: 'dropped',
      severity: { score: '3', description: 'High' },
      classificationDetails: {
        result: {
          sensitiveData: [
            { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: '12' }] },
          ],
          customDataIdentifiers: null,
        },
      },
      resourcesAffected: {
        s3Bucket: { name: 'bucket-a', tags: [{ key: 'DataClassification', value: null }] },
      },
    });
    expect(finding).toStrictEqual({
      id: 'f-1',
      type: 'SensitiveData:S3Object/Personal',
      accountId: '111122223333',
      region: 'eu-west-1',
      partition: 'aws',
      archived: false,
      sample: false,
      severity: { score: 3, description: 'High' },
      classificationDetails: {
        result: {
          sensitiveData: [
            { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: 12 }] },
          ],
          customDataIdentifiers: null,
        },
      },
      resourcesAffected: {
        s3Bucket: { name: 'bucket-a', tags: [{ key: 'DataClassification', value: '' }] },
      },
    });
  });

  it.each([
    ['an empty id', { id: '' }],
    ['a negative count', { count: -1 }],
    ['a count past the safe integers', { count: 2 ** 53 }],
    ['a null partition', { partition: null }],
    ['a string archived', { archived: 'false' }],
  ])('leaves %s to the schema', (_, change) => {
    const base = EXAMPLES[0] as Record<string, unknown>;
    expect(fastFinding(base)).toBeDefined();
    expect(fastFinding({ ...base, ...change })).toBeUndefined();
  });

  it('reads the largest safe count and a zero count itself', () => {
    const base = EXAMPLES[0] as Record<string, unknown>;
    expect(fastFinding({ ...base, count: 2 ** 53 - 1 })?.count).toBe(9007199254740991);
    expect(fastFinding({ ...base, count: 0 })?.count).toBe(0);
  });
});
