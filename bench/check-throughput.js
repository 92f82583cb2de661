#!/usr/bin/env node
/**
 * Throughput and memory of `bucket-classification check` over a large JSON Lines
 * export. Generates the input, runs the built CLI in a child process, and checks
 * the budgets: memory must not grow with the input (streaming), and throughput
 * must stay above a floor.
 *
 * Usage: npm run bench            (BENCH_MB=1024 for a 1 GiB input)
 */
const { spawn } = require('node:child_process');
const {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SIZE_MB = Number(process.env.BENCH_MB ?? 256);
const BUDGET_RSS_MB = 200;
const BUDGET_MB_PER_S = 10;

/** A discovery-result-like finding with 15 occurrences per detection, about 5 KiB a line. */
function line(i) {
  const cells = Array.from({ length: 15 }, (_, row) => ({
    row: String(row + 2),
    column: '3',
    columnName: 'ssn',
  }));
  const bucket = `bench-bucket-${i % 500}`;
  return JSON.stringify({
    schemaVersion: '1.0',
    id: i.toString(16).padStart(32, '0'),
    accountId: '111122223333',
    partition: 'aws',
    region: 'eu-west-1',
    type: 'SensitiveData:S3Object/Multiple',
    severity: { score: '3', description: 'High' },
    createdAt: '2026-01-01T00:00:00Z',
    category: 'CLASSIFICATION',
    resourcesAffected: {
      s3Bucket: {
        arn: `arn:aws:s3:::${bucket}`,
        name: bucket,
        tags: [
          {
            key: 'DataClassification',
            value: ['Public', 'Internal', 'Confidential', 'Restricted'][i % 4],
          },
          { key: 'SupportSNSTopic', value: `arn:aws:sns:eu-west-1:111122223333:team-${i % 40}` },
        ],
        publicAccess: { effectivePermission: i % 50 === 0 ? 'PUBLIC' : 'NOT_PUBLIC' },
      },
      s3Object: { key: `exports/${i}.csv`, size: '4750' },
    },
    classificationDetails: {
      result: {
        status: { code: 'COMPLETE' },
        sizeClassified: '4750',
        sensitiveData: [
          {
            category: 'PERSONAL_INFORMATION',
            totalCount: '30',
            detections: [
              { type: 'USA_SOCIAL_SECURITY_NUMBER', count: '15', occurrences: { cells } },
              { type: 'NAME', count: '15', occurrences: { cells } },
            ],
          },
          {
            category: 'FINANCIAL_INFORMATION',
            totalCount: '15',
            detections: [{ type: 'CREDIT_CARD_NUMBER', count: '15', occurrences: { cells } }],
          },
        ],
        customDataIdentifiers: { totalCount: '0', detections: [] },
      },
    },
  });
}

async function generate(file, bytes) {
  const out = createWriteStream(file);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const text = `${line(i++)}\n`;
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
  return i;
}

function run(file) {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { main } = require(${JSON.stringify(path.join(ROOT, 'dist/bin/bucket-classification.js'))});
       main(process.argv.slice(1), { stdout: () => {}, stderr: (t) => process.stderr.write(t), stderrIsTty: false })
         .then((code) => { process.stdout.write(JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS })); });`,
      'check',
      file,
      '--format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, ...JSON.parse(output) });
    });
  });
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-check-'));
  try {
    const file = path.join(dir, 'findings.jsonl');
    const findings = await generate(file, SIZE_MB * 1024 * 1024);
    const inputMb = statSync(file).size / 1024 / 1024;
    const result = await run(file);
    const rssMb = result.maxRssKiB / 1024;
    const mbPerS = inputMb / result.seconds;
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      inputMb: Number(inputMb.toFixed(1)),
      findings,
      seconds: Number(result.seconds.toFixed(2)),
      findingsPerSecond: Math.round(findings / result.seconds),
      mbPerSecond: Number(mbPerS.toFixed(1)),
      peakRssMb: Number(rssMb.toFixed(1)),
      budgets: { peakRssMb: BUDGET_RSS_MB, mbPerSecond: BUDGET_MB_PER_S },
      exitCode: result.code,
    };
    console.log(JSON.stringify(report, null, 2));
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      path.join(__dirname, 'results', 'check-throughput.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    const failures = [];
    if (result.code !== 0) failures.push(`check exited ${result.code}`);
    if (rssMb > BUDGET_RSS_MB)
      failures.push(`peak RSS ${rssMb.toFixed(0)} MB > ${BUDGET_RSS_MB} MB`);
    if (mbPerS < BUDGET_MB_PER_S)
      failures.push(`${mbPerS.toFixed(1)} MB/s < ${BUDGET_MB_PER_S} MB/s`);
    if (failures.length > 0) {
      console.error(`bench: over budget: ${failures.join('; ')}`);
      process.exitCode = 1;
    } else {
      console.error('bench: within budget');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
