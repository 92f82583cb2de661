import fc from 'fast-check';
import { loadPolicy } from '../../../policies/load-policy';
import { severityRank } from '../../../policies/policy';
import type { FindingInput } from '../../../rules/finding';
import { evaluateFinding, type Verdict } from '../../../rules/verdict';
import { declared, finding, KEYS } from './finding-builder';

const policy = loadPolicy();

/** Types across every kind of requirement: forbidden, each level, unknown type, unknown category. */
const detection = fc.record({
  type: fc.constantFrom(
    'AWS_CREDENTIALS',
    'NAME',
    'EMAIL_ADDRESS',
    'USA_SOCIAL_SECURITY_NUMBER',
    'UK_PASSPORT_NUMBER',
    'CREDIT_CARD_NUMBER',
    'CREDIT_CARD_EXPIRATION',
    'FUTURE_TYPE',
  ),
  category: fc.constantFrom(
    'PERSONAL_INFORMATION',
    'FINANCIAL_INFORMATION',
    'CREDENTIALS',
    'GENETIC_INFORMATION',
  ),
  count: fc.integer({ min: 1, max: 1000 }),
});
const customDetection = fc.record({
  name: fc.constantFrom('employee-id', 'project-codename'),
  count: fc.integer({ min: 1, max: 100 }),
});
const scenario = fc.record({
  managed: fc.array(detection, { maxLength: 8 }),
  custom: fc.array(customDetection, { maxLength: 3 }),
  effectivePermission: fc.constantFrom('PUBLIC', 'NOT_PUBLIC', 'UNKNOWN'),
});

function severityOf(verdict: Verdict): number {
  return verdict.kind === 'violation' ? severityRank(verdict.severity) : -1;
}

/** The severity of a violation or an unclassified bucket; -1 when nothing alerts. */
function alertingSeverity(verdict: Verdict): number {
  return verdict.kind === 'violation' || verdict.kind === 'unclassified'
    ? severityRank(verdict.severity)
    : -1;
}

function violatingTypes(verdict: Verdict): Set<string> {
  return new Set(
    verdict.kind === 'violation' || verdict.kind === 'unclassified'
      ? verdict.violations.map((v) => `${v.category}/${v.type}`)
      : [],
  );
}

describe('evaluateFinding properties', () => {
  it('never adds violations, nor raises severity, when the declared level goes up', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (input, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const found = finding(input);
          const atLow = evaluateFinding(found, declared(policy.levels[low] ?? ''), policy, KEYS);
          const atHigh = evaluateFinding(found, declared(policy.levels[high] ?? ''), policy, KEYS);

          const lowTypes = violatingTypes(atLow);
          for (const type of violatingTypes(atHigh)) expect(lowTypes.has(type)).toBe(true);
          expect(severityOf(atHigh)).toBeLessThanOrEqual(severityOf(atLow));
        },
      ),
    );
  });

  it('never lowers the severity when the classification tag is removed or invalidated', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom<Record<string, string>>({}, declared(''), declared('Top Secret')),
        (input, level, withoutLevel) => {
          const found = finding(input);
          const tagged = evaluateFinding(found, declared(policy.levels[level] ?? ''), policy, KEYS);
          const untagged = evaluateFinding(found, withoutLevel, policy, KEYS);

          expect(untagged.kind).toBe('unclassified');
          expect(alertingSeverity(untagged)).toBeGreaterThanOrEqual(alertingSeverity(tagged));
        },
      ),
    );
  });

  it('lists, for an unclassified bucket, exactly the types the lowest level does not allow', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const found = finding(input);
        const atLowest = evaluateFinding(found, declared(policy.levels[0] ?? ''), policy, KEYS);
        const untagged = evaluateFinding(found, {}, policy, KEYS);

        expect(violatingTypes(untagged)).toEqual(violatingTypes(atLowest));
      }),
    );
  });

  it('gives the same verdict whatever the order of detections', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 3 }),
        fc.infiniteStream(fc.nat()),
        (input, level, randomness) => {
          const found = finding(input);
          const shuffled = shuffleDetections(found, randomness);

          const tags = declared(policy.levels[level] ?? '');
          expect(evaluateFinding(shuffled, tags, policy, KEYS)).toEqual(
            evaluateFinding(found, tags, policy, KEYS),
          );
        },
      ),
    );
  });
});

/** Reorders categories, the detections inside each, and custom detections. */
function shuffleDetections(found: FindingInput, randomness: fc.Stream<number>): FindingInput {
  const next = randomness[Symbol.iterator]();
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = (next.next().value as number) % (i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };
  const result = found.classificationDetails?.result;
  return {
    ...found,
    classificationDetails: {
      result: {
        sensitiveData: shuffle(result?.sensitiveData ?? []).map((item) => ({
          ...item,
          detections: shuffle(item.detections),
        })),
        customDataIdentifiers: {
          detections: shuffle(result?.customDataIdentifiers?.detections ?? []),
        },
      },
    },
  };
}
