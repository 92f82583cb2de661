import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { runCli as run } from '../../support/cli';
import { useCliWorkspace } from '../../support/cli-workspace';
import type { MacieEventName } from '../../support/fixtures';

describe('check exit outcomes', () => {
  const workspace = useCliWorkspace();
  const { writeEvents } = workspace;

  describe('--fail-on', () => {
    it.each(['medium', 'MEDIUM', 'Medium', 'mEdIuM'])('takes %j as Medium', async (given) => {
      const file = writeEvents('medium.json', ['sensitive-financial.json']);

      const { code, stderr } = await run('check', file, '--fail-on', given);

      expect(stderr).toContain('--fail-on Medium: 1 result reaches it');
      expect(code).toBe(1);
    });

    it('is still a usage error for a word that is no severity, in any case', async () => {
      const { code, stderr } = await run('check', 'x.json', '--fail-on', 'severe');

      expect(stderr).toContain(
        '--fail-on must be one of Low, Medium, High, Critical; got "severe"',
      );
      expect(code).toBe(2);
    });

    it('names on stderr the result that reached it: bucket, severity, verdict, types, source', async () => {
      const file = writeEvents('medium.json', ['sensitive-financial.json']);

      const { code, stdout, stderr } = await run(
        'check',
        file,
        '--fail-on',
        'medium',
        '--format',
        'json',
      );

      expect(stderr).toBe(
        '--fail-on Medium: 1 result reaches it, so the exit code is 1:\n' +
          `  team-a-ledger: Medium violation (CREDIT_CARD_NUMBER) at ${file}:2\n`,
      );
      expect(() => JSON.parse(stdout)).not.toThrow();
      expect(code).toBe(1);
    });

    it('says nothing when no result reaches it', async () => {
      const file = writeEvents('medium.json', ['sensitive-financial.json']);

      const { code, stderr } = await run('check', file, '--fail-on', 'high');

      expect(stderr).toBe('');
      expect(code).toBe(0);
    });

    it('names the first ten results and counts the others', async () => {
      const events = Array.from({ length: 12 }, (): MacieEventName => 'sensitive-financial.json');
      const file = writeEvents('twelve.json', events, (event, i) => {
        event.detail.id = `finding-${i + 1}`;
        event.detail.resourcesAffected.s3Bucket.name = `bucket-${String(i + 1).padStart(2, '0')}`;
      });

      const { code, stderr } = await run('check', file, '--fail-on', 'low');

      const lines = stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('--fail-on Low: 12 results reach it, so the exit code is 1:');
      expect(lines.slice(1, 11).map((line) => line.split(':')[0])).toEqual(
        Array.from({ length: 10 }, (_, i) => `  bucket-${String(i + 1).padStart(2, '0')}`),
      );
      expect(lines[11]).toBe('  and 2 more (see the report)');
      expect(lines).toHaveLength(12);
      expect(code).toBe(1);
    });
  });

  describe('a run that reads no finding', () => {
    it('exits 2 for an empty directory, and says so', async () => {
      const empty = path.join(workspace.dir.path, 'empty');
      mkdirSync(empty);

      const { code, stderr } = await run('check', empty);

      expect(stderr).toBe(
        `no findings were read from ${empty}: nothing was judged; check the paths (in a directory only .json, .jsonl and .ndjson files, optionally .gz, are read)\n`,
      );
      expect(code).toBe(2);
    });

    it('exits 2 for a directory with no findings files', async () => {
      workspace.dir.write('notes.txt', 'findings are elsewhere');

      const { code, stderr } = await run('check', workspace.dir.path, '--format', 'json');

      expect(stderr).toContain(`skipped ${workspace.dir.path}/notes.txt`);
      expect(stderr).toContain(`no findings were read from ${workspace.dir.path}`);
      expect(code).toBe(2);
    });

    it('exits 2 for an empty file, even with nothing to fail on', async () => {
      const file = workspace.dir.write('export.jsonl', '\n\n');

      const { code, stdout, stderr } = await run('check', file, '--format', 'json');

      expect((JSON.parse(stdout) as { summary: { findings: number } }).summary.findings).toBe(0);
      expect(stderr).toContain(`no findings were read from ${file}`);
      expect(code).toBe(2);
    });

    it('exits 0 once a single finding is read, even one that is ignored', async () => {
      const file = writeEvents('archived.json', ['archived-true.json']);

      const { code, stdout, stderr } = await run('check', file, '--format', 'json');

      expect(JSON.parse(stdout)).toMatchObject({
        summary: { findings: 1, verdicts: { ignored: 1 } },
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
    });
  });
});
