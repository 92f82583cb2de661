/**
 * `bucket-classification check s3://...` against moto: discovery results uploaded
 * as Macie writes them (gzipped JSON Lines under AWSLogs/<account>/Macie/<region>/
 * <job>/<account>/, encrypted with a KMS key), read through the CLI, which builds
 * its S3 client the SDK's way and reaches moto through the AWS_* variables the
 * globalSetup exports. Names are unique per run: the server is shared.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CheckResult } from '../../bin/check-result';
import { type InputRecord, readInputs } from '../../bin/read-inputs';
import type { Summary } from '../../bin/report';
import { FindingParseError } from '../../lib/errors';
import { removeBuiltCli, runBuiltCli, runCli } from '../support/cli';
import { resultsObject, resultsPrefix } from '../support/discovery-results';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import { createBucket } from '../support/s3-buckets';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = randomUUID().slice(0, 8);
const BUCKET = `check-s3-results-${RUN}`;
const PREFIX = resultsPrefix(ACCOUNT, REGION, `job${RUN}`);
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${randomUUID()}`;

/** Seven result objects of two findings each, about buckets r00-a, r00-b, r01-a, ... */
const RESULT_OBJECTS = Array.from({ length: 7 }, (_, i) => {
  const n = String(i).padStart(2, '0');
  return { key: `${PREFIX}${n}.jsonl.gz`, buckets: [`r${n}-a-${RUN}`, `r${n}-b-${RUN}`] };
});
const CORRUPT = `${PREFIX}03-corrupt.jsonl.gz`;
const MANIFEST = `${PREFIX}manifest.csv`;
/** A results object of another account: outside the prefix, never read. */
const OTHER_ACCOUNT = `${resultsPrefix('444455556666', REGION, `job${RUN}`)}x.jsonl.gz`;

const s3 = new S3Client({});

async function put(key: string, body: Buffer): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: body,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS_KEY,
    }),
  );
}

beforeAll(async () => {
  await createBucket(s3, BUCKET);
  for (const { key, buckets } of RESULT_OBJECTS) await put(key, resultsObject(buckets));
  await put(CORRUPT, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('junk')]));
  await put(MANIFEST, Buffer.from('key,size\n'));
  await put(OTHER_ACCOUNT, resultsObject([`other-account-${RUN}`]));
});

afterAll(async () => {
  const keys = [...RESULT_OBJECTS.map(({ key }) => key), CORRUPT, MANIFEST, OTHER_ACCOUNT];
  for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  s3.destroy();
  removeBuiltCli();
});

interface JsonReport {
  results: CheckResult[];
  errors: Array<{ source: string; reason: string }>;
  summary: Summary;
}

describe('check s3://bucket/prefix/ against moto', () => {
  let code: number;
  let stderr: string;
  let report: JsonReport;

  beforeAll(async () => {
    const run = await runCli(
      'check',
      `s3://${BUCKET}/${PREFIX}`,
      `s3://no-such-bucket-${RUN}/results/`,
      '--format',
      'json',
      '--concurrency',
      '3',
    );
    ({ code, stderr } = run);
    report = JSON.parse(run.stdout) as JsonReport;
  });

  it('judges every finding of every results object, in key order, named s3://bucket/key:line', () => {
    const expected = RESULT_OBJECTS.flatMap(({ key, buckets }) =>
      buckets.map((bucket, line) => [`s3://${BUCKET}/${key}:${line + 1}`, bucket]),
    );

    expect(report.results.map(({ source, bucket }) => [source, bucket])).toEqual(expected);
    expect(report.summary.findings).toBe(14);
  });

  it('names the corrupt object and the missing bucket, and exits 2', () => {
    expect(report.errors).toEqual([
      {
        source: `s3://${BUCKET}/${CORRUPT}`,
        reason: 'cannot read: corrupt or truncated gzip data',
      },
      {
        source: `s3://no-such-bucket-${RUN}/results/`,
        reason: expect.stringMatching(/^cannot read: NoSuchBucket: .*\(check the bucket name\)$/),
      },
    ]);
    expect(stderr).toContain(
      `s3://${BUCKET}/${CORRUPT}: cannot read: corrupt or truncated gzip data\n`,
    );
    expect(stderr).toContain(`s3://no-such-bucket-${RUN}/results/: cannot read: NoSuchBucket`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });

  it('names the object it skipped, and reads nothing outside the prefix', () => {
    expect(stderr).toContain(
      `skipped s3://${BUCKET}/${MANIFEST}: not a .json, .jsonl or .ndjson file (optionally .gz)\n`,
    );
    expect(stderr).not.toContain('other-account');
    expect(report.results.map(({ bucket }) => bucket)).not.toContain(`other-account-${RUN}`);
  });

  it('exits 0 when every object under the prefix reads', async () => {
    const run = await runCli(
      'check',
      `s3://${BUCKET}/${RESULT_OBJECTS[0]?.key}`,
      '--format',
      'json',
    );

    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as JsonReport).results.map(({ source }) => source)).toEqual([
      `s3://${BUCKET}/${RESULT_OBJECTS[0]?.key}:1`,
      `s3://${BUCKET}/${RESULT_OBJECTS[0]?.key}:2`,
    ]);
    expect(run.code).toBe(0);
  });
});

describe('the built command line reading s3://', () => {
  it('ends on its own once read: no connection holds the process open', async () => {
    const key = RESULT_OBJECTS[1]?.key;

    const run = await runBuiltCli(['check', `s3://${BUCKET}/${key}`, '--format', 'csv'], {
      timeoutMs: 90_000,
    });

    expect(run.timedOut).toBe(false);
    expect(run.stdout).toContain(`s3://${BUCKET}/${key}:2`);
    expect(run.code).toBe(0);
  }, 150_000);
});

describe('readInputs over a listing of many pages, against moto', () => {
  it('follows the continuation tokens through every page, in key order', async () => {
    const records: InputRecord[] = [];
    const skipped: string[] = [];

    for await (const record of readInputs(
      [`s3://${BUCKET}/AWSLogs/`],
      { onSkip: (file) => skipped.push(file) },
      undefined,
      { pageSize: 2, concurrency: 2 },
    )) {
      records.push(record);
    }

    const read = records.map(({ source, result }) =>
      result instanceof FindingParseError ? `${source} error` : source.replace(/:\d+$/, ''),
    );
    // The caller's account (123456789012) sorts before 444455556666.
    expect([...new Set(read)]).toEqual([
      ...RESULT_OBJECTS.slice(0, 3).map(({ key }) => `s3://${BUCKET}/${key}`),
      `s3://${BUCKET}/${CORRUPT} error`,
      ...RESULT_OBJECTS.slice(3).map(({ key }) => `s3://${BUCKET}/${key}`),
      `s3://${BUCKET}/${OTHER_ACCOUNT}`,
    ]);
    expect(records).toHaveLength(1 + 14 + 1);
    expect(skipped).toEqual([`s3://${BUCKET}/${MANIFEST}`]);
  });
});
