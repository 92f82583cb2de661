import { statSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type InputRecord, type ReadHooks, readInputs } from '../../../bin/read-inputs';
import { FindingParseError } from '../../../lib/errors';
import { loadMacieEvent, loadMacieLines } from '../../support/fixtures';
import { useTempDir } from '../../support/temp-dir';

async function readAll(inputs: readonly string[], hooks?: ReadHooks): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const record of readInputs(inputs, hooks)) records.push(record);
  return records;
}

/** Each record as `[source, bucket]`, or `[source, 'error: <message>']`. */
function outline(records: readonly InputRecord[]): [string, string][] {
  return records.map(({ source, result }) => [
    source,
    result instanceof FindingParseError
      ? `error: ${result.message}`
      : result.finding.resourcesAffected.s3Bucket.name,
  ]);
}

/** 1-based numbers of the lines equal to `line`. */
function linesEqualTo(text: string, line: string): number[] {
  return text.split(/\r?\n/).flatMap((each, index) => (each === line ? [index + 1] : []));
}

const threeEvents = () => [
  loadMacieEvent('sensitive-financial.json'),
  loadMacieEvent('cross-account.json'),
  loadMacieEvent('sensitive-multiple-categories.json'),
];
const THREE_BUCKETS = ['team-a-ledger', 'member-shared-drop', 'team-b-crm'];

