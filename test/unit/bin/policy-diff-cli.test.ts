/**
 * `policy diff` and `policy validate` as a user runs them: the bundled command line
 * in a process of its own, beside its copy of the default policy, which
 * `extends: default` and `default` name.
 */
import * as path from 'node:path';
import { removeBuiltCli, runBuiltCli } from '../../support/cli';
import { useTempDir } from '../../support/temp-dir';

const EVENTS = path.resolve(__dirname, '../../events/policy-diff');
const FINDINGS = path.join(EVENTS, 'findings.jsonl');
const STRICTER = path.join(EVENTS, 'stricter-policy.yaml');

/** Bundling and starting Node take seconds on a busy machine. */
const CLI_TIMEOUT_MS = 120_000;

afterAll(() => {
  removeBuiltCli();
});

describe('the built command line', () => {
  it(
    'diffs the default policy against one that extends it, failing on a raised High',
    async () => {
      const run = await runBuiltCli([
        'policy',
        'diff',
        'default',
        STRICTER,
        '--findings',
        FINDINGS,
        '--format',
        'json',
        '--fail-on-new',
        'High',
      ]);

      expect(run.code).toBe(1);
      const diff = JSON.parse(run.stdout) as {
        changes: Array<{ change: string; bucket: string; newSeverity: string | null }>;
      };
      expect(diff.changes.map((c) => [c.change, c.bucket, c.newSeverity])).toEqual([
        ['gone', 'acme-pay-exports', null],
        ['raised', 'acme-hr-records', 'High'],
        ['new', 'acme-crm-contacts', 'Medium'],
      ]);
      expect(run.stderr).toContain(
        'raised Medium -> High: bucket acme-hr-records (team people) EMAIL_ADDRESS (needs Restricted)',
      );
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'passes the same diff under a threshold nothing reaches',
    async () => {
      const run = await runBuiltCli([
        'policy',
        'diff',
        'default',
        STRICTER,
        '--findings',
        FINDINGS,
        '--fail-on-new',
        'Critical',
      ]);

      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^TOTAL +1 +1 +0 +1 +3 -> 3$/m);
    },
    CLI_TIMEOUT_MS,
  );

  describe('policy validate', () => {
    const dir = useTempDir();

    it(
      'names the policies a valid one extends',
      async () => {
        const run = await runBuiltCli(['policy', 'validate', STRICTER]);

        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^ {2}extends: .*default-policy\.yaml$/m);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      'reports an unknown key and an undefined level together, exit 2',
      async () => {
        const file = dir.write(
          'team.yaml',
          'extends: default\ndefaultLevel: Internal\ncategories:\n  PERSONAL_INFORMATION: Secret\n',
        );

        const run = await runBuiltCli(['policy', 'validate', file]);

        expect(run.code).toBe(2);
        expect(run.stderr).toContain('invalid policy (2 problems)');
        expect(run.stderr).toContain(`${file}:2: defaultLevel: unknown key`);
        expect(run.stderr).toContain(
          `${file}:4: categories.PERSONAL_INFORMATION: unknown level "Secret"`,
        );
      },
      CLI_TIMEOUT_MS,
    );
  });
});
