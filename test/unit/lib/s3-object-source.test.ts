import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { defaultS3Clients, S3ObjectSource } from '../../../lib/s3-object-source';
import { awsError } from '../../support/aws-errors';

/** S3's answer to a request sent to a region other than the bucket's. */
function wrongRegion(bucketRegion: string | undefined, status = 301, name = 'PermanentRedirect') {
  return Object.assign(
    awsError(
      name,
      'The bucket you are attempting to access must be addressed using the specified endpoint.',
    ),
    {
      $metadata: { httpStatusCode: status },
      $response: {
        statusCode: status,
        headers: bucketRegion === undefined ? {} : { 'x-amz-bucket-region': bucketRegion },
      },
    },
  );
}

/** One mocked client per region (`default` for the SDK's own), built when first asked for. */
class RegionClients {
  readonly made: Array<string | undefined> = [];
  readonly stubs = new Map<string, AwsClientStub<S3Client>>();
  readonly clients = new Map<string, S3Client>();

  constructor(private readonly prepare: (region: string, stub: AwsClientStub<S3Client>) => void) {}

  readonly factory = (region?: string): S3Client => {
    this.made.push(region);
    const name = region ?? 'default';
    const client = new S3Client({ region: region ?? 'us-east-1' });
    const stub = mockClient(client);
    this.prepare(name, stub);
    this.stubs.set(name, stub);
    this.clients.set(name, client);
    return client;
  };

  calls(region: string): number {
    return this.stubs.get(region)?.calls().length ?? 0;
  }

  restore(): void {
    for (const stub of this.stubs.values()) stub.restore();
  }
}

