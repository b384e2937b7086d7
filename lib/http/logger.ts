/**
 * The one logger (pino): one JSON line per event. Lines written while a request is served carry
 * its request id (request-scope.ts), so an incident can follow one request through the log;
 * errors go under `err` with their stack. Credentials in logged objects are redacted by path.
 * `RP_LOG_LEVEL` sets the level (silent in tests). Nothing else writes log lines (eslint no-console).
 */
import pino from 'pino';
import { settings } from '@/lib/config/settings';
import { currentRequestId } from './request-scope';

export const logger = pino({
  base: { service: 'release-passport' },
  level: configuredLevel(),
  redact: { paths: ['authorization', 'cookie', '*.authorization', '*.cookie', 'token', '*.token'], censor: '[redacted]' },
  mixin() {
    const requestId = currentRequestId();
    return requestId ? { requestId } : {};
  },
});

/** RP_LOG_LEVEL; while another setting is wrong, info, so the refusal to start is still logged. */
function configuredLevel(): string {
  try {
    return settings().logLevel;
  } catch {
    return 'info';
  }
}
