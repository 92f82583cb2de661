/**
 * Lines of JSON Lines read and judged apart from the reading (in a worker thread,
 * see check-workers.ts), to records the main thread turns back into what reading
 * them there would have given.
 */
import { FindingParseError } from '../lib/errors';
import { parseFindings } from '../lib/macie-finding';
import type { CheckResult } from './check-result';
import { InputError, type InputLine, NEWLINE, splitLines } from './input-lines';
import type { InputRecord } from './input-stream';
import { type JudgeContext, judge } from './judge-finding';

/**
 * A finding read and judged elsewhere: its id as read, to count it once, and its
 * result, also as the JSON text the JSON report writes.
 */
export interface JudgedFinding {
  readonly findingId: string;
  readonly judged: CheckResult;
  readonly json: string;
}

/**
 * The records of a batch of lines as they go between threads: flat lists and one
 * text rather than an object per record, which costs far less to copy across.
 * Record `i` was read from line `lines[i]`; it is a finding when `ids[i]` is a
 * string (its result is the next line of `results`, JSON text in UTF-8, which
 * crosses without a copy and which the JSON report writes as it is; what the
 * summary counts of it is in `facts`), else unreadable (its message the next of
 * `problems`; errors lose their class when copied across).
 */
export interface LineResults {
  readonly lines: number[];
  readonly ids: Array<string | null>;
  readonly results: Uint8Array;
  readonly facts: ResultFacts[];
  readonly problems: string[];
}

/** What every run reads of each result (counts, --fail-on); the rest only some reports do. */
export type ResultFacts = Pick<CheckResult, 'bucket' | 'verdict' | 'severity' | 'sample'>;

const UTF8_ENCODER = new TextEncoder();

/**
 * A chunk of an input read apart: its records, the number of its last line
 * that is not blank (0 when none is), and, when a line of it could not be read
 * (too long, not UTF-8), where and why the reading stops: the records are
 * those of the lines before it.
 */
export interface ChunkResults extends LineResults {
  readonly lastLine: number;
  readonly stopped?: { readonly message: string; readonly line: number };
}

/** What a thread is given to read: a raw chunk of whole lines of the input `name`. */
export interface ChunkToRead {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The number of the chunk's first line. */
  readonly firstLine: number;
  readonly maxLineBytes: number;
}

/**
 * Each line of the chunk split and checked as every reading of lines does
 * ({@link splitLines}), parsed, and each finding in it judged, in order,
 * exactly as `readStream` and `runCheck` read and judge a line of JSON Lines.
 */
export function readChunk(chunk: ChunkToRead, context: JudgeContext): ChunkResults {
  const out = {
    lines: [] as number[],
    ids: [] as Array<string | null>,
    facts: [] as ResultFacts[],
    problems: [] as string[],
  };
  // JSON text holds no raw line break, so one per result separates them.
  const results: string[] = [];
  let lastLine = 0;
  const read = (line: InputLine): void => {
    lastLine = line.number;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      out.lines.push(line.number);
      out.ids.push(null);
      out.problems.push(`invalid JSON: ${(error as Error).message}`);
      return;
    }
    const source = `${chunk.name}:${line.number}`;
    for (const { item } of parseFindings(value)) {
      out.lines.push(line.number);
      if (item instanceof FindingParseError) {
        out.ids.push(null);
        out.problems.push(item.message);
      } else {
        out.ids.push(item.finding.id);
        const judged = judge(item.finding, source, context);
        const { bucket, verdict, severity, sample } = judged;
        out.facts.push({ bucket, verdict, severity, sample });
        results.push(JSON.stringify(judged));
      }
    }
  };
  const bytes = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
  let stopped: ChunkResults['stopped'];
  try {
    splitLines(bytes, chunk.firstLine, chunk.maxLineBytes, read);
  } catch (error) {
    if (!(error instanceof InputError && error.line !== undefined)) throw error;
    stopped = { message: error.message, line: error.line };
  }
  return {
    ...out,
    results: UTF8_ENCODER.encode(results.join('\n')),
    lastLine,
    ...(stopped && { stopped }),
  };
}

/** The records `readStream` would have yielded: an unreadable one as a `FindingParseError` again. */
export function toInputRecords(
  name: string,
  batch: LineResults,
): Array<InputRecord<JudgedFinding>> {
  // Each result's text decoded on its own. One string of the whole batch is a
  // large object, which only a collection of the old generation frees: over a
  // large input they piled up, and the peak memory grew with the input.
  const results = Buffer.from(
    batch.results.buffer,
    batch.results.byteOffset,
    batch.results.byteLength,
  );
  let start = 0;
  let result = 0;
  let problem = 0;
  return batch.lines.map((line, i) => {
    const source = `${name}:${line}`;
    const findingId = batch.ids[i];
    if (findingId === null || findingId === undefined) {
      return { source, result: new FindingParseError(batch.problems[problem++] ?? '') };
    }
    const facts = batch.facts[result++] as ResultFacts;
    const end = results.indexOf(NEWLINE, start);
    const json = results.toString('utf8', start, end === -1 ? results.length : end);
    start = end === -1 ? results.length : end + 1;
    return { source, result: { findingId, judged: new ReadResult(json, facts), json } };
  });
}

/**
 * A result read in a worker thread. The JSON report writes its text as it is and
 * the counts read only its facts, so the text is parsed only when a report, a
 * filter or --fail-on reads more of it.
 */
class ReadResult implements CheckResult {
  readonly bucket: string;
  readonly verdict: CheckResult['verdict'];
  readonly severity: CheckResult['severity'];
  readonly sample: boolean;
  private parsed: CheckResult | undefined;

  constructor(
    private readonly json: string,
    facts: ResultFacts,
  ) {
    this.bucket = facts.bucket;
    this.verdict = facts.verdict;
    this.severity = facts.severity;
    this.sample = facts.sample;
  }

  private get all(): CheckResult {
    this.parsed ??= JSON.parse(this.json) as CheckResult;
    return this.parsed;
  }

  get findingId(): string {
    return this.all.findingId;
  }
  get findingType(): string {
    return this.all.findingType;
  }
  get accountId(): string {
    return this.all.accountId;
  }
  get region(): string {
    return this.all.region;
  }
  get objectKey(): string | null {
    return this.all.objectKey;
  }
  get declaredLevel(): string | null {
    return this.all.declaredLevel;
  }
  get team(): string | null {
    return this.all.team;
  }
  get publiclyAccessible(): boolean {
    return this.all.publiclyAccessible;
  }
  get reason(): string | null {
    return this.all.reason;
  }
  get violations(): CheckResult['violations'] {
    return this.all.violations;
  }
  get detected(): CheckResult['detected'] {
    return this.all.detected;
  }
  get source(): string {
    return this.all.source;
  }

  /** `JSON.stringify` of it is the text it was read from. */
  toJSON(): CheckResult {
    return this.all;
  }
}

export function isJudged(result: object): result is JudgedFinding {
  return 'judged' in result;
}
