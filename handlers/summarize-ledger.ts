import {
  createLedgerSummary,
  type LedgerSummaryDependencies,
  type SummaryOutcome,
} from '../flows/summarize-ledger';
import { CloudWatchMetricsSink } from '../lib/cloudwatch-metrics';
import { summarizeLedgerSettings } from '../lib/settings';
import { ledgerCollaborators } from './ledger-collaborators';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): LedgerSummaryDependencies {
  const settings = summarizeLedgerSettings();
  return {
    settings,
    ...ledgerCollaborators(settings, 'summarizeLedger'),
    metrics: new CloudWatchMetricsSink(settings.metricsNamespace),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const summary = createLedgerSummary(fromEnvironment());

/**
 * Lambda entry point for the ledger's schedules (EventBridge Scheduler or a
 * scheduled rule) with the constant input `{"job": "digest"}` (daily digests and
 * the notices due without a finding) or `{"job": "metrics"}` (bucket metrics).
 * Any other input fails the invocation with a message saying what was expected.
 */
export const handler = (event: unknown): Promise<SummaryOutcome> => summary.run(event);
