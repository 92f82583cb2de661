import { corpusFinding, seededRandom } from '../../../bench/corpus';
import { parseFinding } from '../../../lib/macie-finding';

describe('bench corpus', () => {
  it('writes the same findings from the same seed, and others from another', () => {
    const first = seededRandom(7);
    const again = seededRandom(7);
    const other = seededRandom(8);
    const a = JSON.stringify(corpusFinding(0, first));
    expect(JSON.stringify(corpusFinding(0, again))).toBe(a);
    expect(JSON.stringify(corpusFinding(0, other))).not.toBe(a);
  });

  it('writes findings the validator reads, of about 3 KB each', () => {
    const random = seededRandom(20_251_130);
    const lines = Array.from({ length: 200 }, (_, index) =>
      JSON.stringify(corpusFinding(index, random)),
    );
    for (const line of lines) expect(() => parseFinding(JSON.parse(line))).not.toThrow();
    const average = lines.reduce((sum, line) => sum + line.length, 0) / lines.length;
    expect(average).toBeGreaterThan(2000);
    expect(average).toBeLessThan(4500);
  });
});
