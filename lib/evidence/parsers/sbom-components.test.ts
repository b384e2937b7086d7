/**
 * What an SBOM summary keeps about who carries each license, read from SBOMs a real scanner wrote
 * (lib/evidence/testing/real/SOURCES.md), so a denied license points at the components behind it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, cyclonedx } from '../testing/fixtures';
import { LICENSE_EXAMPLES, type SbomSummary } from './sbom';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'testing', 'real', file), 'utf8');
const summaryOf = async (text: string) => (await analyzeBytes('sbom', text)).summary as SbomSummary;

describe('the components behind each license', () => {
  it('Trivy CycloneDX: name and version of the components declaring a license', async () => {
    const summary = await summaryOf(real('trivy-npm.cdx.json'));
    expect(summary.format).toBe('cyclonedx');
    expect(summary.licenses.MIT).toBeGreaterThan(LICENSE_EXAMPLES);
    expect(summary.componentsByLicense!.MIT).toEqual([
      { name: 'jquery', version: '3.3.9' },
      { name: 'promise', version: '8.0.3' },
      { name: 'react-is', version: '16.8.6' },
    ]);
  });

  it('Trivy SPDX: the concluded license of each package, with its versionInfo; NOASSERTION is no license', async () => {
    const summary = await summaryOf(real('trivy-conda.spdx.json'));
    expect(summary.format).toBe('spdx');
    expect(summary.componentsByLicense).toEqual({ MIT: [{ name: 'pip', version: '22.2.2' }], OpenSSL: [{ name: 'openssl', version: '1.1.1q' }] });
    expect(summary.componentsWithoutLicense).toBe(1);
  });

  it('keeps at most a few per license, whatever the SBOM’s size', async () => {
    const many = Array.from({ length: 50 }, (_, index) => ({ name: `lib-${index}`, license: 'GPL-3.0-only' }));
    const summary = await summaryOf(JSON.stringify(cyclonedx(many)));
    expect(summary.licenses['GPL-3.0-only']).toBe(50);
    expect(summary.componentsByLicense!['GPL-3.0-only']).toHaveLength(LICENSE_EXAMPLES);
  });
});
