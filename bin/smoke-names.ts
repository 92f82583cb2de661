/**
 * What `smoke` calls the deployed function: the command line's help needs it without
 * loading the Lambda client.
 */

/** The stage Serverless deploys to when none is given (`provider.stage` in serverless.yml). */
export const DEFAULT_STAGE = 'dev';

/** The Serverless service name: functions are `<service>-<stage>-<function>`. */
const SERVICE = 'bucket-classification-validator';

/** The default function name: what Serverless names `validateFinding` in that stage. */
export function validateFindingFunctionName(stage: string): string {
  return `${SERVICE}-${stage}-validateFinding`;
}
