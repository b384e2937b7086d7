import { describe, expect, it } from 'vitest';
import { resolveRequestId } from './request-id';

describe('request ids', () => {
  it('keeps an incoming id that looks like one', () => {
    expect(resolveRequestId('ci-run-42.step-3')).toBe('ci-run-42.step-3');
    expect(resolveRequestId('0b8f2c1e-6d1a-4a51-9b0e-2f4f7c3d9e10')).toBe('0b8f2c1e-6d1a-4a51-9b0e-2f4f7c3d9e10');
  });

  it('replaces a missing, short, long or injected id with a new uuid', () => {
    for (const bad of [null, '', 'short', 'a'.repeat(200), 'abc def ghi', 'id\r\nset-cookie: x=1', '<script>alert(1)</script>']) {
      const id = resolveRequestId(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
