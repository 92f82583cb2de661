/**
 * A worker thread of `check` (see check-workers.ts): reads and judges the
 * batches of lines it is sent and answers each with its records, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { unpackPolicy } from '../policies/packed-policy';
import type { WorkerSetup } from './check-workers';
import { type LinesToRead, readLines } from './line-records';

const setup = workerData as WorkerSetup;
const context = { policy: unpackPolicy(setup.policy), tags: setup.tags, tagKeys: setup.tagKeys };

parentPort?.on('message', ({ name, lines }: { name: string; lines: LinesToRead }) => {
  const results = readLines(name, lines, context);
  // The results' bytes are handed over, not copied.
  parentPort?.postMessage(results, [results.results.buffer as ArrayBuffer]);
});
