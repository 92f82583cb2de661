import {
  type Evaluation as ConfigEvaluation,
  ConfigServiceClient,
  PutEvaluationsCommand,
  paginateGetComplianceDetailsByConfigRule,
} from '@aws-sdk/client-config-service';

/** One resource's result, as AWS Config records it. */
export interface Evaluation {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  /** 1-256 characters; omitted rather than empty (Config rejects ""). */
  readonly annotation?: string;
  /** Capture time of the item (change) or notification time (periodic). */
  readonly orderingTimestamp: Date;
}

/** Port: reports evaluations for one rule invocation. */
export interface EvaluationReporter {
  report(evaluations: readonly Evaluation[], resultToken: string): Promise<void>;
}

/** Evaluations Config refused even after one retry; the invocation must fail loudly. */
export class EvaluationsRejectedError extends Error {
  override readonly name = 'EvaluationsRejectedError';

  /**
   * @param rejected the refused resources (`type/id`) this invocation knows by name.
   * @param total how many were refused in all, counting earlier parts of a sweep.
   */
  constructor(
    readonly rejected: readonly string[],
    readonly total: number = rejected.length,
  ) {
    const earlier = total - rejected.length;
    super(
      `AWS Config rejected ${total} evaluation(s) twice` +
        (rejected.length > 0 ? `: ${rejected.join(', ')}` : '') +
        (earlier > 0 ? ` (${earlier} in earlier parts of the sweep, named in their logs)` : ''),
    );
  }
}

/**
 * The result token of a test invocation (the Config rule development kit's
 * convention): evaluations go to `PutEvaluations` in test mode, which checks them
 * but stores nothing.
 */
export const TEST_RESULT_TOKEN = 'TESTMODE';

/** PutEvaluations takes at most 100 evaluations per call. */
export const MAX_EVALUATIONS_PER_CALL = 100;

/**
 * Sends evaluations with `PutEvaluations` in batches of at most 100. The SDK
 * retries throttling with backoff (the default client allows more attempts than
 * usual: a periodic sweep sends many batches). Evaluations Config lists as
 * failed are sent once more; if they fail again the report throws. The result
 * token `TESTMODE` sends them in test mode.
 */
export class ConfigEvaluationReporter implements EvaluationReporter {
  constructor(
    private readonly client: ConfigServiceClient = new ConfigServiceClient({ maxAttempts: 8 }),
  ) {}

  async report(evaluations: readonly Evaluation[], resultToken: string): Promise<void> {
    const rejected: string[] = [];
    for (let start = 0; start < evaluations.length; start += MAX_EVALUATIONS_PER_CALL) {
      const batch = evaluations.slice(start, start + MAX_EVALUATIONS_PER_CALL).map(toConfig);
      const failed = await this.put(batch, resultToken);
      if (failed.length === 0) continue;
      const stillFailed = await this.put(failed, resultToken);
      rejected.push(
        ...stillFailed.map((e) => `${e.ComplianceResourceType}/${e.ComplianceResourceId}`),
      );
    }
    if (rejected.length > 0) throw new EvaluationsRejectedError(rejected);
  }

  private async put(batch: ConfigEvaluation[], resultToken: string): Promise<ConfigEvaluation[]> {
    const output = await this.client.send(
      new PutEvaluationsCommand({
        Evaluations: batch,
        ResultToken: resultToken,
        ...(resultToken === TEST_RESULT_TOKEN ? { TestMode: true } : {}),
      }),
    );
    return output.FailedEvaluations ?? [];
  }
}

function toConfig(evaluation: Evaluation): ConfigEvaluation {
  return {
    ComplianceResourceType: evaluation.resourceType,
    ComplianceResourceId: evaluation.resourceId,
    ComplianceType: evaluation.compliance,
    OrderingTimestamp: evaluation.orderingTimestamp,
    ...(evaluation.annotation ? { Annotation: evaluation.annotation } : {}),
  };
}

/** A resource that a rule has a current result for. */
export interface EvaluatedResource {
  readonly resourceType: string;
  readonly resourceId: string;
}

/** Port: the resources a rule has a COMPLIANT or NON_COMPLIANT result for. */
export interface EvaluatedResources {
  evaluatedBy(configRuleName: string): Promise<EvaluatedResource[]>;
}

/**
 * Config `GetComplianceDetailsByConfigRule`, every page (100 results each), only
 * COMPLIANT and NON_COMPLIANT results: resources already NOT_APPLICABLE need
 * nothing more.
 */
export class ConfigEvaluatedResources implements EvaluatedResources {
  constructor(
    private readonly client: ConfigServiceClient = new ConfigServiceClient({ maxAttempts: 8 }),
  ) {}

  async evaluatedBy(configRuleName: string): Promise<EvaluatedResource[]> {
    const resources: EvaluatedResource[] = [];
    for await (const page of paginateGetComplianceDetailsByConfigRule(
      { client: this.client, pageSize: MAX_EVALUATIONS_PER_CALL },
      { ConfigRuleName: configRuleName, ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'] },
    )) {
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (qualifier?.ResourceType && qualifier.ResourceId) {
          resources.push({
            resourceType: qualifier.ResourceType,
            resourceId: qualifier.ResourceId,
          });
        }
      }
    }
    return resources;
  }
}
