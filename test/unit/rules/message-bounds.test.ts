import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlertPublisher } from '../../../lib/sns-alert-publisher';
import {
  boundMessage,
  cutAt,
  cutToBytes,
  fitMessage,
  listHead,
  mostSevereFirst,
  notListedLine,
  type PublishableMessage,
  publishedBytes,
  snsSubject,
} from '../../../rules/message-bounds';
import { permutations } from '../../support/permutations';
import { bytesOnTheWire } from '../../support/sns-bytes';

const MARK = '[cut: the rest did not fit in one SNS message]';
const CUT_REASON =
  'The full message did not fit in one SNS message (262,144 bytes); its lists were left out.';

const small: PublishableMessage = {
  subject: '[High] Classification violation: acme',
  document: { kind: 'violation', note: 'é"' },
  text: 'line one\nline "two" ✓',
  attributes: { severity: 'High', team: 'payments', bucket: '' },
};

describe('publishedBytes', () => {
  it('counts the UTF-8 bytes of the body (JSON inside JSON), the subject and each attribute', () => {
    // body (95 bytes): {"default":"{\"kind\":\"violation\",\"note\":\"é\\\"\"}","email":"line one\nline \"two\" ✓"}
    // subject: 37; attributes: severityStringHigh 18, teamStringpayments 18, bucketString- 13.
    expect(publishedBytes(small)).toBe(95 + 37 + 18 + 18 + 13);
    expect(publishedBytes(small)).toBe(bytesOnTheWire(small));
  });

  it('counts exactly what the SNS publisher sends', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    try {
      await new SnsAlertPublisher((region) => new SNSClient({ region })).publish(
        'arn:aws:sns:eu-west-1:111122223333:payments-alerts',
        small,
      );
      const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
      const attributes = Object.entries(input?.MessageAttributes ?? {}).map(
        ([name, value]) => `${name}${value.DataType}${value.StringValue}`,
      );
      const sent =
        Buffer.byteLength(input?.Message ?? '') +
        Buffer.byteLength(input?.Subject ?? '') +
        Buffer.byteLength(attributes.join(''));

      expect(publishedBytes(small)).toBe(sent);
    } finally {
      sns.restore();
    }
  });
});

describe('snsSubject', () => {
  it('keeps a short ASCII subject as it is', () => {
    expect(snsSubject('[High] Classification violation: acme')).toBe(
      '[High] Classification violation: acme',
    );
  });

  it('replaces line breaks, control and non-ASCII characters with ?', () => {
    expect(snsSubject('[Low] Daily digest for team Équipe\n\u001b[31m 🚀')).toBe(
      '[Low] Daily digest for team ?quipe??[31m ?',
    );
  });

  it('cuts to 99 characters, marking the cut with ...', () => {
    const subject = snsSubject(`[High] ${'b'.repeat(200)}`);

    expect(subject).toHaveLength(99);
    expect(subject.endsWith('b...')).toBe(true);
  });

  it('keeps a subject of exactly 99 characters whole', () => {
    expect(snsSubject('s'.repeat(99))).toBe('s'.repeat(99));
    expect(snsSubject('s'.repeat(100))).toBe(`${'s'.repeat(96)}...`);
  });
});

describe('cutAt and cutToBytes', () => {
  it('never leaves half of a character made of two UTF-16 units', () => {
    expect(cutAt('a😀b', 2)).toBe('a');
    expect(cutAt('a😀b', 3)).toBe('a😀');
    expect(cutAt('a😀b', 0)).toBe('');
    expect(cutToBytes('aé😀', 3)).toBe('aé');
    expect(cutToBytes('aé😀', 6)).toBe('aé');
    expect(cutToBytes('aé😀', 7)).toBe('aé😀');
  });

  it('takes the first units of the high surrogates only, U+D800 to U+DBFF', () => {
    expect(cutAt('a\ud800b', 2)).toBe('a');
    expect(cutAt('a\udbffb', 2)).toBe('a');
    expect(cutAt('a\ud7ffb', 2)).toBe('a\ud7ff');
    expect(cutAt('a\udc00b', 2)).toBe('a\udc00');
  });

  it('keeps a text no longer than the cut whole, whatever it ends with', () => {
    expect(cutAt('a\ud800', 2)).toBe('a\ud800');
    expect(cutAt('a\ud800', 3)).toBe('a\ud800');
  });
});

describe('listHead and notListedLine', () => {
  it('lists the first items and counts the rest with their occurrences', () => {
    const items = [3, 5, 7, 11].map((count) => ({ count }));

    const { listed, notListed } = listHead(items, 1);

    expect(listed).toEqual([{ count: 3 }]);
    expect(notListed).toEqual({ types: 3, occurrences: 23 });
    expect(notListedLine({ types: 3, occurrences: 23 })).toBe('…and 3 more types (23 occurrences)');
    expect(notListedLine({ types: 1, occurrences: 1 })).toBe('…and 1 more type (1 occurrence)');
  });

  it('counts nothing when every item is listed', () => {
    expect(listHead([{ count: 1 }], 1).notListed).toBeUndefined();
  });
});

