import { parseWaivers } from '../../../policies/load-waivers';
import type { Waivers } from '../../../policies/waiver';
import {
  daysLeft,
  expiringWithin,
  isActive,
  type WaiverSubject,
  waiverFor,
  waiverLookup,
} from '../../../rules/waivers';

interface Entry {
  bucket?: string;
  account?: string;
  types?: string[];
  ticket?: string;
  expires?: string;
}

/** Waivers as the loader makes them, from entries that need only say what a test is about. */
function waiversOf(...entries: Entry[]): Waivers {
  const waivers = entries.map((entry, index) => ({
    bucket: 'acme-hr-records',
    types: ['USA_SOCIAL_SECURITY_NUMBER'],
    reason: 'Migration',
    ticket: `SEC-${index + 1}`,
    approver: 'jane.doe@example.com',
    expires: '2026-06-30',
    ...entry,
  }));
  return parseWaivers(JSON.stringify({ waivers }, null, 2), 'waivers.json');
}

const NOW = new Date('2026-05-01T12:00:00Z');
const SUBJECT: WaiverSubject = {
  accountId: '111122223333',
  bucket: 'acme-hr-records',
  type: 'USA_SOCIAL_SECURITY_NUMBER',
};

function ticketFor(waivers: Waivers, subject: Partial<WaiverSubject>, now = NOW) {
  const match = waiverFor(waivers, { ...SUBJECT, ...subject }, now);
  return match && `${match.status} ${match.waiver.ticket}`;
}

describe('waiverFor', () => {
  describe('which waivers name a data type in a bucket', () => {
    it('finds a waiver naming the bucket and the type', () => {
      expect(ticketFor(waiversOf({}), {})).toBe('active SEC-1');
    });

    it('finds none when there are no waivers', () => {
      expect(ticketFor(waiversOf(), {})).toBeUndefined();
    });

    it('finds none for another bucket', () => {
      expect(ticketFor(waiversOf({}), { bucket: 'acme-hr-records-old' })).toBeUndefined();
    });

    it('finds none for a type the waiver does not name', () => {
      expect(ticketFor(waiversOf({}), { type: 'USA_PASSPORT_NUMBER' })).toBeUndefined();
    });

    it('matches a bucket pattern with *', () => {
      const waivers = waiversOf({ bucket: 'acme-analytics-*' });

      expect(ticketFor(waivers, { bucket: 'acme-analytics-eu-west-1' })).toBe('active SEC-1');
    });

    it('matches only whole bucket names against a pattern', () => {
      const waivers = waiversOf({ bucket: 'acme-analytics-*' });

      expect(ticketFor(waivers, { bucket: 'old-acme-analytics-eu' })).toBeUndefined();
    });

    it('takes the dots of a bucket name literally', () => {
      const waivers = waiversOf({ bucket: 'logs.acme.com' });

      expect(ticketFor(waivers, { bucket: 'logs-acme-com' })).toBeUndefined();
    });

    it('matches a type pattern with *', () => {
      const waivers = waiversOf({ types: ['*_PASSPORT_NUMBER'] });

      expect(ticketFor(waivers, { type: 'CANADA_PASSPORT_NUMBER' })).toBe('active SEC-1');
    });

    it('matches any of the types a waiver names', () => {
      const waivers = waiversOf({ types: ['EMAIL_ADDRESS', 'PHONE_NUMBER'] });

      expect(ticketFor(waivers, { type: 'PHONE_NUMBER' })).toBe('active SEC-1');
    });

    it('matches a managed identifier whatever its case', () => {
      const waivers = waiversOf({ types: ['usa_social_security_number'] });

      expect(ticketFor(waivers, { type: 'USA_Social_Security_Number ' })).toBe('active SEC-1');
    });

    it('matches a custom identifier name whatever its case', () => {
      const waivers = waiversOf({ types: ['Employee-ID'] });

      expect(ticketFor(waivers, { type: 'employee-id' })).toBe('active SEC-1');
    });

    it('matches a type pattern whatever the case', () => {
      const waivers = waiversOf({ types: ['*_passport_number'] });

      expect(ticketFor(waivers, { type: 'FRANCE_PASSPORT_NUMBER' })).toBe('active SEC-1');
    });

    it('matches the account a waiver is limited to', () => {
      const waivers = waiversOf({ account: '111122223333' });

      expect(ticketFor(waivers, { accountId: '111122223333' })).toBe('active SEC-1');
    });

    it('finds none in another account than the one a waiver is limited to', () => {
      const waivers = waiversOf({ account: '111122223333' });

      expect(ticketFor(waivers, { accountId: '444455556666' })).toBeUndefined();
    });

    it('matches any account when a waiver names none', () => {
      expect(ticketFor(waiversOf({}), { accountId: '444455556666' })).toBe('active SEC-1');
    });
  });

  describe('expiry', () => {
    const waivers = waiversOf({ expires: '2026-06-30' });

    it('holds in the last second of its day (UTC)', () => {
      expect(ticketFor(waivers, {}, new Date('2026-06-30T23:59:59.999Z'))).toBe('active SEC-1');
    });

    it('has expired at midnight (UTC) after its day', () => {
      expect(ticketFor(waivers, {}, new Date('2026-07-01T00:00:00Z'))).toBe('expired SEC-1');
    });

    it('judges the day in UTC, not in the zone of a timestamp', () => {
      // 2026-07-01T01:30+02:00 is still 30 June in UTC.
      expect(ticketFor(waivers, {}, new Date('2026-07-01T01:30:00+02:00'))).toBe('active SEC-1');
    });

    it('ends a timestamp waiver at that instant', () => {
      const timed = waiversOf({ expires: '2026-06-30T12:00:00Z' });

      expect([
        ticketFor(timed, {}, new Date('2026-06-30T11:59:59.999Z')),
        ticketFor(timed, {}, new Date('2026-06-30T12:00:00Z')),
      ]).toEqual(['active SEC-1', 'expired SEC-1']);
    });
  });

  describe('when several waivers match', () => {
    it('prefers an active waiver to an expired one', () => {
      const waivers = waiversOf({ expires: '2026-04-30' }, { expires: '2026-05-02' });

      expect(ticketFor(waivers, {})).toBe('active SEC-2');
    });

    it('prefers an active waiver to an expired one listed after it', () => {
      const waivers = waiversOf({ expires: '2026-05-02' }, { expires: '2026-04-30' });

      expect(ticketFor(waivers, {})).toBe('active SEC-1');
    });

    it('prefers, among active waivers, the one that holds longest', () => {
      const waivers = waiversOf(
        { expires: '2026-06-30' },
        { expires: '2026-12-31', bucket: 'acme-hr-*' },
        { expires: '2026-09-30' },
      );

      expect(ticketFor(waivers, {})).toBe('active SEC-2');
    });

    it('prefers, among expired waivers, the one that expired last', () => {
      const waivers = waiversOf(
        { expires: '2026-01-31' },
        { expires: '2026-04-30' },
        { expires: '2026-03-31' },
      );

      expect(ticketFor(waivers, {})).toBe('expired SEC-2');
    });

    it('keeps the first in the file when two end at the same time', () => {
      const waivers = waiversOf({ expires: '2026-06-30' }, { expires: '2026-06-30' });

      expect(ticketFor(waivers, {})).toBe('active SEC-1');
    });
  });

  it('says where the waiver is written', () => {
    const waivers = waiversOf({ types: ['EMAIL_ADDRESS'] }, {});

    expect(waiverFor(waivers, SUBJECT, NOW)?.waiver.source).toBe('waivers.json:13');
  });
});

