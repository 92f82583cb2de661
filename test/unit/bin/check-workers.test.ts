import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { runCheck } from '../../../bin/check-command';
import {
  autoWorkers,
  CheckWorkers,
  checkWorkers,
  DEFAULT_WORKER_TUNING,
  parseWorkers,
} from '../../../bin/check-workers';
import type { RawChunk } from '../../../bin/input-chunks';
import { FILE_READ_BYTES } from '../../../bin/read-inputs';
import { FindingParseError } from '../../../lib/errors';
import { DEFAULT_TAG_KEYS } from '../../../lib/tag-keys';
import { loadPolicy } from '../../../policies/load-policy';
import { type CliRun, runCli as run } from '../../support/cli';
import { useCliWorkspace } from '../../support/cli-workspace';
import { loadMacieEvent, type MacieEventName, type RawEvent } from '../../support/fixtures';

/** Worker threads start and compile their TypeScript with esbuild: give them time. */
const WORKER_TIMEOUT_MS = 180_000;

const EVENTS: readonly MacieEventName[] = [
  'archived-true.json',
  'cross-account.json',
  'missing-bucket-name.json',
  'not-macie.json',
  'policy-bucket-public.json',
  'sample-true.json',
  'sensitive-financial.json',
  'sensitive-multiple-categories.json',
  'sensitive-tags-empty.json',
  'sensitive-tags-null.json',
  'sensitive-unknown-type.json',
];

/** The fixture event `index` (cycling through them all) with the finding id `id`. */
function event(index: number, id: string): RawEvent {
  const name = EVENTS[index % EVENTS.length] as MacieEventName;
  const value = loadMacieEvent(name);
  (value.detail as { id?: string }).id = id;
  return value;
}

function line(index: number, id: string): string {
  return JSON.stringify(event(index, id));
}

