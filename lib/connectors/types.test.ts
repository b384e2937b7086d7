import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { commonSettings } from './types';

describe('connector settings', () => {
  const baseUrl = z.object({ baseUrl: commonSettings.baseUrl });

  it('refuse a base URL with credentials, a query or a fragment, and anything that is not a URL, without throwing', () => {
    expect(baseUrl.safeParse({ baseUrl: 'https://prometheus.internal:9090' }).success).toBe(true);
    for (const value of ['https://user:pass@prometheus.internal', 'https://prometheus.internal/?token=x', 'https://prometheus.internal/#x', 'ftp://prometheus.internal', 'not a url', '[object File]']) {
      expect(baseUrl.safeParse({ baseUrl: value }).success, value).toBe(false);
    }
  });
});
