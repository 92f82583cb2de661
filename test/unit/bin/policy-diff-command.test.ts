import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { markdownInline } from '../../../bin/policy-diff-command';
import { runCli } from '../../support/cli';
import { VALID_POLICY } from '../../support/policy-files';
import { useTempDir } from '../../support/temp-dir';

const EVENTS = path.resolve(__dirname, '../../events/policy-diff');
const FINDINGS = path.join(EVENTS, 'findings.jsonl');
const STRICTER = path.join(EVENTS, 'stricter-policy.yaml');

const dir = useTempDir();

interface DiffJson {
  oldPolicy: string;
  newPolicy: string;
  totals: Record<string, number>;
  teams: Array<Record<string, unknown>>;
  changes: Array<Record<string, unknown>>;
  failOnNew?: { severity: string; reached: Array<Record<string, unknown>> };
}

/** `policy diff default STRICTER --findings FINDINGS` with `extra` options. */
function diffFindings(...extra: string[]) {
  return runCli('policy', 'diff', 'default', STRICTER, '--findings', FINDINGS, ...extra);
}

describe('policy diff', () => {
  it('shows the findings each team gains, loses and sees change severity, in JSON', async () => {
    const { code, stdout, stderr } = await diffFindings('--format', 'json');

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const diff = JSON.parse(stdout) as DiffJson;
    expect(diff.oldPolicy).toBe('default');
    expect(diff.newPolicy).toBe(STRICTER);
    expect(
      diff.changes.map((c) => [c.team, c.change, c.bucket, c.oldSeverity, c.newSeverity]),
    ).toEqual([
      ['payments', 'gone', 'acme-pay-exports', 'Medium', null],
      ['people', 'raised', 'acme-hr-records', 'Medium', 'High'],
      ['sales', 'new', 'acme-crm-contacts', null, 'Medium'],
    ]);
    expect(diff.changes[2]).toMatchObject({
      types: ['NAME (needs Restricted)'],
      source: `${FINDINGS}:2`,
    });
    expect(diff.totals).toEqual({
      findings: 4,
      oldViolations: 3,
      newViolations: 3,
      new: 1,
      gone: 1,
      raised: 1,
      lowered: 0,
    });
    expect(diff.teams.map((t) => [t.team, t.oldViolations, t.newViolations])).toEqual([
      ['payments', 1, 0],
      ['people', 1, 1],
      ['platform', 1, 1],
      ['sales', 0, 1],
    ]);
    expect(diff.failOnNew).toBeUndefined();
  });

  it('shows the changes and the totals by team in a table', async () => {
    const { code, stdout } = await diffFindings();

    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Policy diff: default -> ${STRICTER}`);
    expect(lines[1]).toBe(
      '4 findings judged under both: 1 new, 1 raised, 0 lowered, 1 gone; violations 3 -> 3.',
    );
    expect(stdout).toMatch(
      /^people {4}raised {2}Medium {2}High {4}acme-hr-records +staff\/directory\.csv +EMAIL_ADDRESS \(needs Restricted\)$/m,
    );
    expect(stdout).toMatch(/^sales +1 +0 +0 +0 +0 -> 1$/m);
    expect(stdout).toMatch(/^TOTAL +1 +1 +0 +1 +3 -> 3$/m);
  });

  it('says when no finding is judged differently', async () => {
    const { code, stdout } = await runCli(
      'policy',
      'diff',
      'default',
      'default',
      '--findings',
      FINDINGS,
    );

    expect(code).toBe(0);
    expect(stdout).toContain('No finding is judged differently.');
  });

  it('writes Markdown with a section per team', async () => {
    const { code, stdout } = await diffFindings('--format', 'markdown');

    expect(code).toBe(0);
    expect(stdout).toContain(`### Policy diff: default -> ${STRICTER}`);
    expect(stdout).toContain('| TOTAL | 1 | 1 | 0 | 1 | 3 -> 3 |');
    expect(stdout).toContain(
      '#### Team people: 0 new, 1 raised, 0 lowered, 0 gone; violations 1 -> 1',
    );
    expect(stdout).toContain(
      '| raised | Medium | High | acme-hr-records | staff/directory.csv | EMAIL\\_ADDRESS (needs Restricted) |',
    );
  });

  it('keeps untrusted text in its Markdown cell', async () => {
    const tags = dir.write(
      'tags.json',
      JSON.stringify({ 'acme-crm-contacts': { Team: 'sales | <b>*x*</b>\n| injected |' } }),
    );

    const { stdout } = await diffFindings('--tags', tags, '--format', 'markdown');

    expect(stdout).toContain(
      '| sales \\| \\<b>\\*x\\*\\</b>?\\| injected \\| | 1 | 0 | 0 | 0 | 0 -> 1 |',
    );
    expect(stdout).not.toMatch(/^\| injected/m);
  });

  describe('--fail-on-new', () => {
    it('exits 1 naming the change when a raised severity reaches it', async () => {
      const { code, stdout, stderr } = await diffFindings(
        '--format',
        'json',
        '--fail-on-new',
        'High',
      );

      expect(code).toBe(1);
      expect(stderr).toBe(
        [
          'policy diff: 1 new violation or raised severity at or above High (--fail-on-new High):',
          `  raised Medium -> High: bucket acme-hr-records (team people) EMAIL_ADDRESS (needs Restricted) [${FINDINGS}:3]`,
          '',
        ].join('\n'),
      );
      expect((JSON.parse(stdout) as DiffJson).failOnNew).toMatchObject({
        severity: 'High',
        reached: [{ bucket: 'acme-hr-records', change: 'raised' }],
      });
    });

    it('exits 1 on a new violation at the threshold', async () => {
      const { code, stderr } = await diffFindings('--fail-on-new', 'Medium');

      expect(code).toBe(1);
      expect(stderr).toContain('2 new violations or raised severities at or above Medium');
      expect(stderr).toContain('  new - -> Medium: bucket acme-crm-contacts (team sales)');
    });

    it('takes the severity in any case', async () => {
      const { code } = await diffFindings('--fail-on-new', 'high');

      expect(code).toBe(1);
    });

    it('exits 0 when nothing new reaches it', async () => {
      const { code, stderr } = await diffFindings('--fail-on-new', 'Critical');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    });
  });

  describe('usage', () => {
    it.each([
      [['default', '--findings', FINDINGS], "missing required argument 'new'"],
      [['default', STRICTER], 'policy diff needs --findings PATH...'],
      [
        ['default', STRICTER, FINDINGS],
        `policy diff takes at most old, new; got "${FINDINGS}" too`,
      ],
      [
        ['default', STRICTER, '--findings', FINDINGS, '--format', 'csv'],
        '--format must be one of table, json, markdown; got "csv"',
      ],
      [
        ['default', STRICTER, '--findings', FINDINGS, '--fail-on-new', 'Severe'],
        '--fail-on-new must be one of Low, Medium, High, Critical; got "Severe"',
      ],
    ])('refuses %j', async (args, message) => {
      const { code, stderr } = await runCli('policy', 'diff', ...args);

      expect(code).toBe(2);
      expect(stderr).toContain(message);
    });

    it('reads findings given after --findings too', async () => {
      const copy = dir.write('copy.jsonl', readFileSync(FINDINGS));

      const { code, stdout, stderr } = await runCli(
        'policy',
        'diff',
        'default',
        STRICTER,
        '--findings',
        copy,
        FINDINGS,
        '--format',
        'json',
      );

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect((JSON.parse(stdout) as DiffJson).totals.findings).toBe(8);
    });

    it('says which files of a directory it skips', async () => {
      dir.write('findings/notes.txt', 'not findings');
      dir.write('findings/a.jsonl', readFileSync(FINDINGS));

      const { code, stderr } = await runCli(
        'policy',
        'diff',
        'default',
        STRICTER,
        '--findings',
        path.join(dir.path, 'findings'),
      );

      expect(code).toBe(0);
      expect(stderr).toBe(
        `skipped ${path.join(dir.path, 'findings', 'notes.txt')}: not a .json, .jsonl or .ndjson file (optionally .gz)\n`,
      );
    });

    it('exits 2 naming the file of an invalid policy', async () => {
      const bad = dir.write(
        'bad.yaml',
        VALID_POLICY.replace('forbidden: Critical', 'forbidden: x'),
      );

      const { code, stderr } = await runCli(
        'policy',
        'diff',
        'default',
        bad,
        '--findings',
        FINDINGS,
      );

      expect(code).toBe(2);
      expect(stderr).toContain(`${bad}:13: severity.forbidden:`);
    });

    it('exits 2 when no finding was read', async () => {
      const empty = dir.write('empty.jsonl', '');

      const { code, stderr } = await runCli(
        'policy',
        'diff',
        'default',
        STRICTER,
        '--findings',
        empty,
      );

      expect(code).toBe(2);
      expect(stderr).toContain('policy diff: no finding was read from the inputs');
    });

    it('exits 2 after the report when a record cannot be read', async () => {
      const broken = dir.write('broken.jsonl', '{"not": "a finding"}\n');

      const { code, stdout, stderr } = await diffFindings(broken);

      expect(code).toBe(2);
      expect(stderr).toContain(`${broken}:1:`);
      expect(stdout).toContain('1 record(s) could not be read (listed on stderr).');
    });
  });
});

describe('markdownInline', () => {
  it('escapes what Markdown would read as a cell end, emphasis, a link, HTML or an entity', () => {
    expect(markdownInline('a|b *c* _d_ [e](f) <g> &amp; `h` \\ ~i~ #j')).toBe(
      'a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<g> \\&amp; \\`h\\` \\\\ \\~i\\~ \\#j',
    );
  });

  it('turns line breaks into ?', () => {
    expect(markdownInline('a\nb\r\nc')).toBe('a?b??c');
  });
});
