import { ledgerMetrics } from '../../../rules/ledger-metrics';

/** The five datapoints of a team: one per severity, then unclassified buckets. */
function teamMetrics(
  team: string,
  counts: {
    Low?: number;
    Medium?: number;
    High?: number;
    Critical?: number;
    unclassified?: number;
  },
) {
  return [
    ...(['Low', 'Medium', 'High', 'Critical'] as const).map((severity) => ({
      name: 'BucketsInViolation',
      dimensions: { Team: team, Severity: severity },
      count: counts[severity] ?? 0,
    })),
    { name: 'UnclassifiedBuckets', dimensions: { Team: team }, count: counts.unclassified ?? 0 },
  ];
}

describe('ledgerMetrics', () => {
  it('counts buckets in violation by team and worst severity, and unclassified buckets by team', () => {
    const metrics = ledgerMetrics([
      { team: 'payments', verdict: 'violation', severity: 'High' },
      { team: 'payments', verdict: 'violation', severity: 'High' },
      { team: 'payments', verdict: 'violation', severity: 'Critical' },
      { team: 'payments', verdict: 'unclassified', severity: 'Medium' },
      { team: 'analytics', verdict: 'unclassified' },
      { team: 'analytics', verdict: 'unclassified' },
      { team: 'analytics', verdict: 'violation', severity: 'Low' },
    ]);

    expect(metrics).toStrictEqual([
      ...teamMetrics('analytics', { Low: 1, unclassified: 2 }),
      ...teamMetrics('payments', { High: 2, Critical: 1, unclassified: 1 }),
    ]);
  });

  it('gives a team with nothing open a zero for every datapoint, so its lines fall to zero', () => {
    expect(
      ledgerMetrics([
        { team: 'ledger', verdict: 'clear' },
        { team: 'ledger', verdict: 'clear', severity: 'High' },
      ]),
    ).toStrictEqual(teamMetrics('ledger', {}));
  });

  it('counts a violation only with its severity', () => {
    expect(ledgerMetrics([{ team: 'ledger', verdict: 'violation' }])).toStrictEqual(
      teamMetrics('ledger', {}),
    );
  });

  it('orders teams by name, whatever the order of the buckets', () => {
    const teams = ledgerMetrics([
      { team: 'zeta', verdict: 'clear' },
      { team: 'Alpha', verdict: 'clear' },
      { team: 'alpha', verdict: 'clear' },
      { team: 'beta', verdict: 'clear' },
      { team: 'alpha', verdict: 'clear' },
    ]).map(({ dimensions }) => dimensions.Team);

    expect([...new Set(teams)]).toEqual(['Alpha', 'alpha', 'beta', 'zeta']);
    expect(teams).toHaveLength(4 * 5);
  });

  it('gives nothing for an empty ledger', () => {
    expect(ledgerMetrics([])).toEqual([]);
  });
});
