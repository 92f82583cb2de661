/**
 * The parser and the checker against real Macie output kept outside the repo
 * (see shared/fixtures/macie/PROVENANCE.md). Expectations are computed here from
 * each file's raw JSON, without the project's parser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckResult } from '../../../bin/check-result';
import { type InputRecord, readInputs } from '../../../bin/read-inputs';
import { FindingParseError } from '../../../lib/errors';
import type { Finding } from '../../../lib/macie-finding';
import { numberedByFile, runCli } from '../../support/cli';
import { clearEnv } from '../../support/env';
import { useTempDir } from '../../support/temp-dir';

const SAMPLES_DIR = path.resolve(__dirname, '../../../../shared/fixtures/macie');
/** Reference data, not findings: botocore's shapes of the Macie API. */
const NOT_FINDINGS = /^botocore-/;
/** Siemplify's "Get Findings" output: `[{Entity, EntityResult: <finding>}]`, that integration's wrapper. */
const SIEMPLIFY =
  'finding_getfindings_SensitiveData-S3Object-Personal_siemplify-readme-2020.verbatim.json';
/** The one sample whose bucket carries a DataClassification tag (Confidential). */
const TAGGED_CONFIDENTIAL =
  'eventbridge_SensitiveData-S3Object-Financial_ASSEMBLED_from-reveal-csv+docs.json';

type Raw = { [key: string]: unknown };

function field(value: unknown, ...keys: string[]): unknown {
  let at = value;
  for (const key of keys) {
    at = typeof at === 'object' && at !== null && !Array.isArray(at) ? (at as Raw)[key] : undefined;
  }
  return at;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Every JSON value in a file: the document, or each non-blank line of JSON Lines. */
function rawValuesOf(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.jsonl')) return [JSON.parse(text)];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): unknown => JSON.parse(line));
}

/** The Macie findings in a raw value: arrays and `{findings}` unwrapped, `detail ?? finding`. */
function rawFindingsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(rawFindingsIn);
  const findings = field(value, 'findings');
  if (Array.isArray(findings)) return findings.flatMap(rawFindingsIn);
  return [field(value, 'detail') ?? value];
}

interface Identity {
  readonly bucket: unknown;
  readonly types: string[];
}

function identityOfRaw(finding: unknown): Identity {
  const result = field(finding, 'classificationDetails', 'result');
  const managed = list(field(result, 'sensitiveData')).flatMap((item) =>
    list(field(item, 'detections')).map((detection) => String(field(detection, 'type'))),
  );
  const custom = list(field(result, 'customDataIdentifiers', 'detections')).map((detection) =>
    String(field(detection, 'name')),
  );
  return {
    bucket: field(finding, 'resourcesAffected', 's3Bucket', 'name'),
    types: [...new Set([...managed, ...custom])].sort(),
  };
}

function identityOfParsed(finding: Finding): Identity {
  const result = finding.classificationDetails?.result;
  const managed = (result?.sensitiveData ?? []).flatMap((item) =>
    item.detections.map((d) => d.type),
  );
  const custom = (result?.customDataIdentifiers?.detections ?? []).map((d) => d.name);
  return {
    bucket: finding.resourcesAffected.s3Bucket.name,
    types: [...new Set([...managed, ...custom])].sort(),
  };
}

async function readAll(inputs: readonly string[]): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const record of readInputs(inputs)) records.push(record);
  return records;
}

const names = existsSync(SAMPLES_DIR) ? readdirSync(SAMPLES_DIR).sort() : undefined;

