import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { InputRecord, ReadHooks } from '../../../bin/input-stream';
import { readInputs } from '../../../bin/read-inputs';
import { parseConcurrency, parseS3Url } from '../../../bin/s3-inputs';
import { UsageError } from '../../../bin/usage-error';
import { FindingParseError } from '../../../lib/errors';
import type { ObjectPage, ObjectSource, PageRequest } from '../../../lib/s3-object-source';
import { awsError } from '../../support/aws-errors';
import { resultsObject } from '../../support/discovery-results';

/** Lets pending callbacks run, a few turns of the event loop. */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * An object source over objects held in memory that counts the bodies open at once
 * (opened and not yet closed). Opens finish in reverse order of their start, so
 * results in key order cannot come from the order of completion.
 */
class CountingObjectSource implements ObjectSource {
  readonly opened: string[] = [];
  readonly listings: Array<{ bucket: string; prefix: string; request: PageRequest }> = [];
  openNow = 0;
  maxOpen = 0;
  closed = false;

  constructor(
    private readonly objects: Record<string, Buffer>,
    private readonly failures: Record<string, Error> = {},
    private readonly bucket = 'results',
  ) {}

  async page(bucket: string, prefix: string, request: PageRequest = {}): Promise<ObjectPage> {
    this.listings.push({ bucket, prefix, request });
    const failure = this.failures[`list:${prefix}`];
    if (failure) throw failure;
    if (bucket !== this.bucket)
      throw awsError('NoSuchBucket', 'The specified bucket does not exist');
    const keys = Object.keys(this.objects)
      .filter((key) => key.startsWith(prefix))
      .sort();
    const start = request.token === undefined ? 0 : Number(request.token);
    const end = start + (request.maxKeys ?? 1000);
    const objects = keys.slice(start, end).map((key) => ({ key, size: this.objects[key]?.length }));
    return { objects, ...(end < keys.length ? { next: String(end) } : {}) };
  }

  async open(_bucket: string, key: string): Promise<Readable> {
    this.opened.push(key);
    const failure = this.failures[key];
    if (failure) throw failure;
    const content = this.objects[key] ?? Buffer.alloc(0);
    const body = Readable.from([content], { objectMode: false });
    this.openNow++;
    this.maxOpen = Math.max(this.maxOpen, this.openNow);
    body.once('close', () => this.openNow--);
    // Later keys finish sooner.
    await settle(Math.max(1, 20 - this.opened.length));
    return body;
  }

  close(): void {
    this.closed = true;
  }
}

async function readAll(
  inputs: readonly string[],
  objects: ObjectSource,
  options: { concurrency?: number; pageSize?: number; hooks?: ReadHooks } = {},
): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const record of readInputs(inputs, options.hooks, undefined, {
    objects,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  })) {
    records.push(record);
  }
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

const PREFIX = 'AWSLogs/111122223333/Macie/us-east-1/job-1/111122223333/';

/** `count` result objects named 00.jsonl.gz, 01.jsonl.gz, ..., one finding each about bucket-NN. */
function numberedObjects(count: number): Record<string, Buffer> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const n = String(i).padStart(2, '0');
      return [`${PREFIX}${n}.jsonl.gz`, resultsObject([`bucket-${n}`])];
    }),
  );
}

