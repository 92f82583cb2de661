export interface BenchContext {
  readonly root: string; // repository root
  readonly scratch: string; // a temp dir for this run
  readonly log: (line: string) => void;
  readonly results?: Record<string, unknown>; // earlier sections' figures
}
export interface Budget {
  readonly key: string; // e.g. 'handler.apiCalls.compliant'
  readonly check: (value: unknown) => string | undefined; // undefined = met; else why missed
}
export interface BenchSection {
  readonly name: string; // top-level key
  readonly run: (ctx: BenchContext) => Promise<Record<string, unknown>>;
  readonly budgets: readonly Budget[];
}
