import { inputLimits, parseByteSize } from '../../../bin/input-limits';
import { boundedBytes, type InputLine, linesOf } from '../../../bin/input-lines';

async function collect(chunks: string[] | Buffer[], max: number): Promise<InputLine[]> {
  const source = (async function* () {
    for (const chunk of chunks) yield Buffer.from(chunk);
  })();
  const lines: InputLine[] = [];
  for await (const batch of linesOf(source, max)) lines.push(...batch);
  return lines;
}

describe('linesOf', () => {
  it('keeps line numbers across blank lines and chunk boundaries, without CR', async () => {
    const lines = await collect(['{"a"', ':1}\r\n\n\n  \r\n{"b":2}\n', '{"c":3}'], 100);

    expect(lines.map(({ number, text }) => [number, text])).toEqual([
      [1, '{"a":1}'],
      [5, '{"b":2}'],
      [6, '{"c":3}'],
    ]);
  });

  it('decodes a character split between two chunks', async () => {
    const bytes = Buffer.from('"é"\n');

    const lines = await collect([bytes.subarray(0, 2), bytes.subarray(2)], 100);

    expect(lines.map((line) => line.text)).toEqual(['"é"']);
  });

  it('takes a line of exactly the bound and refuses one byte more, naming its line', async () => {
    await expect(collect(['\n12345\n'], 5)).resolves.toHaveLength(1);
    await expect(collect(['\n123', '456\n'], 5)).rejects.toMatchObject({
      message: 'line longer than 5 bytes; --max-record-bytes raises the limit',
      line: 2,
    });
  });

  it('refuses a line that is not UTF-8, naming its line, rather than altering it', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('{"a":1}\n"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"\n'),
    ]);

    await expect(collect([latin1], 100)).rejects.toMatchObject({
      name: 'InputEncodingError',
      message: 'not UTF-8 text (a UTF-16 or Latin-1 export?); save it as UTF-8',
      line: 2,
    });
  });

  it('refuses UTF-16 text at its first line', async () => {
    const utf16 = Buffer.from('\ufeff{"a":1}\n', 'utf16le');

    await expect(collect([utf16], 100)).rejects.toMatchObject({
      name: 'InputEncodingError',
      line: 1,
    });
  });

  it('skips a UTF-8 byte order mark at the start', async () => {
    const lines = await collect([Buffer.from('\ufeff{"a":1}\n{"b":2}\n')], 100);

    expect(lines.map((line) => line.text)).toEqual(['{"a":1}', '{"b":2}']);
  });
});

describe('boundedBytes', () => {
  it('passes exactly the bound and stops one byte past it', async () => {
    const read = async (max: number) => {
      let total = 0;
      const source = (async function* () {
        yield Buffer.alloc(3);
        yield Buffer.alloc(2);
      })();
      for await (const chunk of boundedBytes(source, max)) total += chunk.length;
      return total;
    };

    await expect(read(5)).resolves.toBe(5);
    await expect(read(4)).rejects.toThrow(
      'more than 4 bytes to read (after decompression); --max-input-bytes raises the limit',
    );
  });
});

describe('input limits', () => {
  it.each([
    ['65536', 65536],
    ['512KiB', 524288],
    ['64MiB', 67108864],
    ['2 GiB', 2147483648],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text, '--max-record-bytes')).toBe(bytes);
  });

  it.each(['0', '-1', '64M', '1.5MiB', ''])('refuses "%s", naming the option', (text) => {
    expect(() => parseByteSize(text, '--max-record-bytes')).toThrow(
      `--max-record-bytes must be a size in bytes, optionally with KiB, MiB or GiB (e.g. 64MiB); got "${text}"`,
    );
  });

  it('takes the option over the variable, the variable over the default', () => {
    const env = {
      BUCKET_CLASSIFICATION_MAX_RECORD_BYTES: '1MiB',
      BUCKET_CLASSIFICATION_MAX_INPUT_BYTES: 'lots',
    };

    expect(inputLimits({ maxRecordBytes: undefined, maxInputBytes: '2MiB' }, env)).toEqual({
      maxRecordBytes: 1048576,
      maxInputBytes: 2097152,
    });
    expect(inputLimits({ maxRecordBytes: undefined, maxInputBytes: undefined }, {})).toEqual({
      maxRecordBytes: 67108864,
      maxInputBytes: 1073741824,
    });
    expect(() => inputLimits({ maxRecordBytes: undefined, maxInputBytes: undefined }, env)).toThrow(
      'BUCKET_CLASSIFICATION_MAX_INPUT_BYTES must be a size',
    );
  });
});
