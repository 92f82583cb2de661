import type { TagKeySettings } from '../lib/tag-keys';

/** The bucket the sample finding names; no such bucket needs to exist. */
export const SMOKE_BUCKET = 'bucket-classification-smoke-test';

/** The classification the sample bucket declares: lower than what is found in it. */
export const SMOKE_DECLARED_LEVEL = 'Public';

/** What the sample finding detects: a national ID, which every level below the top forbids. */
export const SMOKE_DETECTION = {
  category: 'PERSONAL_INFORMATION',
  type: 'USA_SOCIAL_SECURITY_NUMBER',
} as const;

export interface SmokeEventInput {
  /** The account the sample bucket is said to be in. */
  readonly accountId: string;
  readonly region: string;
  /** The team topic the bucket names; without one the notice goes to central security. */
  readonly topicArn: string | undefined;
  readonly tagKeys: TagKeySettings;
  /** 32 hex characters, like a Macie finding id. */
  readonly findingId: string;
  readonly now: Date;
}

/** `aws`, `aws-cn` or `aws-us-gov`, by the region's name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * An EventBridge "Macie Finding" event carrying a sample finding (`sample: true`)
 * shaped like those Macie sends: a bucket tagged `Public` in which a U.S. Social
 * Security number was found. The finding carries the bucket's tags, so the
 * function reads none from S3. A sample is alerted, marked as a sample, and kept
 * out of the ledger and the metrics.
 */
export function smokeFindingEvent(input: SmokeEventInput): Record<string, unknown> {
  const { accountId, region, topicArn, tagKeys, findingId, now } = input;
  const partition = partitionOf(region);
  const time = now.toISOString();
  const objectKey = 'smoke-test/sample-finding.csv';
  const tags = [
    { key: tagKeys.classification, value: SMOKE_DECLARED_LEVEL },
    { key: tagKeys.team, value: 'smoke-test' },
    ...(topicArn === undefined ? [] : [{ key: tagKeys.topic, value: topicArn }]),
  ];
  return {
    version: '0',
    id: findingId,
    'detail-type': 'Macie Finding',
    source: 'aws.macie',
    account: accountId,
    time,
    region,
    resources: [],
    detail: {
      schemaVersion: '1.0',
      id: findingId,
      accountId,
      partition,
      region,
      type: 'SensitiveData:S3Object/Personal',
      title: 'The S3 object contains personal information.',
      description: 'A sample finding sent by bucket-classification smoke to test a deployment.',
      createdAt: time,
      updatedAt: time,
      archived: false,
      sample: true,
      count: 1,
      category: 'CLASSIFICATION',
      severity: { score: 3, description: 'High' },
      classificationDetails: {
        originType: 'SENSITIVE_DATA_DISCOVERY_JOB',
        result: {
          status: { code: 'COMPLETE', reason: null },
          mimeType: 'text/csv',
          sizeClassified: 64,
          additionalOccurrences: false,
          sensitiveData: [
            {
              category: SMOKE_DETECTION.category,
              totalCount: 1,
              detections: [{ type: SMOKE_DETECTION.type, count: 1 }],
            },
          ],
          customDataIdentifiers: { detections: [], totalCount: 0 },
        },
      },
      resourcesAffected: {
        s3Bucket: {
          name: SMOKE_BUCKET,
          arn: `arn:${partition}:s3:::${SMOKE_BUCKET}`,
          tags,
          publicAccess: { effectivePermission: 'NOT_PUBLIC' },
        },
        s3Object: {
          key: objectKey,
          path: `${SMOKE_BUCKET}/${objectKey}`,
          size: 64,
        },
      },
    },
  };
}
