import { missedBudgets, valueAt } from '../../../bench/budgets';
import { configRuleSection } from '../../../bench/sections/config-rule';
import { handlerSection } from '../../../bench/sections/handler';
import { peerSection } from '../../../bench/sections/peer';

describe('valueAt', () => {
  it('follows a dotted key into nested figures', () => {
    expect(valueAt({ handler: { apiCalls: { compliant: 1 } } }, 'handler.apiCalls.compliant')).toBe(
      1,
    );
  });

  it('gives undefined for a key that is not there', () => {
    expect(valueAt({ handler: {} }, 'handler.apiCalls.compliant')).toBeUndefined();
    expect(valueAt({ handler: 3 }, 'handler.apiCalls')).toBeUndefined();
  });
});

/** Figures of the handler section, changed where a test says. */
function handlerFigures(apiCalls: Record<string, number>, s3ForTagged = 0) {
  const byService = { dynamodb: 1, s3: s3ForTagged };
  return {
    handler: {
      apiCalls: { compliant: 1, repeat: 2, violation: 4, noTagsInFinding: 3, ...apiCalls },
      apiCallsByService: {
        compliant: byService,
        repeat: byService,
        violation: byService,
        noTagsInFinding: { s3: 1 },
      },
    },
  };
}

describe('the handler budgets', () => {
  it('are met at exactly 1 call for compliant, 2 for a repeat, 4 for a first violation', () => {
    expect(missedBudgets(handlerSection, handlerFigures({}))).toEqual([]);
  });

  it.each([
    ['compliant', 2],
    ['repeat', 3],
    ['violation', 5],
  ])('are missed by a %s finding making %i calls', (kind, calls) => {
    expect(missedBudgets(handlerSection, handlerFigures({ [kind]: calls }))).toEqual([
      expect.stringContaining(`handler.apiCalls.${kind}: a ${kind} finding made ${calls}`),
    ]);
  });

  it('are missed when a finding that carries its tags reads S3', () => {
    expect(missedBudgets(handlerSection, handlerFigures({}, 1))).toHaveLength(3);
  });

  it('are missed when a figure is absent', () => {
    expect(missedBudgets(handlerSection, {})).toHaveLength(3);
  });
});

describe('the sweep scaling budget', () => {
  const figures = (scaling: unknown) => ({ configRule: { periodic: { scaling } } });

  it('is met at 12 and missed above', () => {
    expect(missedBudgets(configRuleSection, figures(12))).toEqual([]);
    expect(missedBudgets(configRuleSection, figures(12.01))).toEqual([
      expect.stringContaining('configRule.periodic.scaling'),
    ]);
    expect(missedBudgets(configRuleSection, figures(undefined))).toHaveLength(1);
  });
});

describe('the Cloud Custodian budget', () => {
  const figures = (ratio: unknown) => ({ peer: { custodian: { ratio } } });

  it('is met at 0.2 of its time and missed above', () => {
    expect(missedBudgets(peerSection, figures(0.2))).toEqual([]);
    expect(missedBudgets(peerSection, figures(0.21))).toEqual([
      expect.stringContaining('peer.custodian.ratio'),
    ]);
  });
});
