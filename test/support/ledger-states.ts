import type { Severity } from '../../policies/policy';
import type { BucketState } from '../../rules/bucket-state';

/** What differs between the card-number buckets the ledger tests put in a ledger. */
export interface CardNumbersBucket {
  readonly accountId: string;
  readonly bucket: string;
  readonly level: string;
  readonly topicArn: string;
  readonly team: string;
  /** The severity the team was told of; no notice at all when `undefined`. */
  readonly notifiedSeverity?: Severity;
}

/**
 * A ledger entry of a bucket declared at `level` that holds card numbers (12 in 3
 * objects, found on 30 and 31 May 2025), read live, open since the first finding.
 */
export function cardNumbersBucket(options: CardNumbersBucket): BucketState {
  const { bucket, topicArn } = options;
  return {
    accountId: options.accountId,
    bucket,
    region: 'us-east-1',
    partition: 'aws',
    declaration: {
      tags: { DataClassification: options.level, SupportSNSTopic: topicArn, Team: options.team },
      source: 'live',
      readAt: '2025-05-30T00:00:00.000Z',
    },
    types: {
      CREDIT_CARD_NUMBER: {
        type: 'CREDIT_CARD_NUMBER',
        category: 'FINANCIAL_INFORMATION',
        custom: false,
        count: 12,
        findings: 3,
        firstSeen: '2025-05-30T09:00:00.000Z',
        lastSeen: '2025-05-31T09:00:00.000Z',
        examples: [],
      },
    },
    publiclyAccessible: false,
    findings: 3,
    findingsSinceNotice: 0,
    openSince: '2025-05-30T09:00:00.000Z',
    ...(options.notifiedSeverity === undefined
      ? {}
      : {
          lastNotice: {
            id: `n-${bucket}`,
            kind: 'violation',
            at: '2025-05-31T10:00:00.000Z',
            topicArn,
            delivery: 'sent',
            verdict: 'violation',
            severity: options.notifiedSeverity,
            types: ['CREDIT_CARD_NUMBER'],
            publiclyAccessible: false,
          },
        }),
  };
}
