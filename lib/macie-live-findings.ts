import {
  type FindingCriteria,
  GetFindingsCommand,
  ListFindingsCommand,
  type Macie2Client,
} from '@aws-sdk/client-macie2';
import { MacieCallError } from './errors';

/** The most finding ids GetFindings takes in one call (and ListFindings returns in one page). */
export const MAX_FINDINGS_PER_CALL = 50;

/** The findings one GetFindings call returned. */
export interface FindingsBatch {
  /** Each finding as `aws macie2 get-findings` prints it: plain JSON, dates as ISO 8601 strings. */
  readonly findings: readonly unknown[];
  /** Ids that ListFindings listed and GetFindings did not return (deleted or expired in between). */
  readonly missing: readonly string[];
}

/** Port: the sensitive data findings Macie holds in one region. */
export interface SensitiveDataFindings {
  /** The region the findings are read from, for messages. */
  readonly region: string;
  /**
   * Every sensitive data finding updated at or after `since` (archived ones too),
   * a batch at a time, oldest first.
   *
   * @throws MacieCallError naming the call that failed.
   */
  updatedSince(since: Date): AsyncGenerator<FindingsBatch>;
}

/**
 * What ListFindings is asked for: sensitive data findings (category
 * `CLASSIFICATION`; policy findings are `POLICY`) updated at or after `since`.
 * Macie compares dates as milliseconds since the epoch.
 */
export function sensitiveDataSince(since: Date): FindingCriteria {
  return {
    criterion: {
      category: { eq: ['CLASSIFICATION'] },
      updatedAt: { gte: since.getTime() },
    },
  };
}

/**
 * Macie `ListFindings` (every page, by `nextToken`), then `GetFindings` for the
 * ids in batches of at most 50. At most one batch of ids is held at a time.
 */
export class MacieLiveFindings implements SensitiveDataFindings {
  constructor(
    private readonly client: Macie2Client,
    readonly region: string,
  ) {}

  async *updatedSince(since: Date): AsyncGenerator<FindingsBatch> {
    const findingCriteria = sensitiveDataSince(since);
    let pending: string[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.call('ListFindings', () =>
        this.client.send(
          new ListFindingsCommand({
            findingCriteria,
            sortCriteria: { attributeName: 'updatedAt', orderBy: 'ASC' },
            maxResults: MAX_FINDINGS_PER_CALL,
            nextToken: token,
          }),
        ),
      );
      for (const id of page.findingIds ?? []) {
        pending.push(id);
        if (pending.length === MAX_FINDINGS_PER_CALL) {
          yield await this.get(pending);
          pending = [];
        }
      }
      nextToken = page.nextToken || undefined;
      if (nextToken !== undefined && nextToken === token) {
        // A service that hands back the token it was given would page for ever.
        throw new MacieCallError('ListFindings', this.region, {
          cause: new Error('returned the same nextToken twice'),
        });
      }
    } while (nextToken !== undefined);
    if (pending.length > 0) yield await this.get(pending);
  }

  private async get(ids: readonly string[]): Promise<FindingsBatch> {
    const { findings = [] } = await this.call('GetFindings', () =>
      this.client.send(new GetFindingsCommand({ findingIds: [...ids] })),
    );
    const returned = new Set(findings.map((finding) => finding.id));
    return {
      // Through JSON, the SDK's Date objects become the ISO strings the finding parser reads.
      findings: JSON.parse(JSON.stringify(findings)) as unknown[],
      missing: ids.filter((id) => !returned.has(id)),
    };
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new MacieCallError(operation, this.region, { cause: error });
    }
  }
}
