import { describe, expect, it } from 'vitest';
import { formatCount, plural } from './plural';

describe('plural', () => {
  it('names one in the singular and any other count in the plural, its own plural when given', () => {
    expect(plural(1, 'rule')).toBe('1 rule');
    expect(plural(0, 'rule')).toBe('0 rules');
    expect(plural(2, 'policy', 'policies')).toBe('2 policies');
  });

  it('groups thousands as English readers expect, also after other locales were formatted', () => {
    expect(plural(1234, 'component')).toBe('1,234 components');
    // The shared formatter is not disturbed by another locale's use of Intl in the same process.
    expect((1234.5).toLocaleString('de-DE')).toBe('1.234,5');
    expect(new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC' }).format(0)).toBe('01/01/1970');
    expect(formatCount(600000)).toBe('600,000');
  });
});
