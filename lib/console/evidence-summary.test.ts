import { describe, expect, it } from 'vitest';
import { provenanceSummary, sbomSummary } from '@/lib/gate/testing';
import { describeSummary } from './evidence';

describe('describeSummary', () => {
  it('names an SBOM\'s encoding when it is not JSON', () => {
    expect(describeSummary('sbom', { ...sbomSummary({ MIT: 2 }, 2), encoding: 'xml' })).toBe('cyclonedx 1.5 (xml): 2 components, 1 license');
    expect(describeSummary('sbom', sbomSummary({ MIT: 2 }, 2))).toBe('cyclonedx 1.5: 2 components, 1 license');
  });

  it('says how many attestations a JSON Lines bundle held, and which lines were not provenance', () => {
    const one = provenanceSummary();
    const bundle = { ...one, lines: [{ ...one, line: 1 }, { ...one, line: 3 }], notes: ['line 2: https://cyclonedx.org/bom, not provenance'] };
    expect(describeSummary('provenance', bundle)).toMatch(/; 2 attestations read from a JSON Lines bundle \(line 2: https:\/\/cyclonedx\.org\/bom, not provenance\)$/);
    expect(describeSummary('provenance', one)).not.toContain('JSON Lines');
  });
});
