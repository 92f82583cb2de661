import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import type { Waiver, Waivers } from '../policies/waiver';
import { daysLeft, expiringWithin, isActive } from '../rules/waivers';
import { EXIT_OK } from './check-command';
import { csvCell, FORMATS, type Format, formatTable, truncate } from './report';
import { UsageError } from './usage-error';

export interface WaiversValidateOptions {
  readonly waivers: Waivers;
  /** The moment waivers are judged active or expired at. */
  readonly now: Date;
  readonly stdout: (text: string) => void;
}

export interface WaiversListOptions extends WaiversValidateOptions {
  readonly format: Format;
  /** Only the active waivers with at most this many days left. */
  readonly expiring?: number;
}

export interface WaiversSummary {
  readonly waivers: number;
  readonly active: number;
  readonly expired: number;
}

/** One waiver as every output format of `waivers list` sees it. */
export interface WaiverRow {
  readonly bucket: string;
  readonly accountId: string | null;
  readonly types: readonly string[];
  readonly ticket: string;
  readonly approver: string;
  /** As written in the file. */
  readonly expires: string;
  /** The first instant the waiver no longer holds, ISO 8601 in UTC. */
  readonly expiresAt: string;
  readonly status: 'active' | 'expired';
  /** Whole days to the last day it holds: 0 on that day, negative once expired. */
  readonly daysLeft: number;
  readonly reason: string;
  /** `file:line` of the waiver. */
  readonly source: string;
}

/** `waivers validate`: one line saying the file is valid and how many waivers still hold. */
export function runWaiversValidate(options: WaiversValidateOptions): number {
  const { waivers, now, stdout } = options;
  stdout(
    `${inert(waivers.source, MAX_MESSAGE)}: valid waivers: ${describeSummary(summarise(waivers, now))}\n`,
  );
  return EXIT_OK;
}

/**
 * `waivers list`: every waiver, the soonest to end first (expired ones lead), or
 * with `expiring` only the active ones ending within that many days.
 */
export function runWaiversList(options: WaiversListOptions): number {
  const { waivers, now, format, expiring, stdout } = options;
  const listed =
    expiring === undefined
      ? [...waivers.waivers].sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      : expiringWithin(waivers, expiring, now).map((entry) => entry.waiver);
  const rows = listed.map((waiver) => toRow(waiver, now));
  const summary = summarise(waivers, now);
  switch (format) {
    case 'json':
      stdout(
        `${JSON.stringify(
          {
            source: waivers.source,
            ...(expiring === undefined ? {} : { expiringWithinDays: expiring }),
            waivers: rows,
            summary,
          },
          null,
          2,
        )}\n`,
      );
      break;
    case 'csv':
      stdout(csvText(rows));
      break;
    case 'table':
      stdout(tableText(rows));
      stdout(`\n${totals(summary, rows.length, expiring)}\n`);
      break;
  }
  return EXIT_OK;
}

/** `--format` of `waivers list`. */
export function parseWaiversFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${value}"`);
  }
  return value as Format;
}

/** `--expiring DAYS`: a whole number of days, 0 for the waivers ending today. */
export function parseExpiringDays(value: string): number {
  if (!/^\d{1,6}$/.test(value)) {
    throw new UsageError(`--expiring must be a whole number of days; got "${value}"`);
  }
  return Number(value);
}

function summarise(waivers: Waivers, now: Date): WaiversSummary {
  const active = waivers.waivers.filter((waiver) => isActive(waiver, now)).length;
  return { waivers: waivers.waivers.length, active, expired: waivers.waivers.length - active };
}

function describeSummary(summary: WaiversSummary): string {
  const noun = summary.waivers === 1 ? 'waiver' : 'waivers';
  return `${summary.waivers} ${noun}, ${summary.active} active, ${summary.expired} expired`;
}

function totals(summary: WaiversSummary, listed: number, expiring: number | undefined): string {
  const all = `${describeSummary(summary)}.`;
  if (expiring === undefined) return all;
  const days = expiring === 1 ? 'day' : 'days';
  return `${listed} active ${listed === 1 ? 'waiver ends' : 'waivers end'} within ${expiring} ${days}; ${all}`;
}

function toRow(waiver: Waiver, now: Date): WaiverRow {
  return {
    bucket: waiver.bucket,
    accountId: waiver.accountId,
    types: waiver.types,
    ticket: waiver.ticket,
    approver: waiver.approver,
    expires: waiver.expires,
    expiresAt: waiver.expiresAt.toISOString(),
    status: isActive(waiver, now) ? 'active' : 'expired',
    daysLeft: daysLeft(waiver, now),
    reason: waiver.reason,
    source: waiver.source,
  };
}

const TABLE_HEADINGS = [
  'BUCKET',
  'ACCOUNT',
  'TYPES',
  'TICKET',
  'APPROVER',
  'EXPIRES',
  'DAYS LEFT',
  'REASON',
] as const;
const MAX_TYPES_WIDTH = 50;
const MAX_REASON_WIDTH = 60;

function tableText(rows: readonly WaiverRow[]): string {
  const cells = rows.map((row) => [
    row.bucket,
    row.accountId ?? 'any',
    truncate(row.types.join(', '), MAX_TYPES_WIDTH),
    row.ticket,
    row.approver,
    row.expires,
    row.status === 'active' ? String(row.daysLeft) : `expired (${row.daysLeft})`,
    truncate(row.reason, MAX_REASON_WIDTH),
  ]);
  return formatTable([[...TABLE_HEADINGS], ...cells]);
}

const CSV_COLUMNS = [
  'bucket',
  'accountId',
  'types',
  'ticket',
  'approver',
  'expires',
  'expiresAt',
  'status',
  'daysLeft',
  'reason',
  'source',
] as const;

/** One row per waiver; `types` joined by `|`. */
function csvText(rows: readonly WaiverRow[]): string {
  const lines = rows.map((row) =>
    CSV_COLUMNS.map((column) => {
      const value = row[column];
      if (column === 'types') return csvCell((value as readonly string[]).join('|'));
      // A count of our own, not text from the file: a negative one needs no defusing.
      if (typeof value === 'number') return String(value);
      return csvCell(value === null ? '' : String(value));
    }).join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].map((line) => `${line}\n`).join('');
}