describe('mostSevereFirst', () => {
  const levels = ['Public', 'Internal'];
  const sorted = (types: ReadonlyArray<{ type: string; count: number }>) =>
    types
      .map((t) => ({ ...t, requiredLevel: 'Internal' }))
      .sort(mostSevereFirst(levels))
      .map((t) => t.type);

  it('orders types of one level by occurrences, most first, in any order given', () => {
    const types = [
      { type: 'ONE', count: 1 },
      { type: 'FIVE', count: 5 },
      { type: 'THREE', count: 3 },
    ];
    for (const given of permutations(types)) {
      expect(sorted(given)).toEqual(['FIVE', 'THREE', 'ONE']);
    }
  });

  it('orders types of one level and count by name, in any order given', () => {
    const types = ['B', 'C', 'A'].map((type) => ({ type, count: 2 }));
    for (const given of permutations(types)) {
      expect(sorted(given)).toEqual(['A', 'B', 'C']);
    }
  });

  it('puts forbidden types first, then the highest level needed, then the most occurrences', () => {
    const levels = ['Public', 'Internal', 'Confidential', 'Restricted'];
    const types = [
      { type: 'NAME', requiredLevel: 'Confidential', count: 900 },
      { type: 'PASSPORT', requiredLevel: 'Restricted', count: 1 },
      { type: 'AWS_CREDENTIALS', requiredLevel: 'forbidden', count: 1 },
      { type: 'ADDRESS', requiredLevel: 'Confidential', count: 5 },
      { type: 'EMAIL_ADDRESS', requiredLevel: 'Confidential', count: 5 },
    ];

    expect([...types].sort(mostSevereFirst(levels)).map((t) => t.type)).toEqual([
      'AWS_CREDENTIALS',
      'PASSPORT',
      'NAME',
      'ADDRESS',
      'EMAIL_ADDRESS',
    ]);
  });
});

/** A message listing `shown` of `names`, like a composer does. */
function listing(names: readonly string[]) {
  return (shown: number): PublishableMessage => {
    const { listed, notListed } = listHead(
      names.map((type) => ({ type, count: 1 })),
      shown,
    );
    return {
      subject: 'list',
      document: { listed, notListed },
      text: [...listed.map((t) => t.type), notListed ? notListedLine(notListed) : ''].join('\n'),
      attributes: {},
    };
  };
}

describe('fitMessage', () => {
  it('lists everything when it fits', () => {
    const message = fitMessage(listing(['a', 'b', 'c']), 3);

    expect(message.text).toBe('a\nb\nc\n');
  });

  it('lists everything when the whole message takes exactly the budget', () => {
    const compose = listing(['a', 'b', 'c']);

    expect(fitMessage(compose, 3, publishedBytes(compose(3))).text).toBe('a\nb\nc\n');
  });

  it('lists as many items as take exactly the budget', () => {
    const compose = listing(Array.from({ length: 50 }, (_, i) => `type-${i}`));

    const message = fitMessage(compose, 50, publishedBytes(compose(37)));

    expect((message.document as { listed: unknown[] }).listed).toHaveLength(37);
  });

  it('finds the most that fit when the first items are much shorter than the rest', () => {
    const names = [
      ...Array.from({ length: 500 }, (_, i) => `s${i}`),
      ...Array.from({ length: 500 }, (_, i) => `long-${i}-${'x'.repeat(5000)}`),
    ];
    const compose = listing(names);
    // Room for the 500 short names and 10 long ones, far above an even share of the budget.
    const budget = publishedBytes(compose(510));

    const message = fitMessage(compose, names.length, budget);

    expect((message.document as { listed: unknown[] }).listed).toHaveLength(510);
  });

  it('lists one item, then leaves the cut to boundMessage, when not even one fits', () => {
    const message = fitMessage(listing(['a'.repeat(500), 'b']), 2, 100);

    expect((message.document as { listed: unknown[] }).listed).toHaveLength(1);
  });

  it('lists nothing from an empty list, even when the message is over the budget', () => {
    const compose = jest.fn((shown: number) => ({ ...listing([])(shown), text: 'x'.repeat(500) }));

    fitMessage(compose, 0, 100);

    expect(compose.mock.calls.map(([shown]) => shown)).toEqual([0, 0]);
  });

  it('lists the most items that fit in 262,144 bytes less the margin, and counts the rest', () => {
    const names = Array.from({ length: 4000 }, (_, i) => `${i}`.padStart(4, '0') + '"'.repeat(60));

    const message = fitMessage(listing(names), names.length);

    expect(bytesOnTheWire(message)).toBeLessThanOrEqual(262_144 - 16 * 1024);
    const document = message.document as { listed: unknown[]; notListed: { types: number } };
    // One more item would not have fitted.
    const oneMore = listing(names)(document.listed.length + 1);
    expect(bytesOnTheWire(oneMore)).toBeGreaterThan(262_144 - 16 * 1024);
    expect(document.listed.length + document.notListed.types).toBe(4000);
    expect(message.text).toContain(`…and ${document.notListed.types} more types`);
  });
});

