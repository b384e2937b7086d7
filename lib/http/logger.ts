/** Structured logs (seed 004): one JSON line per event, always with the request id when there is one. */
import pino from 'pino';

export const logger = pino({
  base: { service: 'release-passport' },
  level: process.env.RP_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: { paths: ['authorization', 'cookie', '*.authorization', '*.cookie', 'token', '*.token'], censor: '[redacted]' },
});