function body(text: string): GetObjectCommandOutput {
  return {
    $metadata: {},
    Body: Readable.from([Buffer.from(text)]) as GetObjectCommandOutput['Body'],
  };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('S3ObjectSource', () => {
  let regions: RegionClients;
  afterEach(() => regions.restore());

  it('lists a page under a prefix with its size, and where the next starts', async () => {
    const inputs: unknown[] = [];
    regions = new RegionClients((_region, stub) => {
      stub.on(ListObjectsV2Command).callsFake((input) => {
        inputs.push(input);
        return {
          Contents: [{ Key: 'a/1.jsonl.gz', Size: 120 }, { Size: 3 }, { Key: 'a/2.jsonl.gz' }],
          IsTruncated: true,
          NextContinuationToken: 'page-2',
        };
      });
    });

    const page = await new S3ObjectSource(regions.factory).page('results', 'a/', {
      token: 'page-1',
      maxKeys: 2,
    });

    expect(page).toEqual({
      objects: [
        { key: 'a/1.jsonl.gz', size: 120 },
        { key: 'a/2.jsonl.gz', size: undefined },
      ],
      next: 'page-2',
    });
    expect(inputs).toEqual([
      { Bucket: 'results', Prefix: 'a/', MaxKeys: 2, ContinuationToken: 'page-1' },
    ]);
  });

  it('lists a whole bucket without a prefix, and ends where S3 says it is not truncated', async () => {
    const inputs: unknown[] = [];
    regions = new RegionClients((_region, stub) => {
      stub.on(ListObjectsV2Command).callsFake((input) => {
        inputs.push(input);
        return { IsTruncated: false, NextContinuationToken: 'stale' };
      });
    });

    const page = await new S3ObjectSource(regions.factory).page('results', '');

    expect(page).toEqual({ objects: [] });
    expect(inputs).toEqual([{ Bucket: 'results' }]);
  });

  it('opens an object as the stream S3 sends', async () => {
    regions = new RegionClients((_region, stub) => {
      stub
        .on(GetObjectCommand, { Bucket: 'results', Key: 'a/1.jsonl' })
        .resolves(body('{"x":1}\n'));
    });

    const stream = await new S3ObjectSource(regions.factory).open('results', 'a/1.jsonl');

    expect(await text(stream)).toBe('{"x":1}\n');
  });

  it('refuses an answer without a stream, naming the object', async () => {
    regions = new RegionClients((_region, stub) => {
      stub.on(GetObjectCommand).resolves({ $metadata: {} });
    });

    await expect(new S3ObjectSource(regions.factory).open('results', 'a/1.jsonl')).rejects.toThrow(
      's3://results/a/1.jsonl: GetObject gave no readable stream',
    );
  });

  it.each([
    [301, 'PermanentRedirect'],
    [400, 'AuthorizationHeaderMalformed'],
    [400, 'IllegalLocationConstraintException'],
  ])(
    'sends a request again in the region S3 names (%i %s), and keeps to it for the bucket',
    async (status, name) => {
      regions = new RegionClients((region, stub) => {
        if (region === 'default') {
          stub.on(ListObjectsV2Command).rejects(wrongRegion('eu-west-1', status, name));
          stub.on(GetObjectCommand).rejects(wrongRegion('eu-west-1', status, name));
        } else {
          stub.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'k.json', Size: 8 }] });
          stub.on(GetObjectCommand).resolves(body(`{"in":"${region}"}`));
        }
      });
      const source = new S3ObjectSource(regions.factory);

      const page = await source.page('elsewhere', '');
      const stream = await source.open('elsewhere', 'k.json');

      expect(page.objects).toEqual([{ key: 'k.json', size: 8 }]);
      expect(await text(stream)).toBe('{"in":"eu-west-1"}');
      expect(regions.made).toEqual([undefined, 'eu-west-1']);
      expect(regions.calls('default')).toBe(1);
      expect(regions.calls('eu-west-1')).toBe(2);
    },
  );

  it('passes on a redirect that names no region', async () => {
    regions = new RegionClients((_region, stub) => {
      stub.on(ListObjectsV2Command).rejects(wrongRegion(undefined));
    });

    await expect(new S3ObjectSource(regions.factory).page('elsewhere', '')).rejects.toThrow(
      expect.objectContaining({ name: 'PermanentRedirect' }),
    );
    expect(regions.made).toEqual([undefined]);
  });

  it('passes on other errors without asking another region', async () => {
    regions = new RegionClients((_region, stub) => {
      stub.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    });

    await expect(new S3ObjectSource(regions.factory).open('results', 'k.json')).rejects.toThrow(
      expect.objectContaining({ name: 'AccessDenied' }),
    );
    expect(regions.made).toEqual([undefined]);
  });

  it('does not go round in circles when the named region redirects again', async () => {
    regions = new RegionClients((_region, stub) => {
      stub.on(ListObjectsV2Command).rejects(wrongRegion('eu-west-1'));
    });
    const source = new S3ObjectSource(regions.factory);

    await expect(source.page('elsewhere', '')).rejects.toThrow(
      expect.objectContaining({ name: 'PermanentRedirect' }),
    );
    await expect(source.page('elsewhere', '')).rejects.toThrow(
      expect.objectContaining({ name: 'PermanentRedirect' }),
    );
    expect(regions.calls('default')).toBe(1);
    expect(regions.calls('eu-west-1')).toBe(2);
  });

  it('closes every client it made', async () => {
    regions = new RegionClients((region, stub) => {
      if (region === 'default') stub.on(ListObjectsV2Command).rejects(wrongRegion('eu-west-1'));
      else stub.on(ListObjectsV2Command).resolves({});
    });
    const source = new S3ObjectSource(regions.factory);
    await source.page('elsewhere', '');
    const destroyed = [...regions.clients.values()].map((client) => jest.spyOn(client, 'destroy'));

    source.close();

    expect(destroyed).toHaveLength(2);
    for (const destroy of destroyed) expect(destroy).toHaveBeenCalledTimes(1);
  });
});

describe('defaultS3Clients', () => {
  it('builds a client for the region asked for', async () => {
    const client = defaultS3Clients('eu-west-2');

    await expect(client.config.region()).resolves.toBe('eu-west-2');
    client.destroy();
  });
});
