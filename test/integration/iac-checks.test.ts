/**
 * The field's own linters on the template `serverless package` writes: cfn-lint must
 * report nothing, and checkov no failed check (a check that does not apply is
 * skipped in the template's metadata with a written reason). Both run from the
 * project's .venv, which the integration setup installs.
 */
import * as path from 'node:path';
import { cfnLint, checkov } from '../support/iac-linters';
import { type PackagedStack, packageStack } from '../support/package-stack';

let stack: PackagedStack;
let templateFile: string;

beforeAll(() => {
  stack = packageStack('prod');
  templateFile = path.join(stack.output, 'cloudformation-template-update-stack.json');
}, 120_000);

afterAll(() => stack?.remove());

describe('the packaged template', () => {
  it('has no cfn-lint findings, not even warnings', async () => {
    const { code, findings } = await cfnLint(templateFile);

    // Warnings too: moto's ValidateTemplate (the deploy rehearsal) refuses any finding.
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  }, 300_000);

  it('fails no checkov check', async () => {
    const { failed, summary } = await checkov(templateFile);

    expect(failed).toEqual([]);
    expect(summary.parsing_errors).toBe(0);
    expect(summary.passed).toBeGreaterThan(20);
  }, 600_000);
});
