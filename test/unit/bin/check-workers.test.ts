import { gzipSync } from 'node:zlib';
import { autoWorkers, CheckWorkers, checkWorkers, parseWorkers } from '../../../bin/check-workers';
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
    [2, 0, 2],
    [2, 0.9, 0],
    [4, 1.5, 2],
    [4, 1, 3],
    [16, 0.2, 4],
    [1, 0, 0],
    [8, 12, 0],
  ])('on %d cores at a load of %d: %d workers', (cores, load, workers) => {
    expect(autoWorkers(cores, load)).toBe(workers);
  });
});

describe('checkWorkers', () => {
  const setup = { policy: loadPolicy(), tags: new Map(), tagKeys: {} as never };

  it('gives no workers when asked for none', () => {
    expect(checkWorkers(0, setup)).toBeUndefined();
  });

  it('takes lines from the first when asked for a number of workers', async () => {
    const workers = checkWorkers(2, setup);

    expect(workers).toBeInstanceOf(CheckWorkers);
    expect(workers?.takes()).toBe(true);
    await workers?.close();
  });

  it('automatic workers take lines only after the first 2000 of the run', async () => {
    const workers = new CheckWorkers(2, { ...setup, policy: {} as never }, 2000);

    const answers = Array.from({ length: 2001 }, () => workers.takes());

    expect(answers.slice(0, 2000).every((taken) => !taken)).toBe(true);
    expect(answers[2000]).toBe(true);
    expect(workers.takes()).toBe(true);
    await workers.close();
  });
});
