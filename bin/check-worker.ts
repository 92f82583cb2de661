/**
 * A worker thread of `check` (see check-workers.ts): reads and judges the raw
 * chunks of input it is sent and answers each with its records, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { unpackPolicy } from '../policies/packed-policy';
import type { WorkerSetup } from './check-workers';
import { type ChunkToRead, readChunk } from './line-records';

const setup = workerData as WorkerSetup;
const context = { policy: unpackPolicy(setup.policy), tags: setup.tags, tagKeys: setup.tagKeys };

parentPort?.on('message', (chunk: ChunkToRead) => {
  const results = readChunk(chunk, context);
  // The results' bytes are handed over, not copied.
  parentPort?.postMessage(results, [results.results.buffer as ArrayBuffer]);
});
