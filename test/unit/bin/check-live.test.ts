import {
  type Finding,
  GetFindingsCommand,
  ListFindingsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { liveClient, parseSince } from '../../../bin/live-findings';
import { UsageError } from '../../../bin/usage-error';
import { awsError } from '../../support/aws-errors';
import { runCli as run } from '../../support/cli';
import { type ClearedEnv, clearEnv } from '../../support/env';
import { loadMacieEvent, type MacieEventName } from '../../support/fixtures';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const NOW = new Date('2025-06-10T12:00:00.000Z');

describe('parseSince', () => {
  it.each([
    ['7d', '2025-06-03T12:00:00.000Z'],
    ['1d', '2025-06-09T12:00:00.000Z'],
    ['24h', '2025-06-09T12:00:00.000Z'],
    ['36H', '2025-06-09T00:00:00.000Z'],
    ['0h', '2025-06-10T12:00:00.000Z'],
    [' 2d ', '2025-06-08T12:00:00.000Z'],
    ['2025-05-01', '2025-05-01T00:00:00.000Z'],
    ['2025-05-01T08:30', '2025-05-01T08:30:00.000Z'],
    ['2025-05-01T08:30:15Z', '2025-05-01T08:30:15.000Z'],
    ['2025-05-01T08:30:15.250Z', '2025-05-01T08:30:15.250Z'],
    ['2025-05-01T08:30:00+02:00', '2025-05-01T06:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2025-06-10T12:00:00Z', '2025-06-10T12:00:00.000Z'],
  ])('reads %j as %s', (text, expected) => {
    expect(parseSince(text, NOW).toISOString()).toBe(expected);
  });

  it.each([
    '',
    '7',
    'd7',
    '7w',
    '1.5d',
    '-1d',
    'yesterday',
    '2025-5-1',
    '2025-02-29',
    '2025-04-31',
    '2025-13-01',
    '2025-05-01 08:30',
    '2025-05-01T25:00Z',
  ])('refuses %j, naming --since and its forms', (text) => {
    expect(() => parseSince(text, NOW)).toThrow(UsageError);
    expect(() => parseSince(text, NOW)).toThrow(
      `--since must be <n>d, <n>h or an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z; got "${text}"`,
    );
  });

  it('refuses a moment after now, and takes now itself', () => {
    expect(() => parseSince('2025-06-10T12:00:01Z', NOW)).toThrow(
      '--since 2025-06-10T12:00:01Z is in the future: no finding was updated since',
    );
    expect(parseSince('2025-06-10T12:00:00Z', NOW).getTime()).toBe(NOW.getTime());
  });
});

/** Region settings a developer's shell might hold; each test says what it wants. */
const REGION_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_EC2_METADATA_DISABLED',
  'CLASSIFICATION_TAG_KEY',
  'TOPIC_TAG_KEY',
  'TEAM_TAG_KEY',
] as const;

describe('the region of --live', () => {
  let env: ClearedEnv;
  let dir: TempDir;

  beforeEach(() => {
    env = clearEnv(REGION_VARIABLES);
    dir = createTempDir();
    process.env.AWS_CONFIG_FILE = `${dir.path}/no-config`;
    process.env.AWS_SHARED_CREDENTIALS_FILE = `${dir.path}/no-credentials`;
  });

  afterEach(() => {
    dir.remove();
    env.restore();
  });

  async function regionOf(flag: string | undefined): Promise<string> {
    const { client, region } = await liveClient(flag, process.env);
    client.destroy();
    return region;
  }

  it('is --region first', async () => {
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_DEFAULT_REGION = 'us-west-2';

    await expect(regionOf('eu-west-1')).resolves.toBe('eu-west-1');
  });

  it('is AWS_REGION before AWS_DEFAULT_REGION', async () => {
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_DEFAULT_REGION = 'us-west-2';

    await expect(regionOf(undefined)).resolves.toBe('us-east-1');
  });

  it('is AWS_DEFAULT_REGION when AWS_REGION is not set', async () => {
    process.env.AWS_DEFAULT_REGION = 'us-west-2';

    await expect(regionOf(undefined)).resolves.toBe('us-west-2');
  });

  it("is the profile's region when no variable names one", async () => {
    process.env.AWS_CONFIG_FILE = dir.write('config', '[default]\nregion = ap-southeast-2\n');

    await expect(regionOf(undefined)).resolves.toBe('ap-southeast-2');
  });

  it('is a usage error naming every way to give one when there is none', async () => {
    await expect(regionOf(undefined)).rejects.toThrow(UsageError);
    await expect(regionOf(undefined)).rejects.toThrow(
      'check --live needs a region: give --region REGION, or set AWS_REGION, AWS_DEFAULT_REGION or a region in the AWS profile',
    );
  });
});

