import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 SDK, loaded on first use rather than with this module: `check` over local
 * files then spends no start-up time on it.
 */
function s3Sdk(): typeof import('@aws-sdk/client-s3') {
  return require('@aws-sdk/client-s3');
}

/**
 * Builds the S3 client for a region, or for the region of the SDK's default chain
 * (`AWS_REGION`, the profile) when none is given.
 */
export type S3ClientFactory = (region?: string) => S3Client;

export const defaultS3Clients: S3ClientFactory = (region) =>
  new (s3Sdk().S3Client)(region === undefined ? {} : { region });

/** The most keys one `ListObjectsV2` page holds (S3's own limit). */
export const KEYS_PER_PAGE = 1000;

/** An object named in a listing. */
export interface ObjectSummary {
  readonly key: string;
  /** Bytes, as listed. */
  readonly size: number | undefined;
}

/** One page of a listing, in key order. */
export interface ObjectPage {
  readonly objects: ObjectSummary[];
  /** Where the next page starts; absent on the last page. */
  readonly next?: string;
}

export interface PageRequest {
  /** Where the page starts (the first page without one). */
  readonly token?: string;
  /** At most this many keys (S3 caps it at {@link KEYS_PER_PAGE}). */
  readonly maxKeys?: number;
}

/** Port: the objects of a bucket, listed page by page and read as streams. */
export interface ObjectSource {
  /** The objects whose keys start with `prefix` (all of them for `''`), in key order. */
  page(bucket: string, prefix: string, request?: PageRequest): Promise<ObjectPage>;
  /**
   * The content of an object, streamed as it arrives (never gathered whole). The
   * caller reads or destroys the stream; `signal` gives up an open still on its way.
   */
  open(bucket: string, key: string, signal?: AbortSignal): Promise<Readable>;
  /** Closes the connections the source holds open. */
  close(): void;
}

/**
 * `ListObjectsV2` and `GetObject`. Objects encrypted with SSE-KMS are decrypted by
 * S3 when the caller may use the key (`kms:Decrypt`); otherwise S3 answers
 * `AccessDenied`. A bucket in another region than the client's answers with a
 * redirect naming its region (`x-amz-bucket-region`): the request is sent again
 * through a client for that region, which serves the bucket from then on.
 */
export class S3ObjectSource implements ObjectSource {
  private readonly clients = new Map<string, S3Client>();
  private readonly bucketRegions = new Map<string, string>();

  constructor(private readonly clientFor: S3ClientFactory = defaultS3Clients) {}

  async page(bucket: string, prefix: string, request: PageRequest = {}): Promise<ObjectPage> {
    const output = await this.send(bucket, (client) =>
      client.send(
        new (s3Sdk().ListObjectsV2Command)({
          Bucket: bucket,
          ...(prefix === '' ? {} : { Prefix: prefix }),
          ...(request.maxKeys === undefined ? {} : { MaxKeys: request.maxKeys }),
          ...(request.token === undefined ? {} : { ContinuationToken: request.token }),
        }),
      ),
    );
    const objects = (output.Contents ?? []).flatMap((object) =>
      object.Key === undefined ? [] : [{ key: object.Key, size: object.Size }],
    );
    // S3 sets IsTruncated with the token; a token alone on a last page would loop.
    const next = output.IsTruncated ? output.NextContinuationToken : undefined;
    return { objects, ...(next ? { next } : {}) };
  }

  async open(bucket: string, key: string, signal?: AbortSignal): Promise<Readable> {
    const output = await this.send(bucket, (client) =>
      client.send(
        new (s3Sdk().GetObjectCommand)({ Bucket: bucket, Key: key }),
        signal === undefined ? {} : { abortSignal: signal },
      ),
    );
    if (!(output.Body instanceof Readable)) {
      // Only a browser build of the SDK answers with a web stream; the CLI runs on Node.
      throw new Error(`s3://${bucket}/${key}: GetObject gave no readable stream`);
    }
    return output.Body;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private async send<T>(bucket: string, call: (client: S3Client) => Promise<T>): Promise<T> {
    const known = this.bucketRegions.get(bucket);
    try {
      return await call(this.client(known));
    } catch (error) {
      const region = redirectedRegion(error);
      if (region === undefined || region === known) throw error;
      this.bucketRegions.set(bucket, region);
      return call(this.client(region));
    }
  }

  private client(region: string | undefined): S3Client {
    const name = region ?? '';
    let client = this.clients.get(name);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(name, client);
    }
    return client;
  }
}

/**
 * Errors with which S3 says the bucket lives in another region: a 301
 * (`PermanentRedirect`) from the older regions, a 400 from those opened since 2019.
 */
const WRONG_REGION_ERRORS = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

/** The bucket's region when `error` is S3 sending the request elsewhere. */
function redirectedRegion(error: unknown): string | undefined {
  const { name, $metadata, $response } = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
  };
  const wrongRegion = $metadata?.httpStatusCode === 301 || WRONG_REGION_ERRORS.has(name ?? '');
  const region = $response?.headers?.['x-amz-bucket-region'];
  return wrongRegion && region ? region : undefined;
}