describe('boundMessage', () => {
  it('leaves a message within the budget as it is, but for its subject', () => {
    const message = { ...small, subject: 'Équipe\nx' };

    expect(boundMessage(message)).toEqual({ ...small, subject: '?quipe?x' });
  });

  it('leaves a message that takes exactly the budget as it is', () => {
    expect(boundMessage(small, publishedBytes(small))).toEqual(small);
  });

  describe('at the edges of its budget', () => {
    const message = {
      subject: 's',
      document: { kind: 'digest', list: ['x'.repeat(10_000)] },
      text: 'a'.repeat(1000),
      attributes: {},
    };
    const cutDocument = { kind: 'digest', cut: true, cutReason: CUT_REASON };
    const marked = (kept: number) => ({
      ...message,
      document: cutDocument,
      text: `${'a'.repeat(kept)}\n${MARK}`,
    });

    it('keeps as much text as takes exactly the budget', () => {
      expect(boundMessage(message, publishedBytes(marked(500)))).toStrictEqual(marked(500));
    });

    it('keeps the short fields and the mark alone when they take exactly the budget', () => {
      const markOnly = { ...message, document: cutDocument, text: MARK };

      expect(boundMessage(message, publishedBytes(markOnly))).toStrictEqual(markOnly);
    });

    it('never goes over its budget when only part of the line break before the mark would fit', () => {
      const budget = publishedBytes({ ...message, document: cutDocument, text: MARK }) + 1;

      expect(publishedBytes(boundMessage(message, budget))).toBeLessThanOrEqual(budget);
    });
  });

  it('keeps only the cut mark when even the short fields of the document do not fit', () => {
    const fields = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`field-${i}`, '"'.repeat(5000)]),
    );
    const message = { subject: 's', document: fields, text: 'x', attributes: {} };

    const bounded = boundMessage(message);

    expect(bytesOnTheWire(bounded)).toBeLessThanOrEqual(262_144);
    expect(bounded.document).toEqual({ cut: true, cutReason: expect.any(String) });
    expect(bounded.text).toBe('[cut: the rest did not fit in one SNS message]');
  });

  it.each([
    ['null', null],
    ['text', 'a document that is one string'],
    ['a list', ['first', 'second']],
  ])('keeps no field of a document that is %s', (_, document) => {
    const message = { subject: 's', document, text: '"'.repeat(300_000), attributes: {} };

    expect(boundMessage(message).document).toStrictEqual({ cut: true, cutReason: CUT_REASON });
  });

  it('keeps numbers, booleans and nulls of a document cut down, and drops lists and objects', () => {
    const message = {
      subject: 's',
      document: { count: 3, sample: false, team: null, list: ['"'.repeat(300_000)], nested: {} },
      text: '',
      attributes: {},
    };

    expect(boundMessage(message).document).toEqual({
      count: 3,
      sample: false,
      team: null,
      cut: true,
      cutReason: expect.any(String),
    });
  });

  it.each([
    ['quotes', '"'],
    ['backslashes', '\\'],
    ['four-byte characters', '😀'],
    ['line breaks', '\n'],
  ])('cuts a message of %s to at most 262,144 bytes, at a whole character', (_, unit) => {
    const text = unit.repeat(300_000);
    const message = {
      subject: 'big',
      document: { schema: 'x/v1', kind: 'digest', summary: 'a big one', list: [text] },
      text,
      attributes: { kind: 'digest' },
    };

    const bounded = boundMessage(message);

    expect(bytesOnTheWire(bounded)).toBeLessThanOrEqual(262_144);
    expect(bounded.document).toEqual({
      schema: 'x/v1',
      kind: 'digest',
      summary: 'a big one',
      cut: true,
      cutReason: expect.stringContaining('262,144 bytes'),
    });
    expect(bounded.text.endsWith('[cut: the rest did not fit in one SNS message]')).toBe(true);
    const kept = bounded.text.slice(0, bounded.text.indexOf('\n[cut:'));
    // Whole characters only: the kept text is a run of the unit, nothing half.
    expect(kept.length % unit.length).toBe(0);
    expect(kept).toBe(unit.repeat(kept.length / unit.length));
    expect(kept.length).toBeGreaterThan(50_000);
  });
});
