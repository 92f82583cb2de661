/**
 * The CI dependency audit (scripts/audit-dependencies.js) over what `npm audit
 * --json` prints, given by a stand-in `npm` first on PATH.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const SCRIPT = path.resolve(__dirname, '../../../scripts/audit-dependencies.js');
let bin: TempDir;

beforeEach(() => {
  bin = createTempDir();
});
afterEach(() => bin.remove());

/** Runs the audit with an `npm` that prints `report` as its JSON. */
function audit(report: unknown, env: Record<string, string> = {}) {
  writeFileSync(path.join(bin.path, 'report.json'), JSON.stringify(report));
  const npm = path.join(bin.path, 'npm');
  writeFileSync(npm, `#!/bin/sh\ncat "${path.join(bin.path, 'report.json')}"\n`);
  chmodSync(npm, 0o755);
  return spawnSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin.path}${path.delimiter}${process.env.PATH}`, ...env },
  });
}

function advisory(name: string, severity: string) {
  return { name, severity, range: '<9.9.9', fixAvailable: true };
}

describe('the dependency audit', () => {
  it('passes with no high or critical advisory, giving the lesser counts', () => {
    const result = audit({
      vulnerabilities: { 'left-pad': advisory('left-pad', 'moderate') },
      metadata: { vulnerabilities: { moderate: 1, low: 0, high: 0, critical: 0 } },
    });

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'dependency audit passed: no high or critical advisory (1 moderate, 0 low).\n',
    );
  });

  it.each([['high'], ['critical']])('fails on a %s advisory, naming the package', (severity) => {
    const result = audit({
      vulnerabilities: {
        yaml: advisory('yaml', severity),
        'left-pad': advisory('left-pad', 'low'),
      },
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${severity}: yaml <9.9.9`);
    expect(result.stderr).not.toContain('left-pad');
    expect(result.stderr).toContain('1 package(s) with high or critical advisories');
  });

  it('says NOT CHECKED when the advisories cannot be reached, and fails then only when required', () => {
    const refused = {
      message:
        '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    };

    const lenient = audit(refused);
    const strict = audit(refused, { AUDIT_REQUIRED: 'true' });

    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain(
      'dependency audit NOT CHECKED: npm audit could not reach the advisories (405 Method Not Allowed',
    );
    expect(strict.status).toBe(1);
  });
});
