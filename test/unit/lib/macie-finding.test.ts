import fc from 'fast-check';
import { FindingParseError } from '../../../lib/errors';
import {
  type Finding,
  parseFinding,
  parseFindings,
  tagsOfFinding,
} from '../../../lib/macie-finding';
import { loadMacieEvent, loadMacieLines } from '../../support/fixtures';
import { mutantsOf } from '../../support/mutations';
import { outcomeOf, rejectionOf } from '../../support/parse-outcome';

function findingOf(item: unknown): Finding {
  if (item instanceof FindingParseError)
    throw new Error(`expected a finding, got: ${item.message}`);
  return (item as { finding: Finding }).finding;
}

describe('parseFinding', () => {
  describe('accepted shapes', () => {
    it('parses the finding inside an EventBridge "Macie Finding" event and keeps the envelope', () => {
      const event = loadMacieEvent('sensitive-multiple-categories.json');

      const parsed = parseFinding(event);

      expect(parsed.finding.id).toBe(event.detail.id);
      expect(parsed.finding.resourcesAffected.s3Bucket.name).toBe('team-b-crm');
      expect(parsed.envelope).toEqual({
        id: event.id,
        account: event.account,
        region: event.region,
        time: event.time,
      });
    });

    it("keeps the envelope's account apart from the finding's (administrator vs member)", () => {
      const event = loadMacieEvent('cross-account.json');

      const parsed = parseFinding(event);

      expect(parsed.envelope?.account).toBe('111122223333');
      expect(parsed.finding.accountId).toBe('444455556666');
    });

    it('parses a bare finding, which has no envelope', () => {
      const { detail } = loadMacieEvent('sensitive-financial.json');

      const parsed = parseFinding(detail);

      expect(parsed.envelope).toBeUndefined();
      expect(parsed.finding.id).toBe(detail.id);
      expect(parsed.finding.resourcesAffected.s3Bucket.name).toBe('team-a-ledger');
    });

    it('reads a discovery-result line, whose numbers are JSON strings, as numbers', () => {
      const [line] = loadMacieLines('discovery-result.jsonl');
      const rawDetection = (
        line.classificationDetails as {
          result: { sensitiveData: { detections: { type: string; count: unknown }[] }[] };
        }
      ).result.sensitiveData[0]?.detections[0];

      const { finding } = parseFinding(line);

      expect(typeof rawDetection?.count).toBe('string');
      const detection = finding.classificationDetails?.result?.sensitiveData[0]?.detections[0];
      expect(detection).toEqual({ type: rawDetection?.type, count: Number(rawDetection?.count) });
      expect(finding.severity?.score).toBe(3);
    });

    it('defaults archived and sample to false when a discovery result has neither', () => {
      const [line] = loadMacieLines('discovery-result.jsonl');

      const { finding } = parseFinding(line);

      expect(line).not.toHaveProperty('archived');
      expect(line).not.toHaveProperty('sample');
      expect(finding.archived).toBe(false);
      expect(finding.sample).toBe(false);
    });

    it('tolerates fields it does not know, and drops them', () => {
      const event = loadMacieEvent('sensitive-financial.json');
      event.detail.futureField = { nested: [1, 2, 3] };
      event.detail.resourcesAffected.s3Bucket.futureBucketField = 'x';

      const { finding } = parseFinding(event);

      expect(finding.resourcesAffected.s3Bucket.name).toBe('team-a-ledger');
      expect(finding).not.toHaveProperty('futureField');
      expect(finding.resourcesAffected.s3Bucket).not.toHaveProperty('futureBucketField');
    });
  });

  describe('rejected input', () => {
    it('rejects an event from another service, naming its source and detail-type', () => {
      const event = loadMacieEvent('not-macie.json');

      const error = rejectionOf(FindingParseError, () => parseFinding(event));

      expect(error.message).toContain('not a Macie finding event');
      expect(error.message).toContain('"aws.guardduty"');
      expect(error.message).toContain('"GuardDuty Finding"');
    });

    it.each([
      ['the text "true"', 'true'],
      ['the text "false"', 'false'],
      ['the number 1', 1],
      ['the number 0', 0],
    ])('rejects a sample flag of %s, naming detail.sample', (_, sample) => {
      const event = loadMacieEvent('sample-true.json');
      (event.detail as Record<string, unknown>).sample = sample;

      const error = rejectionOf(FindingParseError, () => parseFinding(event));

      expect(error.problems).toEqual([
        expect.stringMatching(/^detail\.sample: .*expected boolean/),
      ]);
    });

    it('reads a sample flag of true as a sample', () => {
      const event = loadMacieEvent('sample-true.json');

      expect(parseFinding(event).finding.sample).toBe(true);
    });

    it('reads a sample flag of false as no sample', () => {
      const event = loadMacieEvent('sample-true.json');
      (event.detail as Record<string, unknown>).sample = false;

      expect(parseFinding(event).finding.sample).toBe(false);
    });

    it('names detail.resourcesAffected.s3Bucket.name when the bucket has no name', () => {
      const event = loadMacieEvent('missing-bucket-name.json');

      const error = rejectionOf(FindingParseError, () => parseFinding(event));

      expect(error.problems).toEqual(['detail.resourcesAffected.s3Bucket.name: is required']);
      expect(error.message).toContain('detail.resourcesAffected.s3Bucket.name: is required');
    });

    it('names the path of a count that is not a non-negative integer', () => {
      const [line] = loadMacieLines('discovery-result.jsonl');
      const result = (line.classificationDetails as { result: { sensitiveData: unknown[] } })
        .result;
      result.sensitiveData = [
        { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: '3.5' }] },
      ];

      const error = rejectionOf(FindingParseError, () => parseFinding(line));

      expect(error.message).toContain(
        'classificationDetails.result.sensitiveData.0.detections.0.count',
      );
    });

    it('rejects an EventBridge event without a detail-type, naming the field', () => {
      const event = loadMacieEvent('sensitive-financial.json');
      Reflect.deleteProperty(event, 'detail-type');

      const error = rejectionOf(FindingParseError, () => parseFinding(event));

      expect(error.message).toContain('malformed EventBridge event');
      expect(error.problems.join('\n')).toContain('detail-type: is required');
    });

    it.each([
      [null, 'null'],
      ['a finding', 'a string'],
      [[], 'an array'],
      [42, 'a number'],
    ])('rejects %p, saying it got %s', (value, described) => {
      const error = rejectionOf(FindingParseError, () => parseFinding(value));

      expect(error.message).toBe(`expected a Macie finding object, got ${described}`);
    });
  });
});

