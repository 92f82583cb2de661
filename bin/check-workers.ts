/**
 * Worker threads that split, parse and judge the lines of large JSON Lines
 * inputs while the main thread reads, so `check` uses more than one core. The
 * main thread reads every input in raw chunks of whole lines, shares each chunk's
 * memory (no copy) with the number of its first line, counts each finding
 * once and writes the report. Workers check lines with the same code as the
 * serial reading (limits, UTF-8, blank lines, CRLF): the output is the same as
 * without workers, byte for byte.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TagKeySettings } from '../lib/tag-keys';
import { type PackedPolicy, packPolicy } from '../policies/packed-policy';
import type { ChunkReader, ChunkRecords, RawChunk } from './input-chunks';
import { InputError } from './input-lines';
import type { JudgeContext } from './judge-finding';
import {
  type ChunkResults,
  type ChunkToRead,
  type JudgedFinding,
  readChunk,
  toInputRecords,
} from './line-records';
import type { TagsByBucket } from './tags-file';
import { UsageError } from './usage-error';

/** What every worker is started with: the policy as plain JSON, so workers load no files. */
export interface WorkerSetup {
  readonly policy: PackedPolicy;
  readonly tags: TagsByBucket;
  readonly tagKeys: TagKeySettings;
}

/** `--workers`: a count, or automatic. */
export type WorkersOption = number | 'auto';

export const MAX_WORKERS = 64;

/**
 * Bytes an input of JSON Lines must hold (its size on disk, compressed or not)
 * for automatic workers to read it: a small input is over sooner than threads
 * start, so it stays on the main thread, as does one whose size is not known
 * before it is read (standard input).
 */
export const AUTO_WORKERS_MIN_BYTES = 4 * 1024 * 1024;

/** How chunks are cut and how much memory a worker may hold. */
export interface WorkerTuning {
  /** Bytes of a chunk handed to a worker (about: chunks end at a line break). */
  readonly chunkBytes: number;
  /**
   * Megabytes of a worker's old generation (the heap that outlives a chunk):
   * a bound on what a worker holds however long the run, which V8 otherwise
   * sets from the machine's memory.
   */
  readonly heapMb: number;
  /**
   * Megabytes of a worker's young generation (where a chunk's parsed findings
   * live and die). V8 grows it with the rate of allocation, to 32 MB a thread
   * over 50,000 findings against 16 MB over 10,000: capped, a worker's memory
   * stays the same however long the run. Over 50,000 findings on two cores, 8 MB
   * held the peak RSS as low as 4 MB did (170 MB) and took 3.0-3.2 s rather
   * than 3.5-4.0; uncapped the peak was 196-210 MB.
   */
  readonly youngMb: number;
  /**
   * A chunk with a line longer than this is read on the main thread, whose
   * heap is not capped: one record may be up to --max-record-bytes long, and
   * V8 ends the whole process, not just the worker, when one allocation cannot
   * fit a capped heap. Parsed, the worst line of JSON (`[{},{},...]`) takes
   * about 28 times its bytes; a Macie finding event is at most 256 KB.
   */
  readonly lineBytes: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  chunkBytes: 1024 * 1024,
  heapMb: 64,
  youngMb: 8,
  lineBytes: 256 * 1024,
};

/** Automatic workers at most: past this the main thread's share is the limit. */
const MAX_AUTO_WORKERS = 4;

/**
 * Automatic: a worker for each core, up to {@link MAX_AUTO_WORKERS}, when there
 * are at least two; none on one core. Measured on two cores over 50,000 findings,
 * two workers took less time than the main thread alone, whether the machine was
 * idle or had two other processes spinning on it (5.7-6.0 s against 7.5-7.7 s),
 * so the machine's load is not consulted.
 */
export function autoWorkers(cores: number): number {
  return cores >= 2 ? Math.min(cores, MAX_AUTO_WORKERS) : 0;
}

/**
 * `--workers N` checked: 0 (no workers) to {@link MAX_WORKERS}.
 *
 * @throws UsageError naming the option and the range.
 */
export function parseWorkers(value: string): number {
  const number = /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(number >= 0 && number <= MAX_WORKERS)) {
    throw new UsageError(
      `--workers must be a whole number from 0 to ${MAX_WORKERS} (0: no worker threads); got "${value}"`,
    );
  }
  return number;
}

/**
 * The workers for a run, or none: none when asked for 0, or automatically on a
 * single core (see {@link autoWorkers}). Asked for a count, the
 * workers read every input named as JSON Lines; automatic ones those of at
 * least {@link AUTO_WORKERS_MIN_BYTES}. `tuning` is for tests, which cut small
 * inputs into many chunks and make workers run out of memory.
 */
export function checkWorkers(
  option: WorkersOption,
  context: JudgeContext,
  tuning: Partial<WorkerTuning> = {},
): CheckWorkers | undefined {
  const count = option === 'auto' ? autoWorkers(availableParallelism()) : option;
  if (count === 0) return undefined;
  return new CheckWorkers(count, context, option === 'auto' ? AUTO_WORKERS_MIN_BYTES : 0, {
    ...DEFAULT_WORKER_TUNING,
    ...tuning,
  });
}

/** A chunk sent to a worker and not yet answered. */
interface Owed {
  readonly chunk: ChunkToRead;
  readonly resolve: (results: ChunkResults) => void;
  readonly reject: (error: Error) => void;
}