describe('reading s3:// inputs', () => {
  describe('concurrency', () => {
    it.each([1, 3, 4])(
      'never holds more than %i bodies open, and reads every object in key order',
      async (concurrency) => {
        const source = new CountingObjectSource(numberedObjects(12));

        const records = await readAll([`s3://results/${PREFIX}`], source, {
          concurrency,
          pageSize: 5,
        });

        expect(outline(records)).toEqual(
          Array.from({ length: 12 }, (_, i) => {
            const n = String(i).padStart(2, '0');
            return [`s3://results/${PREFIX}${n}.jsonl.gz:1`, `bucket-${n}`];
          }),
        );
        expect(source.maxOpen).toBe(concurrency);
        expect(source.openNow).toBe(0);
      },
    );

    it('closes the bodies it opened ahead when the reader stops early', async () => {
      const source = new CountingObjectSource(numberedObjects(10));
      const reading = readInputs([`s3://results/${PREFIX}`], {}, undefined, {
        objects: source,
        concurrency: 4,
      });

      const first = await reading.next();
      await reading.return(undefined);
      await settle(30);

      expect(first.value?.source).toBe(`s3://results/${PREFIX}00.jsonl.gz:1`);
      expect(source.opened).toHaveLength(4);
      expect(source.openNow).toBe(0);
    });

    it('reports a body that failed while it waited its turn, and reads the next', async () => {
      const objects = numberedObjects(3);
      const source = new CountingObjectSource(objects);
      const failing = `${PREFIX}01.jsonl.gz`;
      const open = source.open.bind(source);
      source.open = async (bucket: string, key: string) => {
        const body = await open(bucket, key);
        if (key === failing) body.destroy(new Error('socket hang up'));
        return body;
      };

      const records = await readAll([`s3://results/${PREFIX}`], source, { concurrency: 3 });

      expect(outline(records)).toEqual([
        [`s3://results/${PREFIX}00.jsonl.gz:1`, 'bucket-00'],
        [`s3://results/${failing}`, 'error: cannot read: socket hang up'],
        [`s3://results/${PREFIX}02.jsonl.gz:1`, 'bucket-02'],
      ]);
    });
  });

  describe('listing', () => {
    it('reads a whole bucket, and skips what is not a findings file, naming it', async () => {
      const source = new CountingObjectSource({
        'a/one.jsonl.gz': resultsObject(['bucket-a']),
        'a/manifest.csv': Buffer.from('key,size\n'),
        'a/': Buffer.alloc(0),
        'b/two.json': gunzipSync(resultsObject(['bucket-b'])),
      });
      const skipped: string[] = [];

      const records = await readAll(['s3://results'], source, {
        hooks: { onSkip: (file, reason) => skipped.push(`${file}: ${reason}`) },
      });

      expect(outline(records)).toEqual([
        ['s3://results/a/one.jsonl.gz:1', 'bucket-a'],
        ['s3://results/b/two.json:1', 'bucket-b'],
      ]);
      expect(skipped).toEqual([
        's3://results/a/manifest.csv: not a .json, .jsonl or .ndjson file (optionally .gz)',
      ]);
      expect(source.listings.map(({ prefix }) => prefix)).toEqual(['']);
    });

    it('reads the one object a key names, whatever its name', async () => {
      const source = new CountingObjectSource({
        'exports/today': resultsObject(['bucket-today']),
        'exports/today/other.jsonl.gz': resultsObject(['bucket-other']),
      });

      const records = await readAll(['s3://results/exports/today'], source);

      expect(outline(records)).toEqual([['s3://results/exports/today:1', 'bucket-today']]);
      expect(source.opened).toEqual(['exports/today']);
    });

    it('takes a key without a trailing slash as a folder, not as the start of other names', async () => {
      const source = new CountingObjectSource({
        'AWSLogs/1111/x.jsonl.gz': resultsObject(['bucket-1111']),
        'AWSLogs/11112222/x.jsonl.gz': resultsObject(['bucket-11112222']),
      });

      const records = await readAll(['s3://results/AWSLogs/1111'], source);

      expect(outline(records)).toEqual([['s3://results/AWSLogs/1111/x.jsonl.gz:1', 'bucket-1111']]);
      expect(source.listings.map(({ prefix, request }) => [prefix, request.maxKeys])).toEqual([
        ['AWSLogs/1111', 1],
        ['AWSLogs/1111/', 1000],
      ]);
    });

    it('notes a prefix with no objects under it', async () => {
      const source = new CountingObjectSource({ 'a/one.jsonl.gz': resultsObject(['bucket-a']) });
      const skipped: string[] = [];

      const records = await readAll(['s3://results/typo/'], source, {
        hooks: { onSkip: (file, reason) => skipped.push(`${file}: ${reason}`) },
      });

      expect(records).toEqual([]);
      expect(skipped).toEqual(['s3://results/typo/: no objects under this prefix (is it right?)']);
    });

    it('notes an empty bucket', async () => {
      const skipped: string[] = [];

      await readAll(['s3://results'], new CountingObjectSource({}), {
        hooks: { onSkip: (file, reason) => skipped.push(`${file}: ${reason}`) },
      });

      expect(skipped).toEqual(['s3://results: the bucket holds no objects']);
    });
  });

  describe('errors', () => {
    it('reports a bucket that does not exist, then reads the next input', async () => {
      const source = new CountingObjectSource({ 'a/one.jsonl.gz': resultsObject(['bucket-a']) });

      const records = await readAll(['s3://no-such-bucket/a/', 's3://results/a/'], source);

      expect(outline(records)).toEqual([
        [
          's3://no-such-bucket/a/',
          'error: cannot read: NoSuchBucket: The specified bucket does not exist (check the bucket name)',
        ],
        ['s3://results/a/one.jsonl.gz:1', 'bucket-a'],
      ]);
    });

    it('reports a listing S3 refuses with the permission it needs', async () => {
      const source = new CountingObjectSource(
        {},
        { 'list:': awsError('AccessDenied', 'Access Denied') },
      );

      const records = await readAll(['s3://results'], source);

      expect(outline(records)).toEqual([
        [
          's3://results',
          'error: cannot read: AccessDenied: Access Denied (s3:ListBucket on the bucket is needed)',
        ],
      ]);
    });

    it('reads the object a key names when it may not list the bucket', async () => {
      const source = new CountingObjectSource(
        { 'exports/today.jsonl.gz': resultsObject(['bucket-today']) },
        { 'list:exports/today.jsonl.gz': awsError('AccessDenied', 'Access Denied') },
      );

      const records = await readAll(['s3://results/exports/today.jsonl.gz'], source);

      expect(outline(records)).toEqual([['s3://results/exports/today.jsonl.gz:1', 'bucket-today']]);
      expect(source.opened).toEqual(['exports/today.jsonl.gz']);
    });

    it('names both permissions when a key can be neither listed nor read as an object', async () => {
      const denied = awsError('AccessDenied', 'Access Denied');
      const source = new CountingObjectSource(
        {},
        { 'list:exports/today': denied, 'exports/today': denied },
      );

      const records = await readAll(['s3://results/exports/today'], source);

      expect(outline(records)).toEqual([
        [
          's3://results/exports/today',
          'error: cannot read: AccessDenied: Access Denied (the key could not be listed either: ' +
            's3:ListBucket on the bucket is needed to read the objects under a prefix, or ' +
            's3:GetObject on the object (and kms:Decrypt on its KMS key, if it has one) to read one object)',
        ],
      ]);
    });

    it('keeps the hint of an object read without a listing when S3 refuses it for another reason', async () => {
      const source = new CountingObjectSource(
        {},
        {
          'list:exports/old.jsonl.gz': awsError('AccessDenied', 'Access Denied'),
          'exports/old.jsonl.gz': awsError('InvalidObjectState', 'The operation is not valid'),
        },
      );

      const records = await readAll(['s3://results/exports/old.jsonl.gz'], source);

      expect(outline(records)).toEqual([
        [
          's3://results/exports/old.jsonl.gz',
          'error: cannot read: InvalidObjectState: The operation is not valid (the object is archived; restore it first)',
        ],
      ]);
    });

    it('does not read a prefix as an object when S3 refuses to list it for another reason', async () => {
      const source = new CountingObjectSource(
        {},
        { 'list:exports/today': awsError('SlowDown', 'Please reduce your request rate') },
      );

      const records = await readAll(['s3://results/exports/today'], source);

      expect(outline(records)).toEqual([
        [
          's3://results/exports/today',
          'error: cannot read: SlowDown: Please reduce your request rate',
        ],
      ]);
      expect(source.opened).toEqual([]);
    });

    it('reports an object it may not read (its KMS key too) and reads the next one', async () => {
      const objects = numberedObjects(3);
      const denied = `${PREFIX}01.jsonl.gz`;
      const kmsDenied = awsError(
        'AccessDenied',
        'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: kms:Decrypt',
      );
      const source = new CountingObjectSource(objects, { [denied]: kmsDenied });

      const records = await readAll([`s3://results/${PREFIX}`], source);

      expect(outline(records)).toEqual([
        [`s3://results/${PREFIX}00.jsonl.gz:1`, 'bucket-00'],
        [
          `s3://results/${denied}`,
          'error: cannot read: AccessDenied: User: arn:aws:iam::111122223333:user/ci is not authorized to perform: kms:Decrypt (s3:GetObject on the object is needed, and kms:Decrypt on its KMS key when it is encrypted with one)',
        ],
        [`s3://results/${PREFIX}02.jsonl.gz:1`, 'bucket-02'],
      ]);
    });

    it('says to set a region when none is set', async () => {
      const source = new CountingObjectSource({}, { 'list:': new Error('Region is missing') });

      const records = await readAll(['s3://results'], source);

      expect(outline(records)).toEqual([
        [
          's3://results',
          "error: cannot read: no AWS region is set: set AWS_REGION (any region will do: S3 answers with the bucket's own)",
        ],
      ]);
    });

    it('reports a corrupt gzip object by name and reads the others', async () => {
      const source = new CountingObjectSource({
        'a/1.jsonl.gz': resultsObject(['bucket-1']),
        'a/2.jsonl.gz': Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('junk')]),
        'a/3.jsonl.gz': resultsObject(['bucket-3']),
      });

      const records = await readAll(['s3://results/a/'], source);

      expect(outline(records)).toEqual([
        ['s3://results/a/1.jsonl.gz:1', 'bucket-1'],
        ['s3://results/a/2.jsonl.gz', 'error: cannot read: corrupt or truncated gzip data'],
        ['s3://results/a/3.jsonl.gz:1', 'bucket-3'],
      ]);
    });

    it.each(['s3://', 's3:///key.jsonl', 's3://a/', 's3://bad bucket/key.json'])(
      'reports %s as not an S3 URL',
      async (url) => {
        const records = await readAll([url], new CountingObjectSource({}));

        expect(outline(records)).toEqual([
          [
            url,
            'error: cannot read: not an S3 URL: give s3://BUCKET, s3://BUCKET/PREFIX/ or s3://BUCKET/KEY',
          ],
        ]);
      },
    );
  });

  describe('parseS3Url', () => {
    it.each([
      ['s3://results', { bucket: 'results', key: '' }],
      ['s3://results/', { bucket: 'results', key: '' }],
      ['s3://my.results-1/AWSLogs/', { bucket: 'my.results-1', key: 'AWSLogs/' }],
      ['s3://Legacy_Bucket/a b.json', { bucket: 'Legacy_Bucket', key: 'a b.json' }],
    ])('splits %s', (url, expected) => {
      expect(parseS3Url(url)).toEqual(expected);
    });
  });

  describe('parseConcurrency', () => {
    it.each([
      ['1', 1],
      ['4', 4],
      [' 64 ', 64],
    ])('takes %j', (value, expected) => {
      expect(parseConcurrency(value)).toBe(expected);
    });

    it.each(['0', '65', '-1', '2.5', 'four', ''])('refuses %j, naming the option', (value) => {
      expect(() => parseConcurrency(value)).toThrow(UsageError);
      expect(() => parseConcurrency(value)).toThrow(
        `--concurrency must be a whole number from 1 to 64; got "${value}"`,
      );
    });
  });
});
