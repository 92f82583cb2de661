import { Logger } from '@aws-lambda-powertools/logger';
import {
  createLedgerSummary,
  type LedgerSummaryDependencies,
  type SummaryOutcome,
} from '../flows/summarize-ledger';
import { waiversFrom } from '../flows/waivers';
import { CloudWatchMetricsSink } from '../lib/cloudwatch-metrics';
import { DynamoDbLedger } from '../lib/dynamodb-ledger';
import { summarizeLedgerSettings } from '../lib/settings';
import { SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): LedgerSummaryDependencies {
  const settings = summarizeLedgerSettings();
  return {
    settings,
    policy: loadPolicy(settings.policyFile ?? DEFAULT_POLICY_FILE),
    waivers: waiversFrom(settings.waiversFile),
    ledger: new DynamoDbLedger(settings.ledgerTable),
    publisher: new SnsAlertPublisher(),
    metrics: new CloudWatchMetricsSink(settings.metricsNamespace),
    logger: new Logger({ serviceName: 'summarizeLedger' }),
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
