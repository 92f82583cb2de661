/**
 * Whatever types and object keys a bucket holds (any number, any Unicode), the
 * message published about it stays within SNS's 262,144 bytes, and the most
 * severe type is listed first.
 */
import fc from 'fast-check';
import { loadPolicy } from '../../../policies/load-policy';
import { type AlertFinding, composeAlert } from '../../../rules/alert';
import type { AlertRoute } from '../../../rules/alert-route';
import { assessBucket, type BucketState, type RecordedType } from '../../../rules/bucket-state';
import { boundMessage } from '../../../rules/message-bounds';
import { composeNotice, type NoticeDocument } from '../../../rules/notice';
import { evaluateFinding } from '../../../rules/verdict';
import { bytesOnTheWire } from '../../support/sns-bytes';
import { declared, finding, KEYS } from './finding-builder';

const policy = loadPolicy();
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:people-ops-alerts';
const route: AlertRoute = { kind: 'team', topicArn: TOPIC };

const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength, size: 'max' });

/** Types named in any Unicode, each with up to five example object keys. */
const recordedTypes = fc.array(
  fc.record({
    name: anyText(300),
    count: fc.integer({ min: 1, max: 1_000_000 }),
    examples: fc.array(anyText(300), { maxLength: 5 }),
  }),
  { maxLength: 1500, size: 'max' },
);

function bucketState(
  types: ReadonlyArray<{ name: string; count: number; examples: string[] }>,
  at: number,
): BucketState {
  const recorded = (type: string, category: string, count: number, examples: string[]) => ({
    type,
    category,
    custom: false,
    count,
    findings: 1,
    firstSeen: '2025-05-01T10:00:00.000Z',
    lastSeen: '2025-05-02T10:00:00.000Z',
    examples,
  });
  const entries: Array<[string, RecordedType]> = types.map(({ name, count, examples }, i) => {
    const type = `T${i}:${name}`;
    return [type, recorded(type, 'PERSONAL_INFORMATION', count, examples)];
  });
  // The one forbidden type, anywhere in the list, found once.
  entries.splice(Math.min(at, entries.length), 0, [
    'AWS_CREDENTIALS',
    recorded('AWS_CREDENTIALS', 'CREDENTIALS', 1, ['deploy.env']),
  ]);
  return {
    accountId: '111122223333',
    bucket: 'acme-hr-records',
    region: 'eu-west-1',
    partition: 'aws',
    declaration: {
      tags: { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'people-ops' },
      source: 'finding',
      readAt: '2025-05-02T10:00:00.000Z',
    },
    types: Object.fromEntries(entries),
    publiclyAccessible: false,
    findings: 1,
    findingsSinceNotice: 1,
  };
}

describe('the bound on a notice, for any types and object keys', () => {
  it('keeps it within 262,144 bytes with the forbidden type listed first', () => {
    let cut = 0;
    fc.assert(
      fc.property(recordedTypes, fc.nat({ max: 1500 }), (types, at) => {
        const state = bucketState(types, at);
        const message = boundMessage(
          composeNotice({
            state,
            assessment: assessBucket(state, policy, KEYS, () => undefined),
            decision: { kind: 'violation', changes: [] },
            route,
            trigger: { kind: 'tag-change' },
            levels: policy.levels,
            keys: KEYS,
          }),
        );

        expect(bytesOnTheWire(message)).toBeLessThanOrEqual(262_144);
        const document = message.document as NoticeDocument;
        expect(document.violations[0]?.type).toBe('AWS_CREDENTIALS');
        expect(message.text).toContain(
          '  - AWS_CREDENTIALS (CREDENTIALS): forbidden at every level',
        );
        if (document.violationsNotListed) {
          cut++;
          expect(document.violations.length + document.violationsNotListed.types).toBe(
            types.length + 1,
          );
        }
      }),
      { numRuns: 10 },
    );
    // Some runs did reach the bound: their lists had to be cut.
    expect(cut).toBeGreaterThan(0);
  });
});

describe('the bound on a per-finding alert, for any custom identifiers', () => {
  const facts: AlertFinding = {
    id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    type: 'SensitiveData:S3Object/Multiple',
    accountId: '111122223333',
    region: 'eu-west-1',
    partition: 'aws',
    bucket: 'acme-hr-records',
    objectKey: 'exports/people.csv',
    sample: true,
  };

  it('keeps it within 262,144 bytes with the forbidden type listed first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: anyText(300), count: fc.integer({ min: 1, max: 99 }) }), {
          maxLength: 3000,
          size: 'max',
        }),
        (custom) => {
          const verdict = evaluateFinding(
            finding({
              managed: [{ type: 'AWS_CREDENTIALS', category: 'CREDENTIALS', count: 1 }],
              custom: custom.map(({ name, count }, i) => ({ name: `C${i}:${name}`, count })),
            }),
            declared('Public', { Team: 'people-ops' }),
            policy,
            KEYS,
          );
          if (verdict.kind !== 'violation')
            throw new Error(`expected a violation: ${verdict.kind}`);

          const message = boundMessage(composeAlert(facts, verdict, route, policy.levels));

          expect(bytesOnTheWire(message)).toBeLessThanOrEqual(262_144);
          const document = message.document as { violations: Array<{ type: string }> };
          expect(document.violations[0]?.type).toBe('AWS_CREDENTIALS');
        },
      ),
      { numRuns: 8 },
    );
  });
});
