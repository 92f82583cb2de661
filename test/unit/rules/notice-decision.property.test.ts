import fc from 'fast-check';
import { loadPolicy } from '../../../policies/load-policy';
import { severityRank } from '../../../policies/policy';
import {
  assessBucket,
  type BucketAssessment,
  type BucketState,
  emptyState,
  type NoticeRecord,
  type RecordableFinding,
  recordFinding,
  withOpenSince,
} from '../../../rules/bucket-state';
import {
  decideNotice,
  type NoticeDecision,
  noticeRecord,
  withNotice,
} from '../../../rules/notice-decision';
import { finding, KEYS } from './finding-builder';

const policy = loadPolicy();
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const START = Date.parse('2025-05-01T00:00:00.000Z');
const HOUR = 3_600_000;
const REMINDER_AFTER_MS = 24 * HOUR;

/** Types of every kind of requirement: Confidential, Restricted, forbidden, a custom identifier. */
const TYPES = [
  { type: 'NAME', category: 'PERSONAL_INFORMATION' },
  { type: 'EMAIL_ADDRESS', category: 'PERSONAL_INFORMATION' },
  { type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' },
  { type: 'AWS_CREDENTIALS', category: 'CREDENTIALS' },
  { type: 'employee-id', category: 'CUSTOM_IDENTIFIER' },
] as const;
/** Every level, and a value that is not one (the bucket is then unclassified). */
const LEVELS = ['Public', 'Internal', 'Confidential', 'Restricted', 'Top Secret'] as const;

interface Step {
  readonly types: readonly (typeof TYPES)[number][];
  readonly counts: readonly number[];
  readonly public: boolean;
  /** Time since the previous finding. */
  readonly afterMs: number;
  readonly level: (typeof LEVELS)[number];
}

const step = fc.record({
  types: fc.subarray([...TYPES], { minLength: 1 }),
  counts: fc.array(fc.integer({ min: 1, max: 50 }), {
    minLength: TYPES.length,
    maxLength: TYPES.length,
  }),
  public: fc.boolean(),
  afterMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 36 * HOUR })),
  level: fc.constantFrom(...LEVELS),
});
const steps = fc.array(step, { minLength: 1, maxLength: 25 });

/** A finding of the step, created at `at`, whose snapshot carries the step's tags. */
function findingOf(s: Step, at: Date, index: number): RecordableFinding {
  const managed = s.types
    .map((t, i) => ({ ...t, count: s.counts[i] ?? 1 }))
    .filter((t) => t.category !== 'CUSTOM_IDENTIFIER');
  const custom = s.types
    .map((t, i) => ({ name: t.type, count: s.counts[i] ?? 1 }))
    .filter((_, i) => s.types[i]?.category === 'CUSTOM_IDENTIFIER');
  const base = finding({
    managed,
    custom,
    effectivePermission: s.public ? 'PUBLIC' : 'NOT_PUBLIC',
  });
  return {
    ...base,
    createdAt: at.toISOString(),
    resourcesAffected: { ...base.resourcesAffected, s3Object: { key: `objects/${index}.csv` } },
  };
}

const fresh = (): BucketState =>
  emptyState({
    accountId: '111122223333',
    bucket: 'team-a-bucket',
    region: 'us-east-1',
    partition: 'aws',
  });

interface Sent {
  readonly decision: NoticeDecision;
  /** The notice before this one. */
  readonly previous: NoticeRecord | undefined;
  readonly assessment: BucketAssessment;
}

/** What the team hears of a bucket's state. */
function stateOf(assessment: BucketAssessment): string {
  return JSON.stringify([
    assessment.verdict,
    assessment.severity ?? null,
    assessment.violations.map((v) => v.type).sort(),
    assessment.publiclyAccessible,
  ]);
}

/** The findings in time order, through the ledger's rules as the finding flow applies them. */
function track(all: readonly Step[], level?: Step['level']) {
  let state = fresh();
  let time = START;
  const sent: Sent[] = [];
  const states: string[] = [];
  all.forEach((s, index) => {
    time += s.afterMs;
    const now = new Date(time);
    const recorded = recordFinding(
      state,
      findingOf(s, now, index),
      {
        tags: { DataClassification: level ?? s.level, SupportSNSTopic: TOPIC },
        source: 'finding',
        readAt: now.toISOString(),
      },
      now,
    );
    const assessment = assessBucket(recorded, policy, KEYS, () => undefined);
    const next = withOpenSince(recorded, assessment, now);
    states.push(stateOf(assessment));
    const decision = decideNotice(next.lastNotice, assessment, {
      now,
      reminderAfterMs: REMINDER_AFTER_MS,
    });
    if (decision === undefined) {
      state = next;
      return;
    }
    sent.push({ decision, previous: next.lastNotice, assessment });
    state = withNotice(next, noticeRecord(`n-${index}`, decision, assessment, TOPIC, now));
  });
  return { state, sent, states };
}