describe('tagsOfFinding', () => {
  it('gives undefined when Macie could not read the tags (tags null)', () => {
    const event = loadMacieEvent('sensitive-tags-null.json');
    const { finding } = parseFinding(event);

    const tags = tagsOfFinding(finding);

    expect(event.detail.resourcesAffected.s3Bucket.tags).toBeNull();
    expect(tags).toBeUndefined();
  });

  it('gives undefined when the bucket has no tags (tags [])', () => {
    const event = loadMacieEvent('sensitive-tags-empty.json');
    const { finding } = parseFinding(event);

    const tags = tagsOfFinding(finding);

    expect(event.detail.resourcesAffected.s3Bucket.tags).toEqual([]);
    expect(tags).toBeUndefined();
  });

  it('maps the [{key, value}] list to a record, keeping values untrimmed', () => {
    const { finding } = parseFinding(loadMacieEvent('sensitive-financial.json'));

    const tags = tagsOfFinding(finding);

    expect(tags).toEqual({
      DataClassification: '  confidential ',
      SupportSNSTopic: 'arn:aws:sns:us-east-1:111122223333:team-a-alerts',
      Team: 'team-a',
    });
  });

  it('reads a tag whose value is null as an empty string', () => {
    const event = loadMacieEvent('sensitive-financial.json');
    event.detail.resourcesAffected.s3Bucket.tags = [{ key: 'macie:exempt', value: null }];
    const { finding } = parseFinding(event);

    const tags = tagsOfFinding(finding);

    expect(tags).toEqual({ 'macie:exempt': '' });
  });
});

