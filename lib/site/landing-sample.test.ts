/**
 * The landing page's sample is what the CLI prints: the sample's answer is a valid gate answer (the
 * API's own schema), judged by the gate's evaluator, and its text is the CLI's printDecision output.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printDecision } from '@/cli/support/decision';
import { evaluateGate } from '@/lib/api/endpoints/gate';
import { LANDING_COMMAND, landingSample, landingSampleAnswer } from './landing-sample';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the landing page sample', () => {
  it('is a real gate answer: valid for the API schema, judged by the evaluator (deny, enforce, blocking)', () => {
    const answer = evaluateGate.response.parse(landingSampleAnswer());
    expect(answer).toMatchObject({ decision: 'deny', mode: 'enforce', blocking: true });
    expect(answer.reasons.map((reason) => [reason.ruleId, reason.status])).toEqual([
      ['no-high-findings', 'fail'],
      ['sbom', 'pass'],
      ['fresh-provenance', 'stale'],
    ]);
  });

  it('prints exactly what rp gate prints for that answer', () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    printDecision(landingSampleAnswer(), 'https://passport.acme.example');
    expect(landingSample()).toBe([LANDING_COMMAND, ...printed].join('\n'));
    expect(landingSample()).toContain('Decision: DENY (enforce mode: the release is blocked)');
  });
});