if (names === undefined) {
  describe('real Macie samples', () => {
    it('are missing only outside CI, so CI can never skip them', () => {
      expect(process.env.CI).toBeUndefined();
    });
  });
} else {
  const findingFiles = names.filter((n) => /\.jsonl?$/.test(n) && !NOT_FINDINGS.test(n));
  const truncatedFiles = names.filter((n) => n.endsWith('_TRUNCATED.txt'));
  const samplePath = (name: string): string => path.join(SAMPLES_DIR, name);
  const siemplifyFindings = (): unknown[] =>
    list(JSON.parse(readFileSync(samplePath(SIEMPLIFY), 'utf8'))).map((entry) =>
      field(entry, 'EntityResult'),
    );

  describe('real Macie samples', () => {
    const dir = useTempDir();

    it('include the files these tests are written around', () => {
      expect(findingFiles).toContain(SIEMPLIFY);
      expect(findingFiles).toContain(TAGGED_CONFIDENTIAL);
      expect(truncatedFiles).toHaveLength(2);
    });

    it('have a DataClassification tag only in the Financial sample', () => {
      const tagged = findingFiles.filter((name) =>
        rawValuesOf(samplePath(name))
          .flatMap(rawFindingsIn)
          .some((finding) =>
            list(field(finding, 'resourcesAffected', 's3Bucket', 'tags')).some(
              (tag) => field(tag, 'key') === 'DataClassification',
            ),
          ),
      );

      expect(tagged).toEqual([TAGGED_CONFIDENTIAL]);
    });

    describe('readInputs', () => {
      it.each(findingFiles)('reads %s with the buckets and types its JSON holds', async (name) => {
        const raw =
          name === SIEMPLIFY
            ? siemplifyFindings()
            : rawValuesOf(samplePath(name)).flatMap(rawFindingsIn);
        const file =
          name === SIEMPLIFY
            ? dir.write('siemplify-unwrapped.json', JSON.stringify(raw, null, 2))
            : samplePath(name);

        const records = await readAll([file]);

        const parsed = records.map(({ source, result }) =>
          result instanceof FindingParseError
            ? `${source}: ${result.message}`
            : identityOfParsed(result.finding),
        );
        expect(raw.length).toBeGreaterThan(0);
        expect(parsed).toEqual(raw.map(identityOfRaw));
      });

      it.each(truncatedFiles)('reports %s as unreadable at a line', async (name) => {
        const file = samplePath(name);
        const lineCount = readFileSync(file, 'utf8').split('\n').length;

        const records = await readAll([file]);

        expect(records).toHaveLength(1);
        const [{ source, result } = { source: '', result: undefined }] = records;
        expect(result).toBeInstanceOf(FindingParseError);
        expect((result as FindingParseError).message).toMatch(/^invalid JSON: /);
        expect(source.startsWith(`${file}:`)).toBe(true);
        const line = Number(source.slice(file.length + 1));
        expect(line).toBeGreaterThanOrEqual(1);
        expect(line).toBeLessThanOrEqual(lineCount);
      });
    });

    describe('check on the samples directory', () => {
      interface Expected {
        readonly file: string;
        readonly n: number;
        readonly bucket: unknown;
        readonly verdict: CheckResult['verdict'];
        readonly severity: CheckResult['severity'];
        readonly declaredLevel: string | null;
        readonly sample: boolean;
      }

      /** What the default policy makes of a raw finding, given the rules in examples/README.md. */
      function expectedVerdict(name: string, finding: unknown): Omit<Expected, 'file' | 'n'> {
        const bucket = field(finding, 'resourcesAffected', 's3Bucket', 'name');
        const sample = field(finding, 'sample') === true;
        if (String(field(finding, 'type')).startsWith('Policy:')) {
          return { bucket, verdict: 'ignored', severity: null, declaredLevel: null, sample };
        }
        if (name === TAGGED_CONFIDENTIAL) {
          // CREDIT_CARD_NUMBER needs Restricted: one level above Confidential.
          return {
            bucket,
            verdict: 'violation',
            severity: 'Medium',
            declaredLevel: 'Confidential',
            sample,
          };
        }
        const isPublic =
          field(finding, 'resourcesAffected', 's3Bucket', 'publicAccess', 'effectivePermission') ===
          'PUBLIC';
        const sensitiveData = list(
          field(finding, 'classificationDetails', 'result', 'sensitiveData'),
        );
        const hasCredentials = sensitiveData.some(
          (item) => field(item, 'category') === 'CREDENTIALS',
        );
        // Judged as if declared Public: a Restricted type is three levels above it, and
        // card security codes and magnetic stripe data are forbidden (PCI DSS 3.3.1).
        const holds = (types: readonly string[]) =>
          sensitiveData.some((item) =>
            list(field(item, 'detections')).some((detection) =>
              types.includes(String(field(detection, 'type'))),
            ),
          );
        const hasRestricted = holds(['CREDIT_CARD_NUMBER', 'USA_SOCIAL_SECURITY_NUMBER']);
        const hasSensitiveAuthenticationData = holds([
          'CREDIT_CARD_SECURITY_CODE',
          'CREDIT_CARD_MAGNETIC_STRIPE',
        ]);
        return {
          bucket,
          verdict: 'unclassified',
          severity:
            isPublic || hasCredentials || hasRestricted || hasSensitiveAuthenticationData
              ? 'Critical'
              : 'High',
          declaredLevel: null,
          sample,
        };
      }

      // Several samples hold the same finding in other shapes (an event and GetFindings
      // output): a run judges an id once, the copy in the file read first (name order).
      const judgedIds = new Set<unknown>();
      let duplicates = 0;
      const firstCopy = (finding: unknown): boolean => {
        const id = field(finding, 'id');
        if (judgedIds.has(id)) {
          duplicates++;
          return false;
        }
        judgedIds.add(id);
        return true;
      };
      const expected: Expected[] = findingFiles
        .filter((name) => name !== SIEMPLIFY)
        .flatMap((name) =>
          rawValuesOf(samplePath(name))
            .flatMap(rawFindingsIn)
            .filter(firstCopy)
            .map((finding, i) => ({ file: name, n: i + 1, ...expectedVerdict(name, finding) })),
        );

      let code: number;
      let stderr: string;
      let report: {
        results: CheckResult[];
        errors: { source: string; reason: string }[];
      };

      beforeAll(async () => {
        const env = clearEnv(['CLASSIFICATION_TAG_KEY']);
        let stdout: string;
        try {
          ({ code, stdout, stderr } = await runCli('check', SAMPLES_DIR, '--format', 'json'));
        } finally {
          env.restore();
        }
        report = JSON.parse(stdout) as typeof report;
      });

      function actualResults(): Expected[] {
        return numberedByFile(report.results).map(({ file, n, result }) => ({
          file,
          n,
          bucket: result.bucket,
          verdict: result.verdict,
          severity: result.severity,
          declaredLevel: result.declaredLevel,
          sample: result.sample,
        }));
      }

      it.each(expected)('judges $file #$n as $verdict $severity', (want) => {
        const got = actualResults().find(({ file, n }) => file === want.file && n === want.n);

        expect(got).toEqual(want);
      });

      it('judges every sample finding and nothing else', () => {
        const keys = actualResults().map(({ file, n }) => `${file}#${n}`);

        expect(keys).toEqual(expected.map(({ file, n }) => `${file}#${n}`));
      });

      it('reports violating CREDIT_CARD_NUMBER in the bucket tagged Confidential', () => {
        const financial = report.results.find((r) => r.source.includes(TAGGED_CONFIDENTIAL));

        expect(financial?.violations.map(({ type }) => type)).toEqual(['CREDIT_CARD_NUMBER']);
      });

      it('ignores the policy finding as not a sensitive data finding', () => {
        const policy = report.results.filter((r) => r.findingType.startsWith('Policy:'));

        expect(policy.map(({ verdict, reason }) => ({ verdict, reason }))).toEqual([
          {
            verdict: 'ignored',
            reason: 'not a sensitive data finding (Policy:IAMUser/S3BucketPublic)',
          },
        ]);
      });

      it('judges a finding held by several samples once, and counts the other copies', () => {
        expect(duplicates).toBeGreaterThan(0);
        expect(stderr).toContain(
          `${duplicates} duplicate finding${duplicates === 1 ? '' : 's'} (same id) counted once\n`,
        );
      });

      it('reports only the files that hold no Macie finding as unreadable, and exits 2', () => {
        const files = report.errors.map(({ source }) => path.basename(source.replace(/:\d+$/, '')));

        expect(files.sort()).toEqual(
          [...names.filter((n) => NOT_FINDINGS.test(n) && n.endsWith('.json')), SIEMPLIFY].sort(),
        );
        expect(stderr).toContain(`${samplePath(SIEMPLIFY)}:1: malformed Macie finding`);
        expect(code).toBe(2);
      });
    });
  });
}
