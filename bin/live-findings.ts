import type { Macie2Client } from '@aws-sdk/client-macie2';
import { FindingParseError, MacieCallError } from '../lib/errors';
import { parseFindings } from '../lib/macie-finding';
import type { SensitiveDataFindings } from '../lib/macie-live-findings';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import type { InputRecord } from './read-inputs';
import { UsageError } from './usage-error';

/** `--since` when not given: a weekly run sees every finding of its week. */
export const DEFAULT_SINCE = '7d';

/** What `check --live` reads: Macie's sensitive data findings updated since a moment. */
export interface LiveInput {
  readonly findings: SensitiveDataFindings;
  readonly since: Date;
}

const HOUR_MS = 60 * 60 * 1000;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS };
const AGO = /^(\d{1,6})([dh])$/i;
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * `--since`: `<n>d` or `<n>h` before `now`, or an ISO 8601 date (`2024-05-01`,
 * midnight UTC) or date and time (`2024-05-01T12:00:00Z`; UTC unless it carries
 * an offset). A moment after `now` would find nothing and is refused too.
 *
 * @throws UsageError naming `--since` and the forms it takes.
 */
export function parseSince(text: string, now: Date): Date {
  const value = text.trim();
  const since = ago(value, now) ?? isoMoment(value);
  if (since === undefined) {
    throw new UsageError(
      `--since must be <n>d, <n>h or an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z; got "${inert(text)}"`,
    );
  }
  if (since.getTime() > now.getTime()) {
    throw new UsageError(`--since ${inert(value)} is in the future: no finding was updated since`);
  }
  return since;
}

function ago(value: string, now: Date): Date | undefined {
  const match = AGO.exec(value);
  if (!match) return undefined;
  const [, count = '', unit = ''] = match;
  return new Date(now.getTime() - Number(count) * (UNIT_MS[unit.toLowerCase()] ?? 0));
}

function isoMoment(value: string): Date | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [, year, month, day, zone] = match;
  // Date.parse rolls 2024-02-31 over into March; a date that is not on the calendar is a typo.
  const midnight = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (midnight.getUTCMonth() !== Number(month) - 1 || midnight.getUTCDate() !== Number(day)) {
    return undefined;
  }
  const hasTime = value.length > 'YYYY-MM-DD'.length;
  const moment = new Date(hasTime && zone === undefined ? `${value}Z` : value);
  return Number.isNaN(moment.getTime()) ? undefined : moment;
}

/** The client `--live` reads through and the region it resolved to. */
export interface LiveClient {
  readonly client: Macie2Client;
  readonly region: string;
}

/**
 * A Macie client for `--live` with the caller's credentials (the SDK's default
 * chain). Its region: `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`
 * (which the AWS CLI reads and the JavaScript SDK does not), else the profile's.
 *
 * @throws UsageError when none of them names a region.
 */
export async function liveClient(
  regionFlag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<LiveClient> {
  const named =
    regionFlag?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
  // Loaded here, for --live only: reading files alone spends no start-up time on the SDK.
  const { Macie2Client } =
    require('@aws-sdk/client-macie2') as typeof import('@aws-sdk/client-macie2');
  const client = new Macie2Client(named === undefined ? {} : { region: named });
  try {
    return { client, region: await client.config.region() };
  } catch (error) {
    client.destroy();
    throw new UsageError(
      `check --live needs a region: give --region REGION, or set AWS_REGION, AWS_DEFAULT_REGION or a region in the AWS profile (${inert((error as Error).message)})`,
    );
  }
}

/** The IAM actions `--live` calls, named when they are refused. */
const LIVE_ACTIONS = 'macie2:ListFindings and macie2:GetFindings';

/**
 * Reads Macie's findings as input records, so they are judged as findings from a
 * file are. Each finding's source is `macie:<region>:<finding id>`. A failed call
 * ends the reading as one unreadable record naming the call and region (the other
 * inputs are still judged, and the run exits 2); what was read and which listed
 * findings Macie no longer returned are noted through `note`.
 */
export class LiveReading {
  /** Whether Macie answered every call: then even no finding at all is an answer. */
  answered = false;

  constructor(
    private readonly live: LiveInput,
    private readonly note: (text: string) => void,
  ) {}

  async *records(): AsyncGenerator<InputRecord> {
    const { findings, since } = this.live;
    const where = `macie:${findings.region}`;
    let read = 0;
    try {
      for await (const batch of findings.updatedSince(since)) {
        if (batch.missing.length > 0) this.noteMissing(batch.missing);
        for (const finding of batch.findings) {
          read++;
          const id = (finding as { id?: unknown }).id;
          const source = typeof id === 'string' && id !== '' ? `${where}:${id}` : where;
          for (const { item } of parseFindings(finding)) yield { source, result: item };
        }
      }
    } catch (error) {
      if (!(error instanceof MacieCallError)) throw error;
      yield { source: where, result: new FindingParseError(`cannot read: ${callProblem(error)}`) };
      return;
    }
    this.answered = true;
    const counted = read === 1 ? '1 sensitive data finding' : `${read} sensitive data findings`;
    this.note(
      `Macie in ${inert(findings.region)}: ${read === 0 ? 'no sensitive data findings' : counted} updated since ${since.toISOString()}\n`,
    );
  }

  private noteMissing(ids: readonly string[]): void {
    const shown = ids.slice(0, 10).map((id) => inert(id));
    const more = ids.length > shown.length ? ` and ${ids.length - shown.length} more` : '';
    const count = ids.length === 1 ? '1 listed finding was' : `${ids.length} listed findings were`;
    this.note(
      `Macie in ${inert(this.live.findings.region)}: ${count} not returned by GetFindings (expired or removed since they were listed): ${shown.join(', ')}${more}\n`,
    );
  }
}

/** Why a call failed, with what to do about the usual causes. */
function callProblem(error: MacieCallError): string {
  const region = inert(error.region);
  // Loaded when a call failed: the module brings the Macie SDK with it.
  const { isMacieNotEnabled } = require('../lib/macie-jobs') as typeof import('../lib/macie-jobs');
  if (isMacieNotEnabled(error.cause)) {
    return `Macie is not enabled in ${region} (${error.call} refused): enable it there, or give the --region where it is`;
  }
  const message = inert(error.message, MAX_MESSAGE);
  if ((error.cause as Error | undefined)?.name === 'AccessDeniedException') {
    return `${message}; --live needs ${LIVE_ACTIONS}`;
  }
  return message;
}
