import { createProgress } from '../../../bin/progress';

const MiB = 1024 * 1024;

function capture() {
  const written: string[] = [];
  return { written, write: (text: string) => written.push(text) };
}

describe('createProgress', () => {
  it('shows how far through a large file reading is, on a terminal', () => {
    const out = capture();
    const progress = createProgress(out.write, true);

    progress.hooks.onProgress?.('findings.jsonl', 50 * MiB, 200 * MiB);

    expect(out.written).toEqual(['\r\u001b[2Kfindings.jsonl: 25% of 200 MiB']);
  });

  it('erases its line before other messages, and only when it drew one', () => {
    const out = capture();
    const progress = createProgress(out.write, true);

    progress.clear();
    progress.hooks.onProgress?.('findings.jsonl', 10 * MiB, 100 * MiB);
    progress.clear();

    expect(out.written.at(-1)).toBe('\r\u001b[2K');
    expect(out.written).toHaveLength(2);
  });

  it('stays quiet for small files and files of unknown size', () => {
    const out = capture();
    const progress = createProgress(out.write, true);

    progress.hooks.onProgress?.('small.json', 1 * MiB, 2 * MiB);
    progress.hooks.onProgress?.('<stdin>', 50 * MiB, undefined);

    expect(out.written).toEqual([]);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const out = capture();
    const progress = createProgress(out.write, false);

    progress.hooks.onProgress?.('findings.jsonl', 50 * MiB, 200 * MiB);
    progress.clear();

    expect(progress.hooks.onProgress).toBeUndefined();
    expect(out.written).toEqual([]);
  });

  it('updates at most twice a second', () => {
    const out = capture();
    let time = 10_000;
    const progress = createProgress(out.write, true, () => time);

    progress.hooks.onProgress?.('findings.jsonl', 10 * MiB, 200 * MiB);
    time += 499;
    progress.hooks.onProgress?.('findings.jsonl', 20 * MiB, 200 * MiB);
    time += 1;
    progress.hooks.onProgress?.('findings.jsonl', 30 * MiB, 200 * MiB);

    expect(out.written).toEqual([
      '\r\u001b[2Kfindings.jsonl: 5% of 200 MiB',
      '\r\u001b[2Kfindings.jsonl: 15% of 200 MiB',
    ]);
  });
});