/** One worker and the answers it owes, oldest first: a worker answers in the order it is asked. */
interface Running {
  readonly worker: Worker;
  readonly waiting: Owed[];
}

/**
 * Started when the first chunk is sent; chunks go to the worker with the
 * fewest answers owed. A worker that runs out of memory has the chunks it owes
 * read on this thread and is replaced; one that fails otherwise fails every
 * chunk it owes and every later one: nothing is dropped quietly.
 */
export class CheckWorkers implements ChunkReader<JudgedFinding> {
  readonly chunksInFlight: number;
  readonly chunkBytes: number;
  /** Workers replaced because they ran out of memory. */
  replaced = 0;
  /** Chunks read on this thread: with a line too long for a worker, or owed by one that ran out of memory. */
  readHere = 0;
  private running: Running[] | undefined;
  private setup: WorkerSetup | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly count: number,
    private readonly context: JudgeContext,
    private readonly minBytes: number,
    private readonly tuning: WorkerTuning,
  ) {
    this.chunksInFlight = count * 3;
    this.chunkBytes = tuning.chunkBytes;
  }

  takes(size: number | undefined): boolean {
    return this.minBytes === 0 || (size !== undefined && size >= this.minBytes);
  }

  async read(chunk: RawChunk): Promise<ChunkRecords<JudgedFinding>> {
    if (this.failure) throw this.failure;
    const message: ChunkToRead = {
      name: chunk.name,
      bytes: chunk.bytes,
      firstLine: chunk.firstLine,
      maxLineBytes: chunk.maxLineBytes,
    };
    const results =
      chunk.longestLine > this.tuning.lineBytes
        ? this.readHereNow(message)
        : await this.send(message);
    return {
      records: toInputRecords(chunk.name, results),
      lastLine: results.lastLine,
      ...(results.stopped && {
        stopped: new InputError(results.stopped.message, results.stopped.line),
      }),
    };
  }

  /** The chunk read by the worker with the fewest answers owed. */
  private send(chunk: ChunkToRead): Promise<ChunkResults> {
    const target = this.start().reduce((least, next) =>
      next.waiting.length < least.waiting.length ? next : least,
    );
    return new Promise<ChunkResults>((resolve, reject) => {
      target.waiting.push({ chunk, resolve, reject });
      // Its bytes are shared, not copied: this thread still has them if the worker runs out of memory.
      target.worker.postMessage(chunk);
    });
  }

  /** Stops the workers; a run calls it however it ends. */
  async close(): Promise<void> {
    const running = this.running ?? [];
    this.running = [];
    await Promise.all(running.map(({ worker }) => worker.terminate()));
  }

  private start(): Running[] {
    this.running ??= Array.from({ length: this.count }, () => this.spawn());
    return this.running;
  }

  private spawn(): Running {
    const { file, execArgv } = workerScript();
    this.setup ??= {
      policy: packPolicy(this.context.policy),
      tags: this.context.tags,
      tagKeys: this.context.tagKeys,
    };
    const running: Running = {
      worker: new Worker(file, {
        workerData: this.setup,
        execArgv,
        resourceLimits: {
          maxOldGenerationSizeMb: this.tuning.heapMb,
          maxYoungGenerationSizeMb: this.tuning.youngMb,
        },
      }),
      waiting: [],
    };
    running.worker.on('message', (results: ChunkResults) => {
      running.waiting.shift()?.resolve(results);
    });
    running.worker.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.readOwed(running);
      else this.fail(running, error);
    });
    running.worker.on('exit', (code) => {
      if (running.waiting.length > 0) {
        this.fail(running, new Error(`a check worker thread stopped (exit code ${code})`));
      }
    });
    return running;
  }

  /**
   * A worker ran out of memory: a fresh one takes its place, and the chunks it
   * owed are read here, where the heap is not capped, exactly as a worker reads them.
   */
  private readOwed(running: Running): void {
    const slot = this.running?.indexOf(running) ?? -1;
    if (this.running && slot !== -1) {
      this.running[slot] = this.spawn();
      this.replaced++;
    }
    for (const { chunk, resolve, reject } of running.waiting.splice(0)) {
      try {
        resolve(this.readHereNow(chunk));
      } catch (error) {
        reject(error as Error);
      }
    }
  }

  private readHereNow(chunk: ChunkToRead): ChunkResults {
    this.readHere++;
    return readChunk(chunk, this.context);
  }

  private fail(running: Running, error: Error): void {
    this.failure ??= new Error(`a check worker thread failed: ${error.message}`, { cause: error });
    for (const waiting of running.waiting.splice(0)) waiting.reject(this.failure);
  }
}

/**
 * The worker's script and how Node is to run it. Built, this module is
 * dist/bin/check-workers.js and the worker dist/bin/check-worker.js beside it.
 * Run from the TypeScript sources (the tests, through ts-jest), the worker is
 * check-worker.ts, which Node cannot run itself: the thread then starts with
 * bench/register-ts.js, which compiles each .ts file with esbuild as it is
 * required, so the worker runs the same sources the tests run.
 */
function workerScript(): { file: string; execArgv: string[] } {
  if (path.extname(__filename) === '.js') {
    return { file: path.join(__dirname, 'check-worker.js'), execArgv: [] };
  }
  return {
    file: path.join(__dirname, 'check-worker.ts'),
    execArgv: ['--require', path.join(__dirname, '..', 'bench', 'register-ts.js')],
  };
}