describe('parseFindings', () => {
  it('splits `aws macie2 get-findings` output into its findings, located by pointer', () => {
    const first = loadMacieEvent('sensitive-financial.json').detail;
    const second = loadMacieEvent('sensitive-multiple-categories.json').detail;

    const items = parseFindings({ findings: [first, second] });

    expect(items.map(({ pointer }) => pointer)).toEqual(['/findings/0', '/findings/1']);
    expect(items.map(({ item }) => findingOf(item).id)).toEqual([first.id, second.id]);
  });

  it('splits an array of events into its findings', () => {
    const events = [
      loadMacieEvent('sensitive-financial.json'),
      loadMacieEvent('cross-account.json'),
    ];

    const items = parseFindings(events);

    expect(items.map(({ pointer }) => pointer)).toEqual(['/0', '/1']);
    expect(items.map(({ item }) => findingOf(item).resourcesAffected.s3Bucket.name)).toEqual([
      'team-a-ledger',
      'member-shared-drop',
    ]);
  });

  it('gives a single event the empty pointer', () => {
    const items = parseFindings(loadMacieEvent('sample-true.json'));

    expect(items).toHaveLength(1);
    expect(items[0]?.pointer).toBe('');
    expect(findingOf(items[0]?.item).sample).toBe(true);
  });

  it('still parses the good items when one item is bad', () => {
    const events = [
      loadMacieEvent('sensitive-financial.json'),
      loadMacieEvent('missing-bucket-name.json'),
      loadMacieEvent('cross-account.json'),
    ];

    const items = parseFindings(events);

    expect(items).toHaveLength(3);
    expect(findingOf(items[0]?.item).resourcesAffected.s3Bucket.name).toBe('team-a-ledger');
    expect(items[1]?.pointer).toBe('/1');
    expect(items[1]?.item).toBeInstanceOf(FindingParseError);
    expect(findingOf(items[2]?.item).resourcesAffected.s3Bucket.name).toBe('member-shared-drop');
  });

  it('gives nothing for an empty findings list', () => {
    const items = parseFindings({ findings: [] });

    expect(items).toEqual([]);
  });
});

describe('parsing arbitrary input', () => {
  /**
   * Mutants of `original` whose replacements include values near the edges of what the
   * parser accepts: empty, numbers as text, negative and fractional counts.
   */
  function mutants(original: unknown): fc.Arbitrary<unknown> {
    return mutantsOf(original, [null, '', '-1', '1.5', -1, 0.5, [], {}, true]);
  }

  /** `parsed`, `rejected` (a FindingParseError), or what else happened. */
  function outcomeOfParsing(value: unknown): string {
    return outcomeOf(FindingParseError, () => parseFinding(value));
  }

  const event = loadMacieEvent('sensitive-multiple-categories.json');
  const [discoveryResult] = loadMacieLines('discovery-result.jsonl');
  const inputs: [string, fc.Arbitrary<unknown>][] = [
    ['any value', fc.anything()],
    ['any JSON value', fc.json().map((text): unknown => JSON.parse(text))],
    ['a mutated EventBridge event', mutants(event)],
    ['a mutated discovery result', mutants(discoveryResult)],
  ];

  it.each(inputs)('parseFinding returns or throws a FindingParseError for %s', (_, input) => {
    fc.assert(
      fc.property(input, (value) => {
        expect(['parsed', 'rejected']).toContain(outcomeOfParsing(value));
      }),
      { numRuns: 300 },
    );
  });

  it.each(inputs)('parseFindings never throws for %s', (_, input) => {
    fc.assert(
      fc.property(input, (value) => {
        expect(() => parseFindings(value)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('mutates events into both accepted and rejected ones, so the property is not vacuous', () => {
    const samples = fc.sample(mutants(event), { numRuns: 300, seed: 42 });

    const outcomes = new Set(samples.map(outcomeOfParsing));

    expect(outcomes).toEqual(new Set(['parsed', 'rejected']));
  });
});