describe('check with worker threads', () => {
  const workspace = useCliWorkspace();

  /**
   * Several inputs with everything the reading meets: blank lines, CRLF line
   * breaks, lines that are not JSON, arrays of findings on one line, malformed
   * and foreign events, copies of one finding within an input and across
   * inputs, a gzipped input, a JSON document (read on the main thread), and an
   * input that stops at a line that is not UTF-8. Each input is long enough for
   * many batches of lines.
   */
  function writeInputs(): string[] {
    const first: string[] = [];
    for (let i = 0; i < 700; i++) {
      if (i % 97 === 0) first.push('');
      if (i % 131 === 5) first.push('{"not": json');
      if (i % 173 === 7) first.push(`[${line(i, `pair-${i}-a`)},${line(i + 1, `pair-${i}-b`)}]`);
      if (i % 211 === 9) first.push('42');
      // Every 50th finding is a copy of an earlier one.
      first.push(line(i, i % 50 === 49 ? `finding-${i - 40}` : `finding-${i}`));
    }
    const second: string[] = [];
    for (let i = 0; i < 400; i++) second.push(line(i + 3, `finding-${i * 3}`));
    const document = [event(1, 'document-1'), event(6, 'finding-2'), event(7, 'document-3')];
    const stopped = [line(6, 'stopped-1'), line(7, 'stopped-2')];
    for (let i = 0; i < 300; i++) stopped.push(line(i, `stopped-more-${i}`));
    return [
      workspace.dir.write('first.jsonl', `${first.join('\r\n')}\r\n`),
      workspace.dir.write('second.jsonl.gz', gzipSync(`${second.join('\n')}\n`)),
      workspace.dir.write('document.json', JSON.stringify(document, null, 2)),
      workspace.dir.write(
        'stopped.jsonl',
        Buffer.concat([
          Buffer.from(`${stopped.slice(0, 290).join('\n')}\n`),
          Buffer.from([0xff, 0xfe, 0x41, 0x0a]),
          Buffer.from(`${stopped.slice(290).join('\n')}\n`),
        ]),
      ),
    ];
  }

  async function bothWays(...argv: string[]): Promise<{ serial: CliRun; threaded: CliRun }> {
    const serial = await run(...argv, '--workers', '0');
    const threaded = await run(...argv, '--workers', '3');
    return { serial, threaded };
  }

  it.each([['json'], ['csv'], ['table'], ['markdown'], ['html']])(
    'writes the same %s report, errors and exit code as without them',
    async (format) => {
      const inputs = writeInputs();

      const { serial, threaded } = await bothWays('check', ...inputs, '--format', format);

      expect(threaded).toEqual(serial);
      // The inputs did hold what they were written to hold.
      expect(serial.code).toBe(2);
      expect(serial.stderr).toContain('first.jsonl:7: invalid JSON');
      expect(serial.stderr).toContain('duplicate findings (same id) counted once');
      expect(serial.stderr).toContain('stopped.jsonl:291: cannot read: not UTF-8 text');
      expect(serial.stdout.length).toBeGreaterThan(1000);
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'writes the same summaries, filtered results and --fail-on outcome as without them',
    async () => {
      const inputs = writeInputs();

      for (const options of [
        ['--summary', 'team', '--format', 'json'],
        ['--summary', 'bucket'],
        ['--format', 'csv', '--severity', 'High,Critical', '--team', 'payments,nobody'],
      ]) {
        const { serial, threaded } = await bothWays('check', ...inputs, ...options);
        expect(threaded).toEqual(serial);
      }
      // Only well-formed findings: the exit code comes from --fail-on.
      const clean = workspace.dir.write(
        'clean.jsonl',
        Array.from({ length: 600 }, (_, i) => line(6 + (i % 2), `clean-${i % 500}`)).join('\n'),
      );
      const { serial, threaded } = await bothWays('check', clean, '--fail-on', 'low');
      expect(threaded).toEqual(serial);
      expect(serial.code).toBe(1);
      expect(serial.stderr).toContain('100 duplicate findings (same id) counted once');
    },
    WORKER_TIMEOUT_MS,
  );
});

describe('check with worker threads given raw chunks', () => {
  const workspace = useCliWorkspace();
  /** Bytes of one read of a file: lines are laid out across these boundaries too. */
  const READ = FILE_READ_BYTES;

  /** `check` of `input` without workers and with two, cut into chunks of `chunkBytes`. */
  async function bothWays(
    input: string,
    chunkBytes: number,
    maxRecordBytes = 64 * 1024 * 1024,
    lineBytes?: number,
  ): Promise<{ serial: CliRun; threaded: CliRun }> {
    const once = async (workers: number): Promise<CliRun> => {
      let stdout = '';
      let stderr = '';
      const code = await runCheck({
        inputs: [input],
        policy: loadPolicy(),
        tags: new Map(),
        tagKeys: DEFAULT_TAG_KEYS,
        format: 'json',
        limits: { maxRecordBytes, maxInputBytes: 1024 * 1024 * 1024 },
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        workers,
        // Workers read every line, however long, unless the test says otherwise.
        workerTuning: { chunkBytes, lineBytes: lineBytes ?? maxRecordBytes },
      });
      return { code, stdout, stderr };
    };
    return { serial: await once(0), threaded: await once(2) };
  }

  /** A finding's line padded (with spaces inside the JSON) to exactly `bytes` bytes. */
  function paddedLine(index: number, id: string, bytes: number): string {
    const text = line(index, id);
    const length = Buffer.byteLength(text);
    if (length > bytes) throw new Error(`a line of ${bytes} bytes cannot hold ${id}`);
    return `${text.slice(0, -1)}${' '.repeat(bytes - length)}}`;
  }

  function sourcesOf(run: CliRun): string[] {
    const report = JSON.parse(run.stdout) as { results: Array<{ source: string }> };
    return report.results.map(({ source }) => source.replace(/^.*\//, ''));
  }

  it(
    'reads lines at a chunk edge, longer than a chunk, and with CRLF and characters across reads',
    async () => {
      // Line 1 ends exactly at the first chunk's edge (6001 bytes with its line break).
      const first = paddedLine(6, 'edge', 6000);
      const parts = [`${first}\n`];
      // A line longer than a chunk and than a read of the file.
      parts.push(`${paddedLine(7, 'long', READ + 5000)}\r\n`);
      // A line whose CR is the last byte of the second read, its LF the first of the third.
      const used = parts.join('').length;
      parts.push(`${paddedLine(6, 'crlf', 2 * READ - used - 1)}\r\n`);
      // A two-byte character split between the third and the fourth read.
      const before = Buffer.byteLength(parts.join(''));
      const withE = line(6, 'accent-\u00e9');
      const at = withE.indexOf('\u00e9');
      parts.push(`${paddedLine(6, 'fill', 3 * READ - before - at - 1 - 1)}\n`, `${withE}\n`);
      parts.push('\n\n', `${line(7, 'after-blank')}\n`, line(6, 'no-final-break'));
      const input = workspace.dir.write('edges.jsonl', parts.join(''));

      const { serial, threaded } = await bothWays(input, 6001);

      expect(threaded).toEqual(serial);
      expect(serial.code).toBe(0);
      expect(sourcesOf(serial)).toEqual([
        'edges.jsonl:1',
        'edges.jsonl:2',
        'edges.jsonl:3',
        'edges.jsonl:4',
        'edges.jsonl:5',
        'edges.jsonl:8',
        'edges.jsonl:9',
      ]);
      expect(serial.stdout).toContain('"findingId":"accent-\u00e9"');
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'reads a gzipped input of several reads the same way (gunzip keeps what it is given)',
    async () => {
      // Random padding, so that the compressed file takes three reads of the file.
      const lines = Array.from({ length: 2000 }, (_, i) =>
        line(6 + (i % 2), `gz-${i}-${randomBytes(1200).toString('hex')}`),
      );
      const input = workspace.dir.write('large.jsonl.gz', gzipSync(`${lines.join('\n')}\n`));
      expect(statSync(input).size).toBeGreaterThan(2 * READ);

      const { serial, threaded } = await bothWays(input, 64 * 1024);

      expect(threaded).toEqual(serial);
      expect(serial.code).toBe(0);
      expect(sourcesOf(serial)).toHaveLength(2000);
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'stops at a byte that is not UTF-8, after the lines before it, naming its line',
    async () => {
      const lines = Array.from({ length: 30 }, (_, i) => line(6 + (i % 2), `utf8-${i}`));
      const input = workspace.dir.write(
        'latin1.jsonl',
        Buffer.concat([
          Buffer.from(`${lines.slice(0, 20).join('\n')}\n{"caf`),
          Buffer.from([0xe9]),
          Buffer.from(`":1}\n${lines.slice(20).join('\n')}\n`),
        ]),
      );

      const { serial, threaded } = await bothWays(input, 5000);

      expect(threaded).toEqual(serial);
      expect(serial.code).toBe(2);
      expect(serial.stderr).toContain('latin1.jsonl:21: cannot read: not UTF-8 text');
      expect(sourcesOf(serial)).toHaveLength(20);
      expect(sourcesOf(serial).at(-1)).toBe('latin1.jsonl:20');
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'takes a line of exactly the record limit and stops at one byte more, in a chunk or across chunks',
    async () => {
      const limit = 4000;
      const ok = Array.from({ length: 12 }, (_, i) => paddedLine(6, `limit-${i}`, limit));
      const within = workspace.dir.write(
        'within.jsonl',
        `${ok.join('\n')}\n${paddedLine(7, 'over', limit + 1)}\n${ok[0]}\n`,
      );
      // A line longer than the limit and than every chunk, across reads of the file.
      const across = workspace.dir.write(
        'across.jsonl',
        `${ok.join('\n')}\n${paddedLine(7, 'over', 3 * READ)}\n${ok[0]}\n`,
      );

      for (const [input, name] of [
        [within, 'within.jsonl'],
        [across, 'across.jsonl'],
      ] as const) {
        const { serial, threaded } = await bothWays(input, 9000, limit);

        expect(threaded).toEqual(serial);
        expect(serial.stderr).toContain(
          `${name}:13: cannot read: line longer than 4000 bytes; --max-record-bytes raises the limit`,
        );
        expect(sourcesOf(serial)).toHaveLength(12);
      }
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'reads a chunk with a line longer than a worker takes on the main thread, in order',
    async () => {
      // A finding of 1 MB: longer than the 256 KiB lines workers take.
      const long = event(6, 'long') as RawEvent & { detail: { resourcesAffected: never } };
      const bucket = (long.detail.resourcesAffected as { s3Bucket: { tags: unknown[] } }).s3Bucket;
      bucket.tags = [{ key: 'Notes', value: 'x'.repeat(1024 * 1024) }];
      const lines = Array.from({ length: 20 }, (_, i) => line(6 + (i % 2), `small-${i}`));
      const input = workspace.dir.write(
        'long.jsonl',
        `${lines.slice(0, 10).join('\n')}\n${JSON.stringify(long)}\n${lines.slice(10).join('\n')}\n`,
      );

      const { serial, threaded } = await bothWays(
        input,
        20_000,
        undefined,
        DEFAULT_WORKER_TUNING.lineBytes,
      );

      expect(threaded).toEqual(serial);
      expect(serial.code).toBe(0);
      expect(sourcesOf(serial)).toHaveLength(21);
      expect(sourcesOf(serial)[10]).toBe('long.jsonl:11');
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'skips a UTF-8 byte order mark at the start',
    async () => {
      const input = workspace.dir.write(
        'bom.jsonl',
        `\ufeff${line(6, 'bom-1')}\n${line(7, 'bom-2')}\n`,
      );

      const { serial, threaded } = await bothWays(input, 10);

      expect(threaded).toEqual(serial);
      expect(serial.code).toBe(0);
      expect(sourcesOf(serial)).toEqual(['bom.jsonl:1', 'bom.jsonl:2']);
    },
    WORKER_TIMEOUT_MS,
  );
});

describe('parseWorkers', () => {
  it('takes 0 to 64', () => {
    expect(parseWorkers('0')).toBe(0);
    expect(parseWorkers(' 2 ')).toBe(2);
    expect(parseWorkers('64')).toBe(64);
  });

  it.each(['65', '-1', '1.5', 'two', ''])('refuses "%s", naming the option', (value) => {
    expect(() => parseWorkers(value)).toThrow(
      `--workers must be a whole number from 0 to 64 (0: no worker threads); got "${value}"`,
    );
  });
});

describe('autoWorkers', () => {
  it.each([
    [1, 0],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 4],
    [16, 4],
  ])('on %d cores: %d workers', (cores, workers) => {
    expect(autoWorkers(cores)).toBe(workers);
  });
});

describe('checkWorkers', () => {
  const setup = { policy: loadPolicy(), tags: new Map(), tagKeys: DEFAULT_TAG_KEYS };

  it('gives no workers when asked for none', () => {
    expect(checkWorkers(0, setup)).toBeUndefined();
  });

  it('takes every input of JSON Lines when asked for a number of workers', async () => {
    const workers = checkWorkers(2, setup);

    expect(workers).toBeInstanceOf(CheckWorkers);
    expect(workers?.takes(10)).toBe(true);
    expect(workers?.takes(undefined)).toBe(true);
    await workers?.close();
  });

  it('automatic workers take inputs of 4 MiB or more, whose size is known', async () => {
    const workers = new CheckWorkers(2, setup, 4 * 1024 * 1024, {
      chunkBytes: 1024,
      heapMb: 64,
      youngMb: 4,
      lineBytes: 1024,
    });

    expect(workers.takes(4 * 1024 * 1024 - 1)).toBe(false);
    expect(workers.takes(4 * 1024 * 1024)).toBe(true);
    expect(workers.takes(undefined)).toBe(false);
    await workers.close();
  });

  /** A chunk of `text` (whole lines) of the input a.jsonl, from line `firstLine`. */
  function rawChunk(text: string, firstLine: number): RawChunk {
    const lengths = text.split('\n').map((part) => Buffer.byteLength(part));
    return {
      name: 'a.jsonl',
      bytes: Buffer.from(text),
      firstLine,
      longestLine: Math.max(...lengths),
      maxLineBytes: 64 * 1024 * 1024,
    };
  }

  /** A line of 4 MiB that parses to about 45 MB of empty arrays, and holds no finding. */
  const ARRAYS = `[${'[],'.repeat((4 * 1024 * 1024) / 3)}[]]\n`;

  it(
    'reads a chunk with a line longer than lineBytes on this thread',
    async () => {
      const workers = new CheckWorkers(1, setup, 0, {
        chunkBytes: 1024,
        heapMb: 64,
        youngMb: 4,
        lineBytes: 20_000,
      });
      try {
        const short = await workers.read(rawChunk(`${line(6, 'short')}\n`, 1));
        expect(workers.readHere).toBe(0);

        const long = await workers.read(rawChunk(`{"padded": "${'z'.repeat(20_000)}"}\n`, 2));
        expect(workers.readHere).toBe(1);

        expect(short.records.map(({ source }) => source)).toEqual(['a.jsonl:1']);
        expect(long.records.map(({ source }) => source)).toEqual(['a.jsonl:2']);
        expect(long.records[0]?.result).toBeInstanceOf(FindingParseError);
        expect(workers.replaced).toBe(0);
      } finally {
        await workers.close();
      }
    },
    WORKER_TIMEOUT_MS,
  );

  it(
    'replaces a worker that runs out of memory, once, and reads its chunk on this thread',
    async () => {
      const workers = new CheckWorkers(1, setup, 0, {
        chunkBytes: 1024,
        heapMb: 32,
        youngMb: 4,
        lineBytes: 64 * 1024 * 1024,
      });
      try {
        const first = await workers.read(rawChunk(`${line(6, 'one')}\n`, 1));
        expect(workers.replaced).toBe(0);

        const second = await workers.read(rawChunk(`${ARRAYS}${line(7, 'three')}\n`, 2));
        expect(workers.replaced).toBe(1);
        expect(workers.readHere).toBe(1);

        const third = await workers.read(rawChunk(`${line(6, 'four')}\n`, 4));
        expect(workers.replaced).toBe(1);
        expect(workers.readHere).toBe(1);

        expect(first.records.map(({ source }) => source)).toEqual(['a.jsonl:1']);
        // The empty arrays hold no finding: only the one after them.
        expect(second.records.map(({ source }) => source)).toEqual(['a.jsonl:3']);
        expect(third.records.map(({ source }) => source)).toEqual(['a.jsonl:4']);
      } finally {
        await workers.close();
      }
    },
    WORKER_TIMEOUT_MS,
  );
});
