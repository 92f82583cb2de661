import * as z from '../../../lib/zod-mini';

/** The messages of a failed parse, each with its dotted path. */
function problems(result: { success: boolean; error?: z.core.$ZodError }): string[] {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('zod-mini', () => {
  it('speaks English, as the classic API does', () => {
    // Prepare
    const schema = z.object({ name: z.string(), size: z.number().check(z.int()) });

    // Act
    const result = schema.safeParse({ size: 1.5 });

    // Assess
    expect(problems(result)).toEqual([
      'name: Invalid input: expected string, received undefined',
      'size: Invalid input: expected int, received number',
    ]);
  });

  it('names the bound a value is past', () => {
    const result = z.string().check(z.minLength(2)).safeParse('a');

    expect(problems(result)).toEqual([': Too small: expected string to have >=2 characters']);
  });

  describe('transformed', () => {
    const size = z.transformed(z.string().check(z.regex(/^\d+$/, 'not digits')), (digits) =>
      Number(digits),
    );

    it('turns what the schema read', () => {
      expect(size.safeParse('42')).toEqual({ success: true, data: 42 });
    });

    it("fails with the schema's issue when the schema refuses the input", () => {
      expect(problems(size.safeParse('4x'))).toEqual([': not digits']);
    });
  });

  describe('preprocess', () => {
    const fromText = z.preprocess(
      (value) => (typeof value === 'string' ? JSON.parse(value) : value),
      z.object({ n: z.number() }),
    );

    it('turns the input before the schema reads it', () => {
      expect(fromText.safeParse('{"n":1}')).toEqual({ success: true, data: { n: 1 } });
    });

    it('lets the schema judge what it returned', () => {
      expect(problems(fromText.safeParse('{"n":"1"}'))).toEqual([
        'n: Invalid input: expected number, received string',
      ]);
    });
  });

  describe('addIssue', () => {
    const even = z.object({
      pair: z.transformed(z.array(z.number()), (items, ctx) => {
        if (items.length !== 2) z.addIssue(ctx, 'expected two items');
        items.forEach((item, i) => {
          if (item % 2 !== 0) z.addIssue(ctx, 'not even', [i]);
        });
        return items;
      }),
    });

    it('fails the value with the message, under the path of the value', () => {
      expect(problems(even.safeParse({ pair: [2, 3, 4] }))).toEqual([
        'pair: expected two items',
        'pair.1: not even',
      ]);
    });

    it('keeps the value that raised it, as a custom issue', () => {
      const result = even.safeParse({ pair: [1] }, { reportInput: true });

      expect(result.error?.issues).toEqual([
        { code: 'custom', message: 'expected two items', path: ['pair'], input: [1] },
        { code: 'custom', message: 'not even', path: ['pair', 0], input: [1] },
      ]);
    });

    it('leaves a value without issues alone', () => {
      expect(even.safeParse({ pair: [2, 4] })).toEqual({ success: true, data: { pair: [2, 4] } });
    });
  });
});