describe('isActive', () => {
  it('is true before the expiry and false from it on', () => {
    const [waiver] = waiversOf({ expires: '2026-06-30T00:00:00Z' }).waivers;
    if (!waiver) throw new Error('no waiver');

    expect([
      isActive(waiver, new Date('2026-06-29T23:59:59Z')),
      isActive(waiver, new Date('2026-06-30T00:00:00Z')),
    ]).toEqual([true, false]);
  });
});

describe('daysLeft', () => {
  const [waiver] = waiversOf({ expires: '2026-06-30' }).waivers;
  const left = (now: string): number => {
    if (!waiver) throw new Error('no waiver');
    return daysLeft(waiver, new Date(now));
  };

  it('is 0 on the last day', () => {
    expect([left('2026-06-30T00:00:00Z'), left('2026-06-30T23:59:59Z')]).toEqual([0, 0]);
  });

  it('counts whole days to the last day', () => {
    expect([left('2026-06-29T23:59:59Z'), left('2026-06-01T00:00:00Z')]).toEqual([1, 29]);
  });

  it('is negative once expired: -1 the day after', () => {
    expect([left('2026-07-01T00:00:00Z'), left('2026-07-10T08:00:00Z')]).toEqual([-1, -10]);
  });

  it('counts the day of the last instant a timestamp waiver holds as its last day', () => {
    const [timed] = waiversOf({ expires: '2026-07-01T00:00:00Z' }).waivers;
    if (!timed) throw new Error('no waiver');

    expect(daysLeft(timed, new Date('2026-06-30T10:00:00Z'))).toBe(0);
  });
});

describe('expiringWithin', () => {
  const waivers = waiversOf(
    { expires: '2026-05-31' },
    { expires: '2026-04-30' },
    { expires: '2026-05-08' },
    { expires: '2026-05-01' },
    { expires: '2026-05-09' },
  );
  const expiring = (days: number) =>
    expiringWithin(waivers, days, NOW).map((entry) => `${entry.waiver.ticket} ${entry.daysLeft}`);

  it('lists the active waivers with at most that many days left, the soonest first', () => {
    expect(expiring(7)).toEqual(['SEC-4 0', 'SEC-3 7']);
  });

  it('leaves out expired waivers, however many days are given', () => {
    expect(expiring(10_000).filter((entry) => entry.startsWith('SEC-2 '))).toEqual([]);
  });

  it('lists with 0 days only the waivers ending today', () => {
    expect(expiring(0)).toEqual(['SEC-4 0']);
  });

  it('lists every active waiver with enough days', () => {
    expect(expiring(30)).toEqual(['SEC-4 0', 'SEC-3 7', 'SEC-5 8', 'SEC-1 30']);
  });
});

describe('waiverLookup', () => {
  it("answers for a bucket's types with the waiver's facts and its expiry as ISO text", () => {
    const lookup = waiverLookup(waiversOf({}), SUBJECT.accountId, SUBJECT.bucket, NOW);

    expect(lookup('USA_SOCIAL_SECURITY_NUMBER')).toEqual({
      status: 'active',
      waiver: {
        ticket: 'SEC-1',
        approver: 'jane.doe@example.com',
        reason: 'Migration',
        expiresAt: '2026-07-01T00:00:00.000Z',
        source: 'waivers.json:3',
      },
    });
  });

  it('says a waiver expired once it has', () => {
    const lookup = waiverLookup(
      waiversOf({}),
      SUBJECT.accountId,
      SUBJECT.bucket,
      new Date('2026-07-01T00:00:00Z'),
    );

    expect(lookup('USA_SOCIAL_SECURITY_NUMBER')?.status).toBe('expired');
  });

  it('answers nothing for a type no waiver names', () => {
    const lookup = waiverLookup(waiversOf({}), SUBJECT.accountId, SUBJECT.bucket, NOW);

    expect(lookup('NAME')).toBeUndefined();
  });
});
