/**
 * Logs: Loki's query_range, configured LogQL queries only, each over its configured window.
 * A log query counts matching lines; a metric query (count_over_time...) takes its last value.
 */
import { z } from 'zod';
import { ConnectorError } from '../http';
import { anyNumber, oneOf } from '../scope';
import { bearer, commonSettings, queryId, type ConnectorKind } from '../types';

const configSchema = z.object({
  ...commonSettings,
  /** Multi-tenant Loki: the X-Scope-OrgID to send. */
  tenant: z.string().regex(/^[A-Za-z0-9._-]{1,150}$/).optional(),
  queries: z
    .array(
      z.object({
        id: queryId,
        query: z.string().min(1).max(2_000),
        rangeSeconds: z.number().int().min(60).max(7 * 86_400).default(900),
        description: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(50)
    .refine((queries) => new Set(queries.map((q) => q.id)).size === queries.length, 'query ids are unique'),
});
type LokiConfig = z.infer<typeof configSchema>;

const LIMIT = 5_000;

interface LokiResponse {
  status: string;
  data?: {
    resultType: 'streams' | 'matrix' | 'vector';
    result: Array<{ values?: Array<[string, string]>; value?: [number, string] }>;
  };
}

export const loki: ConnectorKind<LokiConfig> = {
  type: 'loki',
  label: 'Loki',
  category: 'logs',
  credential: 'optional',
  configSchema,
  allowedRequests: (config) => [
    {
      method: 'GET',
      path: '/loki/api/v1/query_range',
      params: { query: oneOf(config.queries.map((q) => q.query)), start: anyNumber, end: anyNumber, limit: anyNumber, direction: oneOf(['backward']) },
      required: ['query', 'start', 'end'],
    },
  ],
  targets: (config) => config.queries.map((q) => q.id),
  headers: (config): Record<string, string> => (config.tenant ? { 'x-scope-orgid': config.tenant } : {}),
  authorize: bearer,
  async read({ http, config }, target) {
    const query = config.queries.find((q) => q.id === target)!;
    const endNs = BigInt(Date.now()) * 1_000_000n;
    const startNs = endNs - BigInt(query.rangeSeconds) * 1_000_000_000n;
    const { body } = await http.getJson<LokiResponse>('/loki/api/v1/query_range', {
      query: query.query,
      start: startNs.toString(),
      end: endNs.toString(),
      limit: String(LIMIT),
      direction: 'backward',
    });
    if (body.status !== 'success' || !body.data) throw new ConnectorError(`Loki refused query "${query.id}"`, 200, false);
    let count = 0;
    if (body.data.resultType === 'streams') {
      for (const stream of body.data.result) count += stream.values?.length ?? 0;
    } else {
      for (const series of body.data.result) {
        const last = series.values?.at(-1)?.[1] ?? series.value?.[1];
        count += Number(last ?? 0);
      }
    }
    return {
      queryId: query.id,
      query: query.query,
      rangeSeconds: query.rangeSeconds,
      resultType: body.data.resultType,
      /** Matching lines (log query) or the summed last values (metric query). */
      count,
      truncated: body.data.resultType === 'streams' && count >= LIMIT,
    };
  },
};
