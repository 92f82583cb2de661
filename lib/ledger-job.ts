import { LedgerJobError } from './errors';

/** The jobs `summarizeLedger` runs, named by the schedule's input `{"job": "..."}`. */
export const LEDGER_JOBS = ['digest', 'metrics'] as const;
export type LedgerJob = (typeof LEDGER_JOBS)[number];

const MAX_SHOWN = 200;

/**
 * The job a scheduled event asks for: EventBridge Scheduler and rule targets
 * deliver their constant input as the event, `{"job": "digest"}` or
 * `{"job": "metrics"}`.
 *
 * @throws LedgerJobError for anything else, naming what was received; a schedule
 *   with a wrong input must fail loudly rather than do nothing every day.
 */
export function parseLedgerJob(event: unknown): LedgerJob {
  const job =
    typeof event === 'object' && event !== null && !Array.isArray(event)
      ? (event as Record<string, unknown>).job
      : undefined;
  if (typeof job === 'string' && (LEDGER_JOBS as readonly string[]).includes(job)) {
    return job as LedgerJob;
  }
  throw new LedgerJobError(
    `expected the input {"job": "digest"} or {"job": "metrics"}; got ${shown(event)}`,
  );
}

function shown(event: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(event) ?? String(event);
  } catch {
    text = String(event);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
