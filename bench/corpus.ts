/**
 * A deterministic corpus of Macie sensitive-data findings, shaped like GetFindings
 * output (about 3 KB a line as JSON Lines, like real ones): the same seed always writes the same file.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** A small, fast, seeded generator (mulberry32): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DETECTIONS: ReadonlyArray<readonly [category: string, type: string, column: string]> = [
  ['PERSONAL_INFORMATION', 'NAME', 'name'],
  ['PERSONAL_INFORMATION', 'ADDRESS', 'address'],
  ['PERSONAL_INFORMATION', 'EMAIL_ADDRESS', 'email'],
  ['PERSONAL_INFORMATION', 'PHONE_NUMBER', 'phone'],
  ['PERSONAL_INFORMATION', 'USA_SOCIAL_SECURITY_NUMBER', 'ssn'],
  ['PERSONAL_INFORMATION', 'USA_PASSPORT_NUMBER', 'passport'],
  ['FINANCIAL_INFORMATION', 'CREDIT_CARD_NUMBER', 'pan'],
  ['FINANCIAL_INFORMATION', 'CREDIT_CARD_EXPIRATION', 'expiry'],
  ['FINANCIAL_INFORMATION', 'BANK_ACCOUNT_NUMBER', 'iban'],
  ['CREDENTIALS', 'AWS_CREDENTIALS', 'secret'],
];
const FINDING_TYPES: Readonly<Record<string, string>> = {
  PERSONAL_INFORMATION: 'Personal',
  FINANCIAL_INFORMATION: 'Financial',
  CREDENTIALS: 'Credentials',
};
const LEVELS = ['Public', 'Internal', 'Confidential', 'Restricted', 'confidential '];
const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const TEAMS = 30;
const BUCKETS = 2000;

/** The finding numbered `index`, drawing its variety from `random`. */
export function corpusFinding(index: number, random: () => number): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (length: number): string =>
    Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const bucketNumber = Math.floor(random() * BUCKETS);
  const team = `team-${bucketNumber % TEAMS}`;
  const account = ACCOUNTS[bucketNumber % ACCOUNTS.length] as string;
  const bucket = `${team}-data-${bucketNumber}`;
  const jobId = hex(32);
  const key = `exports/${2024 + (index % 2)}/${String((index % 12) + 1).padStart(2, '0')}/batch-${index}.csv`;
  const size = 2000 + Math.floor(random() * 200000);
  const when = new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString();

  const chosen = new Map<string, Array<readonly [string, string, string]>>();
  const detectionCount = 1 + Math.floor(random() * 3);
  for (let i = 0; i < detectionCount; i++) {
    // Credentials are rare, as in real scans.
    const detection =
      random() < 0.02
        ? (DETECTIONS[9] as (typeof DETECTIONS)[number])
        : pick(DETECTIONS.slice(0, 9));
    const list = chosen.get(detection[0]) ?? [];
    if (!list.some(([, type]) => type === detection[1])) list.push(detection);
    chosen.set(detection[0], list);
  }
  const sensitiveData = [...chosen].map(([category, detections]) => {
    const built = detections.map(([, type, columnName], column) => {
      const count = 1 + Math.floor(random() * 40);
      const cells = Array.from({ length: Math.min(count, 3) }, (_, row) => ({
        cellReference: null,
        column: column + 2,
        columnName,
        row: row + 2,
      }));
      return { count, occurrences: { cells }, type };
    });
    return {
      category,
      detections: built,
      totalCount: built.reduce((sum, { count }) => sum + count, 0),
    };
  });

  const untagged = random() < 0.03;
  const tags = untagged
    ? []
    : [
        { key: 'DataClassification', value: pick(LEVELS) },
        { key: 'SupportSNSTopic', value: `arn:aws:sns:us-east-1:${account}:${team}-alerts` },
        { key: 'Team', value: team },
      ];
  const isPublic = random() < 0.02;
  const blockPublicAccess = {
    blockPublicAcls: !isPublic,
    blockPublicPolicy: !isPublic,
    ignorePublicAcls: !isPublic,
    restrictPublicBuckets: !isPublic,
  };

  return {
    accountId: account,
    archived: false,
    category: 'CLASSIFICATION',
    classificationDetails: {
      detailedResultsLocation: `s3://macie-discovery-results-${account}/AWSLogs/${account}/Macie/us-east-1/${jobId}/${account}/${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}.jsonl.gz`,
      jobArn: `arn:aws:macie2:us-east-1:${account}:classification-job/${jobId}`,
      jobId,
      originType: 'SENSITIVE_DATA_DISCOVERY_JOB',
      result: {
        additionalOccurrences: true,
        customDataIdentifiers: { detections: [], totalCount: 0 },
        mimeType: 'text/csv',
        sensitiveData,
        sizeClassified: size,
        status: { code: 'COMPLETE', reason: null },
      },
    },
    count: 1,
    createdAt: when,
    description: 'The S3 object contains sensitive information.',
    id: hex(32),
    partition: 'aws',
    region: 'us-east-1',
    resourcesAffected: {
      s3Bucket: {
        allowsUnencryptedObjectUploads: 'FALSE',
        arn: `arn:aws:s3:::${bucket}`,
        createdAt: '2024-02-06T10:12:44.000Z',
        defaultServerSideEncryption: { encryptionType: 'AES256', kmsMasterKeyId: null },
        name: bucket,
        owner: { displayName: `owner-${account}`, id: hex(64) },
        publicAccess: {
          effectivePermission: isPublic ? 'PUBLIC' : 'NOT_PUBLIC',
          permissionConfiguration: {
            accountLevelPermissions: { blockPublicAccess },
            bucketLevelPermissions: {
              accessControlList: {
                allowsPublicReadAccess: isPublic,
                allowsPublicWriteAccess: false,
              },
              blockPublicAccess,
              bucketPolicy: { allowsPublicReadAccess: false, allowsPublicWriteAccess: false },
            },
          },
        },
        tags,
      },
      s3Object: {
        bucketArn: `arn:aws:s3:::${bucket}`,
        eTag: hex(32),
        extension: 'csv',
        key,
        lastModified: when,
        path: `${bucket}/${key}`,
        publicAccess: isPublic,
        serverSideEncryption: { encryptionType: 'AES256', kmsMasterKeyId: null },
        size,
        storageClass: 'STANDARD',
        tags: [],
        versionId: '',
      },
    },
    sample: false,
    schemaVersion: '1.0',
    severity: { description: 'High', score: 3 },
    title: 'The S3 object contains sensitive information.',
    type: `SensitiveData:S3Object/${chosen.size > 1 ? 'Multiple' : FINDING_TYPES[[...chosen.keys()][0] as string]}`,
    updatedAt: when,
  };
}

/** Writes `count` findings as JSON Lines to `file`; returns the bytes written. */
export async function writeCorpus(file: string, count: number, seed: number): Promise<number> {
  const random = seededRandom(seed);
  const out = createWriteStream(file);
  let bytes = 0;
  for (let index = 0; index < count; index++) {
    const line = `${JSON.stringify(corpusFinding(index, random))}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
