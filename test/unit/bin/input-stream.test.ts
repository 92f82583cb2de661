import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DEFAULT_INPUT_LIMITS } from '../../../bin/input-limits';
import { type InputRecord, readStream } from '../../../bin/input-stream';
import { FindingParseError } from '../../../lib/errors';
import { loadMacieEvent } from '../../support/fixtures';

async function readAll(stream: Readable): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const batch of readStream(
    'body',
    stream,
    undefined,
    false,
    {},
    DEFAULT_INPUT_LIMITS,
  )) {
    expect(batch.length).toBeGreaterThan(0);
    records.push(...batch);
  }
  return records;
}

function buckets(records: readonly InputRecord[]): string[] {
  return records.map(({ source, result }) =>
    result instanceof FindingParseError
      ? `${source} error: ${result.message}`
      : `${source} ${result.finding.resourcesAffected.s3Bucket.name}`,
  );
}

/** A stream that has all its data and its end before anyone reads it, as a small HTTP body. */
function endedStream(content: Buffer): Readable {
  const stream = new Readable({ read() {} });
  stream.push(content);
  stream.push(null);
  return stream;
}

describe('readStream', () => {
  const line = `${JSON.stringify(loadMacieEvent('sample-true.json'))}\n`;

  it('reads a stream whose only chunk came with its end', async () => {
    const records = await readAll(endedStream(Buffer.from(line)));

    expect(buckets(records)).toEqual(['body:1 macie-sample-finding-bucket']);
  });

  it('reads a gzipped stream whose only chunk came with its end', async () => {
    const records = await readAll(endedStream(gzipSync(line)));

    expect(buckets(records)).toEqual(['body:1 macie-sample-finding-bucket']);
  });

  it('reads a gzipped stream that comes in many small chunks', async () => {
    const gzipped = gzipSync(line.repeat(3));
    const chunks = Array.from({ length: Math.ceil(gzipped.length / 7) }, (_, i) =>
      gzipped.subarray(i * 7, i * 7 + 7),
    );

    const records = await readAll(Readable.from(chunks));

    expect(buckets(records)).toEqual([
      'body:1 macie-sample-finding-bucket',
      'body:2 macie-sample-finding-bucket',
      'body:3 macie-sample-finding-bucket',
    ]);
  });

  it('reports a stream that fails after its first chunk, after what it read', async () => {
    let sent = false;
    const stream = new Readable({
      read() {
        if (sent) this.destroy(new Error('connection reset'));
        else this.push(Buffer.from(line));
        sent = true;
      },
    });

    const records = await readAll(stream);

    expect(buckets(records)).toEqual([
      'body:1 macie-sample-finding-bucket',
      'body:1 error: cannot read: connection reset',
    ]);
  });
});
