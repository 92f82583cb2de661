/**
 * The field's own linters on the template `serverless package` writes: cfn-lint must
 * report nothing, and checkov no failed check (a check that does not apply is
 * skipped in the template's metadata with a written reason). Both run from the
 * project's .venv, which the integration setup installs.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/fixtures';
import { type PackagedStack, packageStack } from '../support/package-stack';

const run = promisify(execFile);
const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');

let stack: PackagedStack;
let templateFile: string;

beforeAll(() => {
  stack = packageStack('prod');
  templateFile = path.join(stack.output, 'cloudformation-template-update-stack.json');
}, 120_000);

afterAll(() => stack?.remove());

/** Runs a tool, resolving with its exit code and output whatever the code. */
async function tool(command: string, args: readonly string[]) {
  try {
    const { stdout, stderr } = await run(path.join(VENV_BIN, command), [...args], {
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    if (typeof code !== 'number') throw error;
    return { code, stdout, stderr };
  }
}

describe('the packaged template', () => {
  it('has no cfn-lint findings, not even warnings', async () => {
    const { code, stdout } = await tool('cfn-lint', ['--format', 'parseable', templateFile]);

    // Warnings too: moto's ValidateTemplate (the deploy rehearsal) refuses any finding.
    expect(stdout.split('\n').filter(Boolean)).toEqual([]);
    expect(code).toBe(0);
  }, 300_000);

  it('fails no checkov check', async () => {
    const { stdout } = await tool('checkov', [
      '--file',
      templateFile,
      '--framework',
      'cloudformation',
      '--skip-download',
      '--quiet',
      '--output',
      'json',
    ]);

    const report = JSON.parse(stdout) as {
      summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
      results: { failed_checks?: Array<{ check_id: string; resource: string }> };
    };
    const failed = (report.results.failed_checks ?? []).map((c) => `${c.check_id} ${c.resource}`);
    expect(failed).toEqual([]);
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(20);
  }, 600_000);
});
