import { waiversFileSchema } from '../../../policies/waivers-file-schema';

/** A valid waiver with `changes` laid over it. */
function waiver(changes: Record<string, unknown>): Record<string, unknown> {
  return {
    bucket: 'acme-analytics-*',
    types: ['USA_SOCIAL_SECURITY_NUMBER'],
    reason: 'migration to the restricted bucket',
    ticket: 'SEC-1234',
    approver: 'central-security',
    expires: '2026-06-30',
    ...changes,
  };
}

function parsed(changes: Record<string, unknown>) {
  return waiversFileSchema.safeParse({ waivers: [waiver(changes)] });
}

/** The instant a waiver with this expiry stops holding, as an ISO string. */
function endsAt(expires: string): string {
  const result = parsed({ expires });
  if (!result.success) throw new Error(`${expires} was refused: ${result.error.message}`);
  return result.data.waivers[0]?.expires.at.toISOString() ?? '';
}

function messages(changes: Record<string, unknown>): string[] {
  const result = parsed(changes);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('the waivers file schema', () => {
  describe('account', () => {
    it('takes a 12-digit id written as a number, as YAML reads it unquoted', () => {
      const result = parsed({ account: 123456789012 });
      expect(result.success && result.data.waivers[0]?.account).toBe('123456789012');
    });

    it('refuses a value that is neither text nor a number as such, not as a bad id', () => {
      const [message] = messages({ account: true });
      expect(message).toMatch(/expected string, received boolean/);
    });
  });

  describe('expires', () => {
    it('ends a date waiver at the midnight (UTC) after its day', () => {
      expect(endsAt('2026-06-30')).toBe('2026-07-01T00:00:00.000Z');
      expect(endsAt('2024-02-29')).toBe('2024-03-01T00:00:00.000Z');
    });

    it('ends a timestamp waiver at that instant, whatever its offset', () => {
      expect(endsAt('2026-06-30T17:00:00Z')).toBe('2026-06-30T17:00:00.000Z');
      expect(endsAt('2026-06-30T17:00:00+05:30')).toBe('2026-06-30T11:30:00.000Z');
      expect(endsAt('2026-06-30T17:00:00-05:30')).toBe('2026-06-30T22:30:00.000Z');
      expect(endsAt('2026-06-30T17:00:00.250-02:00')).toBe('2026-06-30T19:00:00.250Z');
    });

    it('takes offsets up to 23:59 and refuses 24 hours or 60 minutes', () => {
      expect(endsAt('2026-06-30T17:00:00+23:00')).toBe('2026-06-29T18:00:00.000Z');
      expect(endsAt('2026-06-30T17:00:00+05:59')).toBe('2026-06-30T11:01:00.000Z');
      expect(messages({ expires: '2026-06-30T17:00:00+24:00' })).toEqual([
        '"2026-06-30T17:00:00+24:00" is not a date in the calendar',
      ]);
      expect(messages({ expires: '2026-06-30T17:00:00+05:60' })).toEqual([
        '"2026-06-30T17:00:00+05:60" is not a date in the calendar',
      ]);
    });

    it('refuses a day the calendar does not have', () => {
      expect(messages({ expires: '2026-02-30' })).toEqual([
        '"2026-02-30" is not a date in the calendar',
      ]);
      expect(messages({ expires: '2025-02-29' })).toEqual([
        '"2025-02-29" is not a date in the calendar',
      ]);
      expect(messages({ expires: '2026-04-31T10:00:00Z' })).toEqual([
        '"2026-04-31T10:00:00Z" is not a date in the calendar',
      ]);
    });

    it('refuses a timestamp without a time zone, saying what it takes', () => {
      expect(messages({ expires: '2026-06-30T17:00:00' })).toEqual([
        'must be a date YYYY-MM-DD or an ISO timestamp with a time zone, e.g. 2026-06-30 or 2026-06-30T17:00:00Z',
      ]);
    });
  });
});
