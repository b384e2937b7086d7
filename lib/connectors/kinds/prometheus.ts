/**
 * Metrics: the Prometheus HTTP API, configured queries only. A reading of a query is its value
 * at the evaluation instant: the largest sample when it returns several series, so a rule
 * "below the threshold" holds for every series.
 */
import { z } from 'zod';
import { ConnectorError } from '../http';
import { anyNumber, oneOf } from '../scope';
import { bearer, commonSettings, queryId, type ConnectorKind } from '../types';

const configSchema = z.object({
  ...commonSettings,
  queries: z
    .array(z.object({ id: queryId, query: z.string().min(1).max(2_000), description: z.string().max(200).optional() }))
    .min(1)
    .max(50)
    .refine((queries) => new Set(queries.map((q) => q.id)).size === queries.length, 'query ids are unique'),
});
type PrometheusConfig = z.infer<typeof configSchema>;

interface PromResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: 'vector' | 'scalar' | 'matrix' | 'string'; result: unknown };
}

export const prometheus: ConnectorKind<PrometheusConfig> = {
  type: 'prometheus',
  label: 'Prometheus',
  category: 'metrics',
  credential: 'optional',
  configSchema,
  allowedRequests: (config) => [
    { method: 'GET', path: '/api/v1/query', params: { query: oneOf(config.queries.map((q) => q.query)), time: anyNumber }, required: ['query'] },
  ],
  targets: (config) => config.queries.map((q) => q.id),
  authorize: bearer,
  async read({ http, config }, target) {
    const query = config.queries.find((q) => q.id === target)!;
    const { body } = await http.getJson<PromResponse>('/api/v1/query', { query: query.query });
    if (body.status !== 'success' || !body.data) throw new ConnectorError(`Prometheus refused query "${query.id}": ${body.error ?? 'no data'}`, 200, false);
    const samples: Array<{ metric: Record<string, string>; value: number }> = [];
    if (body.data.resultType === 'scalar') {
      samples.push({ metric: {}, value: Number((body.data.result as [number, string])[1]) });
    } else if (body.data.resultType === 'vector') {
      for (const series of body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>) {
        samples.push({ metric: series.metric, value: Number(series.value[1]) });
      }
    } else {
      throw new ConnectorError(`Prometheus query "${query.id}" returned a ${body.data.resultType}; use an instant query that returns a vector or scalar`, 200, false);
    }
    const finite = samples.map((s) => s.value).filter((v) => Number.isFinite(v));
    return {
      queryId: query.id,
      query: query.query,
      resultType: body.data.resultType,
      /** The largest sample; null when the query returned no series. */
      value: finite.length ? Math.max(...finite) : null,
      series: samples.length,
      // NaN and ±Inf are not JSON: such samples are kept as null.
      samples: samples.slice(0, 20).map((sample) => ({ metric: sample.metric, value: Number.isFinite(sample.value) ? sample.value : null })),
    };
  },
};