describe('notices over a sequence of findings of one bucket', () => {
  it('never sends two violation notices without a resolution between them', () => {
    fc.assert(
      fc.property(steps, (all) => {
        const { sent } = track(all);

        let open = false;
        for (const { decision } of sent) {
          if (decision.kind === 'resolved') {
            expect(open).toBe(true);
            open = false;
          } else if (decision.kind === 'violation') {
            expect(open).toBe(false);
            open = true;
          } else {
            expect(open).toBe(true);
          }
        }
      }),
    );
  });

  it('escalates only when it got worse than the last notice said', () => {
    fc.assert(
      fc.property(steps, (all) => {
        const { sent } = track(all);

        for (const { decision, previous, assessment } of sent) {
          if (decision.kind !== 'escalation' || previous === undefined) continue;
          const rose =
            assessment.severity !== undefined &&
            (previous.severity === undefined ||
              severityRank(assessment.severity) > severityRank(previous.severity));
          const added = assessment.violations.some((v) => !previous.types.includes(v.type));
          const exposed = assessment.publiclyAccessible && !previous.publiclyAccessible;
          const lostDeclaration =
            previous.verdict === 'violation' && assessment.verdict === 'unclassified';
          expect(rose || added || exposed || lostDeclaration).toBe(true);
        }
      }),
    );
  });

  it('sends no more notices than the state changed, but for reminders', () => {
    fc.assert(
      fc.property(steps, (all) => {
        const { sent, states } = track(all);

        const clear = stateOf({
          verdict: 'clear',
          team: '',
          violations: [],
          waived: [],
          waiverExpired: [],
          publiclyAccessible: false,
        });
        const changes = states.filter((s, i) => s !== (i === 0 ? clear : states[i - 1])).length;
        const reminders = sent.filter(({ decision }) => decision.kind === 'reminder').length;
        expect(sent.length).toBeLessThanOrEqual(changes + reminders);
      }),
    );
  });

  // Under one declaration a bucket's types only grow, so a notice that is not a reminder
  // always tells a state not told before: no more notices than distinct states. A reminder
  // describes the state as it is now, and later notices are compared with it (a bucket that
  // went public, was recalled while private and went public again is told so again): the
  // bound holds between reminders. A lowered declaration may make old types news again.
  it('under one declaration, tells a state at most once between reminders', () => {
    fc.assert(
      fc.property(steps, fc.constantFrom(...LEVELS), (all, level) => {
        const { sent } = track(all, level);

        const told = new Set<string>();
        for (const { decision, assessment } of sent) {
          const state = stateOf(assessment);
          if (decision.kind === 'reminder') told.clear();
          else expect(told.has(state)).toBe(false);
          told.add(state);
        }
      }),
    );
  });

  it('under one declaration and without a reminder, sends no more notices than there were distinct states', () => {
    fc.assert(
      fc.property(
        fc.array(
          step.map((s) => ({ ...s, afterMs: Math.min(s.afterMs, HOUR) })),
          {
            minLength: 1,
            maxLength: 23,
          },
        ),
        fc.constantFrom(...LEVELS),
        (all, level) => {
          const { sent, states } = track(all, level);

          expect(sent.map(({ decision }) => decision.kind)).not.toContain('reminder');
          expect(sent.length).toBeLessThanOrEqual(new Set(states).size);
        },
      ),
    );
  });

  it('records the same counts whatever order the findings arrive in', () => {
    const timed = steps.map((all) => {
      let time = START;
      return all.map((s, index) => {
        time += s.afterMs;
        return findingOf(s, new Date(time), index);
      });
    });
    const shuffledPair = timed.chain((ordered) =>
      fc
        .shuffledSubarray(ordered, { minLength: ordered.length, maxLength: ordered.length })
        .map((shuffled) => [ordered, shuffled] as const),
    );
    const counts = (findings: readonly RecordableFinding[]) => {
      const now = new Date(START);
      const state = findings.reduce((s, f) => recordFinding(s, f, undefined, now), fresh());
      return {
        findings: state.findings,
        lastFindingAt: state.lastFindingAt,
        types: Object.fromEntries(
          Object.entries(state.types).map(([key, t]) => [
            key,
            { count: t.count, findings: t.findings, firstSeen: t.firstSeen, lastSeen: t.lastSeen },
          ]),
        ),
      };
    };

    fc.assert(
      fc.property(shuffledPair, ([ordered, shuffled]) => {
        expect(counts(shuffled)).toEqual(counts(ordered));
      }),
    );
  });
});
