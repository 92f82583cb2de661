/**
 * `check` on inputs built to hurt it: each runs the bundled command line in a
 * process of its own, so a crash, an exhausted heap or a hang shows as what a
 * user would see (an exit code, a killed process) rather than taking jest down.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, symlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuiltCliRun, removeBuiltCli, runBuiltCli } from '../../support/cli';
import { loadMacieEvent } from '../../support/fixtures';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const GOOD_BUCKET = 'team-a-ledger';

interface JsonReport {
  results: Array<{ bucket: string; source: string }>;
  summary: { findings: number; unreadableRecords: number };
}

function report(run: BuiltCliRun): JsonReport {
  return JSON.parse(run.stdout) as JsonReport;
}

/**
 * Gzip members of `member` decompressed bytes each, concatenated until the whole
 * is `totalBytes` decompressed: a bomb of a few MB, made without holding gigabytes.
 */
function gzipBomb(fill: number, totalBytes: number): Buffer {
  const memberBytes = 64 * 1024 * 1024;
  const member = gzipSync(Buffer.alloc(memberBytes, fill), { level: 9 });
  return Buffer.concat(Array.from({ length: Math.ceil(totalBytes / memberBytes) }, () => member));
}

describe('check on hostile inputs', () => {
  let dir: TempDir;
  let good: string;

  beforeEach(() => {
    dir = createTempDir();
    good = dir.write('good.json', JSON.stringify(loadMacieEvent('sensitive-financial.json')));
  });

  afterEach(() => {
    dir.remove();
  });

  afterAll(() => {
    removeBuiltCli();
  });

  describe('a gzip bomb', () => {
    it('of zeros stops at the line bound: exit 2 naming file:line, the other input judged', async () => {
      const bomb = dir.write('bomb.json.gz', gzipBomb(0, 3 * 1024 * 1024 * 1024));
      expect(bomb.length).toBeGreaterThan(0);

      const run = await runBuiltCli(['check', bomb, good, '--format', 'json']);

      expect(run.timedOut).toBe(false);
      expect(run.stderr).toContain(
        `${bomb}:1: cannot read: line longer than 64 MiB; --max-record-bytes raises the limit`,
      );
      expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
      expect(report(run).summary.unreadableRecords).toBe(1);
      expect(run.code).toBe(2);
    });

    it('of newlines stops at the decompressed bound of 1 GiB: exit 2 naming the file', async () => {
      const bomb = dir.write('bomb.jsonl.gz', gzipBomb(10, 3 * 1024 * 1024 * 1024));

      const run = await runBuiltCli(['check', bomb, good, '--format', 'json'], {
        timeoutMs: 110_000,
      });

      expect(run.timedOut).toBe(false);
      expect(run.stderr).toContain(
        `${bomb}: cannot read: more than 1 GiB to read (after decompression); --max-input-bytes raises the limit`,
      );
      expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
      expect(run.code).toBe(2);
    }, 120_000);

    it('stops at a lower --max-input-bytes, and reads up to it', async () => {
      const lines = gzipSync(Buffer.alloc(3 * 1024 * 1024, 10));
      const below = dir.write('below.jsonl.gz', lines);

      // With a finding beside it: a run that reads no finding at all exits 2.
      const under = await runBuiltCli(['check', below, good, '--max-input-bytes', '3MiB']);
      const over = await runBuiltCli(['check', below, good, '--max-input-bytes', '3145727']);

      // Only newlines: read to the end, and noted as holding nothing.
      expect(under.stderr).toBe(
        `skipped ${below}: it holds no findings (empty, or only blank lines)\n`,
      );
      expect(under.code).toBe(0);
      expect(over.stderr).toContain(`${below}: cannot read: more than 3145727 bytes to read`);
      expect(over.code).toBe(2);
    });
  });

  it('names /dev/zero given as an input, exits 2 and judges the other input', async () => {
    const run = await runBuiltCli(['check', '/dev/zero', good, '--format', 'json']);

    expect(run.stderr).toContain(
      '/dev/zero: cannot read: a character device, not a regular file\n',
    );
    expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
    expect(run.code).toBe(2);
  });

  it('stops /dev/zero on standard input at the line bound, naming <stdin>:1', async () => {
    const run = await runBuiltCli(['check', '-', '--max-record-bytes', '1MiB'], {
      stdinFile: '/dev/zero',
    });

    expect(run.stderr).toContain(
      '<stdin>:1: cannot read: line longer than 1 MiB; --max-record-bytes raises the limit',
    );
    expect(run.code).toBe(2);
  });

  it('reads 50 MB of blank lines in a 128 MB heap, and the finding after them', async () => {
    const file = path.join(dir.path, 'blank-then-finding.jsonl');
    const fd = openSync(file, 'w');
    const blanks = Buffer.alloc(1024 * 1024, 10);
    for (let i = 0; i < 50; i++) writeSync(fd, blanks);
    writeSync(fd, JSON.stringify(loadMacieEvent('sensitive-financial.json')));
    closeSync(fd);

    const run = await runBuiltCli(['check', file, '--format', 'json'], {
      nodeArgs: ['--max-old-space-size=128'],
    });

    expect(run.stderr).toBe('');
    expect(report(run).results).toEqual([
      expect.objectContaining({ bucket: GOOD_BUCKET, source: `${file}:52428801` }),
    ]);
    expect(run.code).toBe(0);
  });

  it('refuses a JSON document longer than --max-record-bytes, naming its first line', async () => {
    const pretty = JSON.stringify(loadMacieEvent('sensitive-financial.json'), null, 2);
    const file = dir.write('pretty.json', `\n\n${pretty}`);

    const under = await runBuiltCli(['check', file, '--max-record-bytes', String(pretty.length)]);
    const over = await runBuiltCli([
      'check',
      file,
      '--max-record-bytes',
      String(pretty.length - 1),
    ]);

    expect(under.code).toBe(0);
    expect(over.stderr).toContain(`${file}:3: cannot read: a JSON document longer than`);
    expect(over.code).toBe(2);
  });

  describe('special files', () => {
    it('skips a FIFO in an input directory with a note, and does not wait on it', async () => {
      const inputs = path.join(dir.path, 'inputs');
      dir.write('inputs/a.json', JSON.stringify(loadMacieEvent('sensitive-financial.json')));
      const fifo = path.join(inputs, 'b.jsonl');
      execFileSync('mkfifo', [fifo]);

      const run = await runBuiltCli(['check', inputs, '--format', 'json'], { timeoutMs: 30_000 });

      expect(run.timedOut).toBe(false);
      expect(run.stderr).toBe(`skipped ${fifo}: a FIFO, not a regular file\n`);
      expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
      expect(run.code).toBe(0);
    });

    it('names a FIFO given by name, exits 2 at once and judges the other input', async () => {
      const fifo = path.join(dir.path, 'pipe.json');
      execFileSync('mkfifo', [fifo]);

      const run = await runBuiltCli(['check', fifo, good, '--format', 'json'], {
        timeoutMs: 30_000,
      });

      expect(run.timedOut).toBe(false);
      expect(run.stderr).toContain(
        `${fifo}: cannot read: a FIFO, not a regular file; to read a pipe, give - and send it to standard input\n`,
      );
      expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
      expect(run.code).toBe(2);
    });

    it('names a symbolic link loop, given or in a directory, and judges the rest', async () => {
      const inputs = path.join(dir.path, 'inputs');
      dir.write('inputs/a.json', JSON.stringify(loadMacieEvent('sensitive-financial.json')));
      const inner = path.join(inputs, 'loop.json');
      symlinkSync(inner, inner);
      const given = path.join(dir.path, 'given.json');
      symlinkSync(given, given);

      const run = await runBuiltCli(['check', given, inputs, '--format', 'json']);

      expect(run.stderr).toContain(
        `${given}: cannot read: too many levels of symbolic links (a symbolic link loop?)\n`,
      );
      expect(run.stderr).toContain(
        `${inner}: cannot read: too many levels of symbolic links (a symbolic link loop?)\n`,
      );
      expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
      expect(run.code).toBe(2);
    });

    it('skips a symbolic link to a directory in an input directory, with a note', async () => {
      const inputs = path.join(dir.path, 'inputs');
      dir.write('inputs/a.json', JSON.stringify(loadMacieEvent('sensitive-financial.json')));
      const link = path.join(inputs, 'again.json');
      symlinkSync(inputs, link);

      const run = await runBuiltCli(['check', inputs, '--format', 'json']);

      expect(run.stderr).toBe(`skipped ${link}: a symbolic link to a directory, not followed\n`);
      expect(report(run).results.map((r) => r.bucket)).toEqual([GOOD_BUCKET]);
      expect(run.code).toBe(0);
    });
  });

  describe('--tags', () => {
    it('refuses /dev/zero as a tags file, naming it', async () => {
      const run = await runBuiltCli(['check', good, '--tags', '/dev/zero']);

      expect(run.stderr).toContain('bucket-classification: --tags /dev/zero: not a regular file\n');
      expect(run.code).toBe(2);
    });

    it('refuses a FIFO as a tags file at once', async () => {
      const fifo = path.join(dir.path, 'tags.json');
      execFileSync('mkfifo', [fifo]);

      const run = await runBuiltCli(['check', good, '--tags', fifo], { timeoutMs: 30_000 });

      expect(run.timedOut).toBe(false);
      expect(run.stderr).toContain(`--tags ${fifo}: not a regular file\n`);
      expect(run.code).toBe(2);
    });

    it('refuses a tags file larger than --max-record-bytes, and reads one at the bound', async () => {
      // Padded past the finding's own line, so only the tags file meets the bound.
      const text = JSON.stringify({ [GOOD_BUCKET]: { Team: 'ledger' } }).padEnd(65536);
      const tags = dir.write('tags.json', text);

      const at = await runBuiltCli(['check', good, '--tags', tags, '--max-record-bytes', '64KiB']);
      const over = await runBuiltCli(['check', good, '--tags', tags], {
        env: { BUCKET_CLASSIFICATION_MAX_RECORD_BYTES: '65535' },
      });

      expect(at.code).toBe(0);
      expect(over.stderr).toContain(
        `--tags ${tags}: larger than 65535 bytes; --max-record-bytes (or BUCKET_CLASSIFICATION_MAX_RECORD_BYTES) raises the limit`,
      );
      expect(over.code).toBe(2);
    });
  });

  it('names the option whose value is not a size', async () => {
    const run = await runBuiltCli(['check', good, '--max-input-bytes', '1TB']);

    expect(run.stderr).toContain(
      'bucket-classification: --max-input-bytes must be a size in bytes, optionally with KiB, MiB or GiB (e.g. 64MiB); got "1TB"',
    );
    expect(run.code).toBe(2);
  });
});
