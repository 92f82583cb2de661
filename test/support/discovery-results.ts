/**
 * Sensitive data discovery results made the way Macie writes them to its results
 * bucket: JSON Lines of bare findings, gzipped, under
 * `AWSLogs/<account>/Macie/<region>/<job>/<account>/<uuid>.jsonl.gz`.
 */
import { gzipSync } from 'node:zlib';
import { loadMacieLines, type RawFinding } from './fixtures';

/** The results key prefix Macie uses for one job's results of one account. */
export function resultsPrefix(account: string, region: string, jobId: string): string {
  return `AWSLogs/${account}/Macie/${region}/${jobId}/${account}/`;
}

/** A discovery result (the fixture's first record) about an object in `bucket`. */
export function discoveryResult(bucket: string, id: string): RawFinding {
  const [record] = loadMacieLines('discovery-result.jsonl');
  record.id = id;
  record.resourcesAffected.s3Bucket.name = bucket;
  record.resourcesAffected.s3Bucket.arn = `arn:aws:s3:::${bucket}`;
  return record;
}

/** One result per bucket (each with its own id), one a line, gzipped as Macie writes them. */
export function resultsObject(buckets: readonly string[]): Buffer {
  const lines = buckets.map((bucket, i) =>
    JSON.stringify(discoveryResult(bucket, `result-${bucket}-${i}`)),
  );
  return gzipSync(`${lines.join('\n')}\n`);
}
