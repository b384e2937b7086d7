import { describe, expect, it } from 'vitest';
import { gateDecisionOf } from './audit';

describe('gateDecisionOf: the decision a gate.evaluate event recorded, shown beside its action', () => {
  it('reads decision, mode and blocking from the details the gate records', () => {
    expect(gateDecisionOf({ service: 'api', decision: 'deny', mode: 'enforce', blocking: true })).toEqual({ decision: 'deny', mode: 'enforce', blocking: true });
    expect(gateDecisionOf({ decision: 'deny', mode: 'shadow', blocking: false })).toEqual({ decision: 'deny', mode: 'shadow', blocking: false });
    expect(gateDecisionOf({ decision: 'allow', mode: 'advisory' })).toEqual({ decision: 'allow', mode: 'advisory', blocking: false });
  });

  it('shows nothing for events without a decision, or with values the gate never writes', () => {
    for (const details of [null, undefined, 'deny', [], {}, { decision: 'deny' }, { decision: 'maybe', mode: 'enforce' }, { decision: 'allow', mode: 'strict' }, { decision: 1, mode: 'enforce' }]) {
      expect(gateDecisionOf(details), JSON.stringify(details)).toBeNull();
    }
  });
});