/** A fixture finding as the SDK hands it over from GetFindings: dates are Date objects. */
function sdkFinding(name: MacieEventName, edit: (finding: Finding) => void = () => {}): Finding {
  const { detail } = loadMacieEvent(name);
  const finding = {
    ...detail,
    createdAt: new Date(detail.createdAt as string),
    updatedAt: new Date(detail.updatedAt as string),
  } as Finding;
  edit(finding);
  return finding;
}

/** The region of the client a mocked call was sent through. */
function regionCalled(call: { thisValue: unknown } | undefined): Promise<string> {
  if (call === undefined) throw new Error('expected a call');
  return (call.thisValue as Macie2Client).config.region();
}

describe('check --live', () => {
  const macie = mockClient(Macie2Client);
  let env: ClearedEnv;
  let dir: TempDir;

  beforeEach(() => {
    macie.reset();
    env = clearEnv(REGION_VARIABLES);
    dir = createTempDir();
    // Should anything reach for AWS after all, it meets a closed local port, not the network.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: `${dir.path}/no-config`,
      AWS_SHARED_CREDENTIALS_FILE: `${dir.path}/no-credentials`,
    });
  });

  afterEach(() => {
    dir.remove();
    env.restore();
  });

  afterAll(() => macie.restore());

  /** Macie listing these findings on one page and returning each when asked. */
  function macieHolds(...findings: Finding[]): void {
    macie.on(ListFindingsCommand).resolves({ findingIds: findings.map((f) => f.id ?? '') });
    macie.on(GetFindingsCommand).callsFake((input: { findingIds: string[] }) => ({
      findings: findings.filter((f) => input.findingIds.includes(f.id ?? '')),
    }));
  }

  interface JsonReport {
    results: Array<{ findingId: string; bucket: string; verdict: string; source: string }>;
    summary: { findings: number; unreadableRecords: number };
  }

  it("judges Macie's findings as it judges a file's, each named by region and id", async () => {
    macieHolds(sdkFinding('sensitive-financial.json'), sdkFinding('sample-true.json'));

    const { code, stdout, stderr } = await run(
      'check',
      '--live',
      '--region',
      'eu-west-1',
      '--format',
      'json',
    );

    const report = JSON.parse(stdout) as JsonReport;
    expect(
      report.results.map(({ findingId, verdict, source }) => [findingId, verdict, source]),
    ).toEqual([
      [
        '7fb3ae04024ac0b55ad08bebaddadf9f',
        'violation',
        'macie:eu-west-1:7fb3ae04024ac0b55ad08bebaddadf9f',
      ],
      [
        sdkFinding('sample-true.json').id,
        expect.any(String),
        `macie:eu-west-1:${sdkFinding('sample-true.json').id}`,
      ],
    ]);
    expect(report.summary.findings).toBe(2);
    expect(stderr).toMatch(
      /^Macie in eu-west-1: 2 sensitive data findings updated since \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
    expect(code).toBe(0);
  });

  it('asks the region given, for findings updated since --since, and nothing about --severity', async () => {
    macieHolds();

    await run(
      'check',
      '--live',
      '--region',
      'ap-south-1',
      '--since',
      '2025-05-01',
      '--severity',
      'High',
    );

    const [list] = macie.commandCalls(ListFindingsCommand);
    await expect(regionCalled(list)).resolves.toBe('ap-south-1');
    expect(list?.args[0].input.findingCriteria).toEqual({
      criterion: {
        category: { eq: ['CLASSIFICATION'] },
        updatedAt: { gte: 1746057600000 },
      },
    });
  });

  it('asks for the last 7 days without --since', async () => {
    macieHolds();
    const before = Date.now();

    await run('check', '--live', '--region', 'eu-west-1');

    const gte =
      macie.commandCalls(ListFindingsCommand)[0]?.args[0].input.findingCriteria?.criterion
        ?.updatedAt?.gte;
    const week = 7 * 24 * 60 * 60 * 1000;
    expect(gte).toBeGreaterThanOrEqual(before - week);
    expect(gte).toBeLessThanOrEqual(Date.now() - week);
  });

  it('uses AWS_REGION without --region', async () => {
    process.env.AWS_REGION = 'eu-central-1';
    macieHolds();

    const { stderr } = await run('check', '--live');

    const [list] = macie.commandCalls(ListFindingsCommand);
    await expect(regionCalled(list)).resolves.toBe('eu-central-1');
    expect(stderr).toContain('Macie in eu-central-1: no sensitive data findings updated since');
  });

  it('exits 0 when Macie answers that it has no findings: that is an answer, not a wrong path', async () => {
    macieHolds();

    const { code, stdout, stderr } = await run('check', '--live', '--region', 'eu-west-1');

    expect(stdout).toContain('0 findings in 0 buckets');
    expect(stderr).toMatch(/^Macie in eu-west-1: no sensitive data findings updated since .*\n$/);
    expect(code).toBe(0);
  });

  it('judges the files given beside --live too', async () => {
    macieHolds(sdkFinding('sensitive-financial.json'));
    const file = dir.write(
      'export.json',
      JSON.stringify([loadMacieEvent('sensitive-multiple-categories.json')]),
    );

    const { code, stdout } = await run(
      'check',
      '--live',
      file,
      '--region',
      'eu-west-1',
      '--format',
      'json',
    );

    const report = JSON.parse(stdout) as JsonReport;
    expect(report.results.map((result) => result.source)).toEqual([
      'macie:eu-west-1:7fb3ae04024ac0b55ad08bebaddadf9f',
      `${file}:1`,
    ]);
    expect(code).toBe(0);
  });

  it("judges Macie's copy of a finding that an export holds too, and counts it once", async () => {
    macieHolds(sdkFinding('sensitive-financial.json'));
    const file = dir.write(
      'export.json',
      JSON.stringify([loadMacieEvent('sensitive-financial.json')]),
    );

    const { code, stdout, stderr } = await run(
      'check',
      file,
      '--live',
      '--region',
      'eu-west-1',
      '--format',
      'json',
    );

    const report = JSON.parse(stdout) as JsonReport;
    expect(report.results.map((result) => result.source)).toEqual([
      'macie:eu-west-1:7fb3ae04024ac0b55ad08bebaddadf9f',
    ]);
    expect(report.summary.findings).toBe(1);
    expect(stderr).toContain('1 duplicate finding (same id) counted once\n');
    expect(code).toBe(0);
  });

  it('names the call and region when Macie refuses, says which permissions it needs, exit 2', async () => {
    macie
      .on(ListFindingsCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: macie2:ListFindings',
        ),
      );

    const { code, stdout, stderr } = await run(
      'check',
      '--live',
      '--region',
      'eu-west-1',
      '--format',
      'json',
    );

    expect(stderr).toBe(
      'macie:eu-west-1: cannot read: ListFindings in eu-west-1: AccessDeniedException: ' +
        'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: macie2:ListFindings; ' +
        '--live needs macie2:ListFindings and macie2:GetFindings\n',
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.summary.unreadableRecords).toBe(1);
    expect(code).toBe(2);
  });

  it('says Macie is not enabled in the region when that is why it refuses', async () => {
    macie
      .on(ListFindingsCommand)
      .rejects(awsError('AccessDeniedException', 'Macie is not enabled.'));

    const { code, stderr } = await run('check', '--live', '--region', 'eu-west-1');

    expect(stderr).toBe(
      'macie:eu-west-1: cannot read: Macie is not enabled in eu-west-1 (ListFindings refused): ' +
        'enable it there, or give the --region where it is\n',
    );
    expect(code).toBe(2);
  });

  it('names GetFindings when it fails, still judging the files given', async () => {
    macie.on(ListFindingsCommand).resolves({ findingIds: ['a1'] });
    macie
      .on(GetFindingsCommand)
      .rejects(awsError('InternalServerException', 'Internal error', 'server'));
    const file = dir.write(
      'export.json',
      JSON.stringify(loadMacieEvent('sensitive-financial.json')),
    );

    const { code, stdout, stderr } = await run(
      'check',
      '--live',
      file,
      '--region',
      'eu-west-1',
      '--format',
      'json',
    );

    expect(stderr).toContain(
      'macie:eu-west-1: cannot read: GetFindings in eu-west-1: InternalServerException: Internal error\n',
    );
    expect((JSON.parse(stdout) as JsonReport).summary.findings).toBe(1);
    expect(code).toBe(2);
  });

  it('notes listed findings that GetFindings no longer returns, and judges the others', async () => {
    macie.on(ListFindingsCommand).resolves({
      findingIds: ['7fb3ae04024ac0b55ad08bebaddadf9f', 'gone-1'],
    });
    macie.on(GetFindingsCommand).resolves({ findings: [sdkFinding('sensitive-financial.json')] });

    const { code, stderr } = await run('check', '--live', '--region', 'eu-west-1');

    expect(stderr).toContain(
      'Macie in eu-west-1: 1 listed finding was not returned by GetFindings (expired or removed since they were listed): gone-1\n',
    );
    expect(stderr).toContain('Macie in eu-west-1: 1 sensitive data finding updated since');
    expect(code).toBe(0);
  });

  it('reports a finding from Macie it cannot read by its id, and judges the rest', async () => {
    const broken = sdkFinding('sensitive-financial.json', (finding) => {
      finding.id = 'broken-1';
      finding.resourcesAffected = {};
    });
    macieHolds(broken, sdkFinding('sample-true.json'));

    const { code, stderr } = await run('check', '--live', '--region', 'eu-west-1');

    expect(stderr).toContain(
      'macie:eu-west-1:broken-1: malformed Macie finding: resourcesAffected.s3Bucket: is required\n',
    );
    expect(code).toBe(2);
  });

  it('is a usage error without a region anywhere, before any call', async () => {
    const { code, stderr } = await run('check', '--live');

    expect(stderr).toContain('bucket-classification: check --live needs a region:');
    expect(macie.calls()).toHaveLength(0);
    expect(code).toBe(2);
  });

  it.each([
    ['--since', '7d'],
    ['--region', 'eu-west-1'],
  ])('refuses %s without --live', async (option, value) => {
    const { code, stderr } = await run('check', 'x.json', option, value);

    expect(stderr).toContain(`bucket-classification: ${option} is for --live\n`);
    expect(code).toBe(2);
  });

  it('refuses a bad --since before any call', async () => {
    const { code, stderr } = await run('check', '--live', '--region', 'eu-west-1', '--since', '7w');

    expect(stderr).toContain(
      'bucket-classification: --since must be <n>d, <n>h or an ISO 8601 date',
    );
    expect(macie.calls()).toHaveLength(0);
    expect(code).toBe(2);
  });

  it('still needs an input without --live, and says --live is one', async () => {
    const { code, stderr } = await run('check');

    expect(stderr).toContain(
      'check needs at least one input: a file, a directory, an s3:// URL, - for stdin, or --live for the findings in Macie',
    );
    expect(code).toBe(2);
  });
});
