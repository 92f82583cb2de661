/**
 * Runs checkBucketTags' periodic sweep over every bucket moto holds, in a process
 * of its own (bench/moto/sweep-worker.ts), and optionally counts its AWS API calls
 * at a proxy in front of moto.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { startFaultProxy } from '../../test/support/fault-proxy';
import { motoAccountId, motoRegion } from '../../test/support/moto-server';
import { envFor } from './server';

const WORKER = path.join(__dirname, 'sweep-worker.ts');
const REGISTER_TS = path.join(__dirname, '..', 'register-ts.js');
/** The rule's name in the event: the sweep asks Config for its earlier results by it. */
export const BENCH_RULE_NAME = 'bucket-classification-bench';

export interface SweepRun {
  readonly seconds: number;
  readonly parts: number;
  readonly evaluations: number;
  readonly nonCompliant: number;
  /** Every request the sweep sent, as `service:operation`, when counted. */
  readonly calls?: readonly string[];
}

/**
 * Config's scheduled event for the bench's rule. `TESTMODE` makes the function
 * send PutEvaluations in test mode, the only mode moto's Config takes.
 */
export function periodicEvent(notificationTime: Date): Record<string, unknown> {
  return {
    version: '1.0',
    invokingEvent: JSON.stringify({
      awsAccountId: motoAccountId,
      notificationCreationTime: notificationTime.toISOString(),
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    }),
    ruleParameters: '{}',
    resultToken: 'TESTMODE',
    eventLeftScope: false,
    executionRoleArn: `arn:aws:iam::${motoAccountId}:role/config-role`,
    configRuleArn: `arn:aws:config:${motoRegion}:${motoAccountId}:config-rule/config-rule-bench`,
    configRuleName: BENCH_RULE_NAME,
    configRuleId: 'config-rule-bench',
    accountId: motoAccountId,
  };
}

/** One whole sweep against moto at `motoEndpoint`; with `count`, through a counting proxy. */
export async function runSweep(motoEndpoint: string, count = false): Promise<SweepRun> {
  const proxy = count ? await startFaultProxy(motoEndpoint) : undefined;
  try {
    const child = spawn(process.execPath, ['-r', REGISTER_TS, WORKER], {
      env: envFor(proxy?.endpoint ?? motoEndpoint, {
        AWS_LAMBDA_FUNCTION_NAME: 'bucket-classification-bench-checkBucketTags',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdin.end(JSON.stringify(periodicEvent(new Date())));
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) throw new Error(`the sweep failed (exit ${code}):\n${stderr}`);
    const run = JSON.parse(stdout) as SweepRun;
    return proxy ? { ...run, calls: [...proxy.seen] } : run;
  } finally {
    await proxy?.stop();
  }
}