describe('readInputs', () => {
  const dir = useTempDir();

  describe('JSON documents', () => {
    it('reads a pretty-printed event as one finding at line 1', async () => {
      const file = dir.write(
        'event.json',
        JSON.stringify(loadMacieEvent('sample-true.json'), null, 2),
      );

      const records = await readAll([file]);

      expect(outline(records)).toEqual([[`${file}:1`, 'macie-sample-finding-bucket']]);
    });

    it("points each element of a pretty array at the element's own line", async () => {
      const text = JSON.stringify(threeEvents(), null, 2);
      const file = dir.write('events.json', text);
      const elementLines = linesEqualTo(text, '  {');

      const records = await readAll([file]);

      expect(elementLines).toHaveLength(3);
      expect(outline(records)).toEqual(
        elementLines.map((line, i) => [`${file}:${line}`, THREE_BUCKETS[i]]),
      );
    });

    it('points each finding of `get-findings` output at its line', async () => {
      const text = JSON.stringify({ findings: threeEvents().map((e) => e.detail) }, null, 2);
      const file = dir.write('get-findings.json', text);
      const elementLines = linesEqualTo(text, '    {');

      const records = await readAll([file]);

      expect(elementLines).toHaveLength(3);
      expect(outline(records)).toEqual(
        elementLines.map((line, i) => [`${file}:${line}`, THREE_BUCKETS[i]]),
      );
    });

    it('counts lines the same in a file with Windows line endings', async () => {
      const text = JSON.stringify(threeEvents(), null, 2).replaceAll('\n', '\r\n');
      const file = dir.write('events.json', text);
      const elementLines = linesEqualTo(text, '  {');

      const records = await readAll([file]);

      expect(records.map(({ source }) => source)).toEqual(
        elementLines.map((line) => `${file}:${line}`),
      );
    });

    it('reads a compact one-line document, every finding at line 1', async () => {
      const file = dir.write(
        'compact.json',
        JSON.stringify({ findings: threeEvents().map((e) => e.detail) }),
      );

      const records = await readAll([file]);

      expect(outline(records)).toEqual(THREE_BUCKETS.map((bucket) => [`${file}:1`, bucket]));
    });

    it('reports a syntax error with its line and column, and nothing else from the file', async () => {
      const text = JSON.stringify(threeEvents(), null, 2).replace(/\n\]$/, ',\n]');
      const file = dir.write('trailing-comma.json', text);
      const lastLine = text.split('\n').length;

      const records = await readAll([file]);

      expect(outline(records)).toEqual([
        [`${file}:${lastLine}`, 'error: invalid JSON: unexpected character (column 1)'],
      ]);
    });

    it('reports an invalid escape in a string as a syntax error rather than failing', async () => {
      const file = dir.write('escape.json', '{\n  "id": "C:\\data"\n}\n');

      const records = await readAll([file]);

      expect(outline(records)).toEqual([
        [`${file}:2`, 'error: invalid JSON: invalid escape in a string (column 12)'],
      ]);
    });

    it('reports a bad element at its line and still reads the others', async () => {
      const events: unknown[] = threeEvents();
      events[1] = loadMacieEvent('not-macie.json');
      const text = JSON.stringify(events, null, 2);
      const file = dir.write('mixed.json', text);
      const [first, second, third] = linesEqualTo(text, '  {');

      const records = await readAll([file]);

      expect(records.map(({ source }) => source)).toEqual([
        `${file}:${first}`,
        `${file}:${second}`,
        `${file}:${third}`,
      ]);
      expect(records[1]?.result).toBeInstanceOf(FindingParseError);
      expect(outline(records)[2]).toEqual([`${file}:${third}`, 'team-b-crm']);
    });
  });

  describe('JSON Lines', () => {
    it('reads one finding per line, keeping line numbers across blank lines', async () => {
      const [discoveryResult] = loadMacieLines('discovery-result.jsonl');
      const text = [
        JSON.stringify(loadMacieEvent('sensitive-financial.json')),
        '',
        JSON.stringify(discoveryResult),
        '',
      ].join('\n');
      const file = dir.write('findings.jsonl', text);

      const records = await readAll([file]);

      expect(outline(records)).toEqual([
        [`${file}:1`, 'team-a-ledger'],
        [`${file}:3`, 'team-b-crm'],
      ]);
    });

    it('recognises JSON Lines by content in a file named .json', async () => {
      const text = threeEvents()
        .map((event) => JSON.stringify(event))
        .join('\n');
      const file = dir.write('events.json', text);

      const records = await readAll([file]);

      expect(outline(records)).toEqual(THREE_BUCKETS.map((b, i) => [`${file}:${i + 1}`, b]));
    });

    it('reports a malformed line at its line number and still reads the other lines', async () => {
      const [first, , third] = threeEvents().map((event) => JSON.stringify(event));
      const file = dir.write('findings.jsonl', `${first}\n{"id": "cut off\n${third}\n`);

      const records = await readAll([file]);

      expect(records.map(({ source }) => source)).toEqual([`${file}:1`, `${file}:2`, `${file}:3`]);
      expect(outline(records)[0]?.[1]).toBe('team-a-ledger');
      expect(outline(records)[1]?.[1]).toMatch(/^error: invalid JSON: /);
      expect(outline(records)[2]?.[1]).toBe('team-b-crm');
    });
  });

  describe('gzip', () => {
    it('reads a .jsonl.gz file', async () => {
      const text = threeEvents()
        .map((event) => JSON.stringify(event))
        .join('\n');
      const file = dir.write('findings.jsonl.gz', gzipSync(text));

      const records = await readAll([file]);

      expect(outline(records)).toEqual(THREE_BUCKETS.map((b, i) => [`${file}:${i + 1}`, b]));
    });

    it('recognises gzip by its magic bytes in a file named .json', async () => {
      const text = JSON.stringify(threeEvents(), null, 2);
      const file = dir.write('events.json', gzipSync(text));
      const elementLines = linesEqualTo(text, '  {');

      const records = await readAll([file]);

      expect(outline(records)).toEqual(
        elementLines.map((line, i) => [`${file}:${line}`, THREE_BUCKETS[i]]),
      );
    });

    it('reports corrupt gzip data as an unreadable file', async () => {
      const file = dir.write(
        'corrupt.json.gz',
        Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not deflate data')]),
      );

      const records = await readAll([file]);

      expect(outline(records)).toEqual([
        [file, 'error: cannot read: corrupt or truncated gzip data'],
      ]);
    });

    it('reports a truncated gzip file after the findings read before the cut', async () => {
      const lines = Array.from({ length: 200 }, () =>
        JSON.stringify(loadMacieEvent('cross-account.json')),
      );
      const whole = gzipSync(lines.join('\n'));
      const file = dir.write('truncated.jsonl.gz', whole.subarray(0, whole.length - 20));

      const records = await readAll([file]);

      const outlined = outline(records);
      expect(outlined.length).toBeGreaterThan(1);
      expect(outlined.at(-1)?.[1]).toBe('error: cannot read: corrupt or truncated gzip data');
      expect(new Set(outlined.slice(0, -1).map(([, what]) => what))).toEqual(
        new Set(['member-shared-drop']),
      );
    });
  });

  describe('files and directories', () => {
    it('walks a directory in name order and reports the files it skips', async () => {
      const line = (name: 'sensitive-financial.json' | 'cross-account.json') =>
        JSON.stringify(loadMacieEvent(name));
      dir.write('sub/c.json', line('cross-account.json'));
      dir.write('notes.txt', 'not findings');
      dir.write('b.json', line('sensitive-financial.json'));
      dir.write('README.md', '# findings');
      dir.write('a.jsonl', line('cross-account.json'));
      const skipped: string[] = [];

      const records = await readAll([dir.path], { onSkip: (file) => skipped.push(file) });

      expect(records.map(({ source }) => source)).toEqual([
        `${path.join(dir.path, 'a.jsonl')}:1`,
        `${path.join(dir.path, 'b.json')}:1`,
        `${path.join(dir.path, 'sub', 'c.json')}:1`,
      ]);
      expect(skipped).toEqual([path.join(dir.path, 'README.md'), path.join(dir.path, 'notes.txt')]);
    });

    it('reads a file given by name whatever its extension', async () => {
      const file = dir.write('event.txt', JSON.stringify(loadMacieEvent('sample-true.json')));

      const records = await readAll([file]);

      expect(outline(records)).toEqual([[`${file}:1`, 'macie-sample-finding-bucket']]);
    });

    it('reports a missing file and goes on to the next input', async () => {
      const missing = path.join(dir.path, 'missing.json');
      const present = dir.write('present.json', JSON.stringify(loadMacieEvent('sample-true.json')));

      const records = await readAll([missing, present]);

      expect(outline(records)).toEqual([
        [missing, 'error: cannot read: no such file or directory'],
        [`${present}:1`, 'macie-sample-finding-bucket'],
      ]);
    });

    it('reads nothing from an empty file and goes on to the next input', async () => {
      const empty = dir.write('empty.json', '');
      const present = dir.write('present.json', JSON.stringify(loadMacieEvent('sample-true.json')));

      const records = await readAll([empty, present]);

      expect(outline(records)).toEqual([[`${present}:1`, 'macie-sample-finding-bucket']]);
    });

    it('reports how much of a file it has read, ending at its size', async () => {
      const file = dir.write('event.json', JSON.stringify(loadMacieEvent('sample-true.json')));
      const progress: [string, number, number | undefined][] = [];

      await readAll([file], { onProgress: (...report) => progress.push(report) });

      const size = statSync(file).size;
      expect(progress[progress.length - 1]).toEqual([file, size, size]);
    });
  });
});
