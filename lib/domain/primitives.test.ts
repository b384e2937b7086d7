import { describe, expect, it } from 'vitest';
import { roleAtLeast } from './primitives';

describe('role order', () => {
  it('an approval counts from the role asked for or any more privileged one, written out', () => {
    expect(roleAtLeast('admin', 'maintainer')).toBe(true);
    expect(roleAtLeast('maintainer', 'maintainer')).toBe(true);
    expect(roleAtLeast('developer', 'maintainer')).toBe(false);
    expect(roleAtLeast('viewer', 'developer')).toBe(false);
    expect(roleAtLeast('viewer', 'viewer')).toBe(true);
  });
});
