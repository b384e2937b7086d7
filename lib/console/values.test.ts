import { describe, expect, it } from 'vitest';
import { describeValue } from './values';

describe('a rule value in words', () => {
  it('reads finding counts, limits and ages as a person would', () => {
    expect(describeValue({ critical: 0, high: 1 })).toEqual(['critical: 0', 'high: 1']);
    expect(describeValue({ maxAgeHours: 168 })).toEqual(['max age: 7 d']);
    expect(describeValue({ ageHours: 239.84, collectedAt: '2026-11-25T14:02:11.000Z' })).toEqual(['age: 10 d', 'collected at: 2026-11-25 14:02 UTC']);
    expect(describeValue({ ageHours: 5.25 })).toEqual(['age: 5.3 h']);
  });

  it('phrases nested values, lists, booleans and nothing', () => {
    expect(describeValue({ denied: { 'AGPL-3.0-only': ['mongo-lib', 'x'] } })).toEqual(['denied: AGPL-3.0-only: mongo-lib, x']);
    expect(describeValue({ denied: {} })).toEqual(['denied: none']);
    expect(describeValue({ synced: true, healthy: false })).toEqual(['synced: yes', 'healthy: no']);
    expect(describeValue(['sbom', 'sarif'])).toEqual(['sbom, sarif']);
    expect(describeValue(null)).toEqual([]);
    expect(describeValue('2 approvals')).toEqual(['2 approvals']);
  });
});
