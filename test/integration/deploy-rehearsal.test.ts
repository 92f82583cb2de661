/**
 * The deploy rehearsal (scripts/deploy-rehearsal.js, `npm run deploy:rehearse`): the real
 * `serverless deploy` of this project against moto, the checks of what it created, the
 * real `serverless remove`. It deploys from a temporary copy of the project, so its
 * .serverless/ and .esbuild/ folders clash with nothing else.
 *
 * It runs against the moto server the integration setup started. moto's ValidateTemplate
 * runs cfn-lint (installed beside moto) and refuses the template on any finding, warnings
 * included, so this also keeps the template free of cfn-lint warnings.
 */
import { randomBytes } from 'node:crypto';

interface RehearsalCheck {
  name: string;
  ok: boolean;
  detail: string;
}

interface RehearsalReport {
  ok: boolean;
  endpoint: string;
  stage: string;
  stackName: string;
  timings: Record<'deployMs' | 'verifyMs' | 'removeMs' | 'verifyRemovalMs' | 'totalMs', number>;
  checks: RehearsalCheck[];
  skippedByMoto: Array<{ logicalId: string; type: string }>;
  notCreated: Array<{ logicalId: string; type: string; condition: string }>;
  deployOutput: string;
  removeOutput: string;
}

interface RehearsalModule {
  SERVICE: string;
  rehearse(options: {
    endpoint: string;
    stage?: string;
    log?: (line: string) => void;
    serviceDir?: string;
  }): Promise<RehearsalReport>;
  formatReport(report: RehearsalReport): string;
}

// A plain CommonJS script (it must run with `node` alone), so no type declarations.
const rehearsal = require('../../scripts/deploy-rehearsal.js') as RehearsalModule;

const STAGE = `rh${randomBytes(4).toString('hex')}`;
const PREFIX = `${rehearsal.SERVICE}-${STAGE}`;

let report: RehearsalReport;

beforeAll(async () => {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint)
    throw new Error('AWS_ENDPOINT_URL is not set: run this in the integration project');
  report = await rehearsal.rehearse({ endpoint, stage: STAGE });
  // The summary (timings, what moto skipped) is worth seeing in the test log.
  process.stderr.write(`${rehearsal.formatReport(report)}\n`);
}, 180_000);

/** One check of the report, by name; `detail` shows in the diff when it failed. */
function checkNamed(name: string): RehearsalCheck | undefined {
  return report.checks.find((entry) => entry.name === name);
}

test('moto is a local server', () => {
  expect(report.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(report.stackName).toBe(PREFIX);
});

test.each([
  'serverless deploy exits 0',
  'stack reached CREATE_COMPLETE or UPDATE_COMPLETE',
  'function validateFinding: runtime, architecture, handler, environment',
  'function checkBucketTags: runtime, architecture, handler, environment',
  'function trackBucketChanges: runtime, architecture, handler, environment',
  'function summarizeLedger: runtime, architecture, handler, environment',
  'ledger table exists, keyed by pk, on demand, with TTL on expiresAt',
  'Macie findings rule: pattern and target validateFinding',
  'EventBridge may invoke validateFinding from the findings rule',
  'central topic exists',
  'dead-letter queue exists with 14-day retention',
  `log group /aws/lambda/${PREFIX}-validateFinding exists with its retention`,
  `log group /aws/lambda/${PREFIX}-checkBucketTags exists with its retention`,
  `log group /aws/lambda/${PREFIX}-trackBucketChanges exists with its retention`,
  `log group /aws/lambda/${PREFIX}-summarizeLedger exists with its retention`,
  'serverless remove exits 0',
  'stack is gone (DELETE_COMPLETE or not listed)',
  'function validateFinding deleted',
  'function checkBucketTags deleted',
  'function trackBucketChanges deleted',
  'function summarizeLedger deleted',
  'Macie findings rule deleted',
  'deployment bucket deleted',
])('%s', (name) => {
  expect(checkNamed(name)).toEqual({ name, ok: true, detail: expect.any(String) });
});

test('checks each of the bucket-change rules and ledger schedules the stack declares', () => {
  const rules = report.checks.filter((entry) => /^rule \S+ exists as declared$/.test(entry.name));
  expect(rules.map((entry) => entry.ok)).toEqual([true, true, true, true, true]);
});

test('every check passed', () => {
  const failed = report.checks.filter((entry) => !entry.ok);
  expect(failed).toEqual([]);
  expect(report.ok).toBe(true);
});

test('moto skipped none of the resources the checks rely on', () => {
  const essential = [
    'AWS::Lambda::Function',
    'AWS::IAM::Role',
    'AWS::Events::Rule',
    'AWS::SNS::Topic',
    'AWS::SQS::Queue',
    'AWS::Logs::LogGroup',
  ];
  expect(report.skippedByMoto.filter(({ type }) => essential.includes(type))).toEqual([]);
});
