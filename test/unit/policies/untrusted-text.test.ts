import { csvCell } from '../../../bin/report';
import { inert, inertLines } from '../../../policies/untrusted-text';

describe('inert', () => {
  it.each([
    ['a line feed', 'a\nb', 'a?b'],
    ['a carriage return', 'a\rb', 'a?b'],
    ['an escape sequence', 'a\u001b[31mb', 'a?[31mb'],
    ['a bell', 'a\u0007b', 'a?b'],
    ['a C1 control (CSI)', 'a\u009bb', 'a?b'],
    ['a next line (NEL)', 'a\u0085b', 'a?b'],
    ['a line separator', 'a\u2028b', 'a?b'],
    ['a paragraph separator', 'a\u2029b', 'a?b'],
    ['a right-to-left override', 'a\u202eb', 'a?b'],
    ['a right-to-left isolate', 'a\u2067b', 'a?b'],
    ['a zero-width joiner', 'a\u200db', 'a?b'],
    ['a zero-width space', 'a\u200bb', 'a?b'],
    ['a byte order mark', 'a\ufeffb', 'a?b'],
    ['a lone surrogate', 'a\ud800b', 'a?b'],
  ])('replaces %s with ?', (_, value, expected) => {
    expect(inert(value)).toBe(expected);
  });

  it('keeps ordinary text, accents and emoji as they are', () => {
    expect(inert('Zürich données/📄 report.csv')).toBe('Zürich données/📄 report.csv');
  });

  it('keeps a value of 256 characters whole', () => {
    expect(inert('x'.repeat(256))).toBe('x'.repeat(256));
  });

  it('cuts a value of 257 characters to 256, marking the cut', () => {
    expect(inert('x'.repeat(257))).toBe(`${'x'.repeat(255)}…`);
  });

  it('cuts to the length asked for', () => {
    expect(inert('abcdef', 4)).toBe('abc…');
  });

  it('does not leave half of a two-unit character at the cut', () => {
    expect(inert(`ab${'📄'.repeat(3)}`, 4)).toBe('ab…');
  });

  it('keeps a whole two-unit character before the cut', () => {
    expect(inert(`📄${'a'.repeat(300)}`, 10)).toBe(`📄${'a'.repeat(7)}…`);
  });
});

describe('inertLines', () => {
  it('joins the lines, and a line break inside a line does not start a new one', () => {
    expect(inertLines(['Severity:        High', 'Object:          a\nSeverity: Low'])).toBe(
      'Severity:        High\nObject:          a?Severity: Low',
    );
  });

  it('does not cut long lines', () => {
    expect(inertLines(['y'.repeat(5000)])).toBe('y'.repeat(5000));
  });
});

describe('csvCell', () => {
  it.each([
    ['=', '=1+2', "'=1+2"],
    ['+', '+1+2', "'+1+2"],
    ['-', '-1+2', "'-1+2"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab', '\t=1+2', "'?=1+2"],
    ['a carriage return', '\r=1+2', "'?=1+2"],
  ])('defuses a cell starting with %s', (_, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('leaves a cell with a formula character inside alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('quotes a cell holding a comma or a quote', () => {
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
  });

  it('takes out line breaks, escape sequences and bells rather than quoting them', () => {
    expect(csvCell('a\nb\r\u001b[31mc\u0007')).toBe('a?b??[31mc?');
  });
});
