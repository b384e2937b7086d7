/** Incidents: PagerDuty's open incidents (triggered or acknowledged) of the configured services only. */
import { z } from 'zod';
import { ConnectorError } from '../http';
import { oneOf } from '../scope';
import { commonSettings, type ConnectorKind } from '../types';

const configSchema = z.object({
  ...commonSettings,
  baseUrl: commonSettings.baseUrl.default('https://api.pagerduty.com'),
  services: z.array(z.string().regex(/^[A-Z0-9]{5,20}$/, 'a PagerDuty service id, e.g. PABC123')).min(1).max(100),
});
type PagerDutyConfig = z.infer<typeof configSchema>;

interface Incident {
  id: string;
  incident_number: number;
  title: string;
  status: string;
  urgency: 'high' | 'low';
  priority?: { summary?: string } | null;
  service: { id: string };
  created_at: string;
  html_url: string;
}

const LIMIT = '100';

export const pagerduty: ConnectorKind<PagerDutyConfig> = {
  type: 'pagerduty',
  label: 'PagerDuty',
  category: 'incidents',
  credential: 'required',
  configSchema,
  allowedRequests: (config) => [
    {
      method: 'GET',
      path: '/incidents',
      // Without service_ids[] the API would list every incident of the account: it is required.
      params: { 'service_ids[]': oneOf(config.services), 'statuses[]': oneOf(['triggered', 'acknowledged']), limit: oneOf([LIMIT]) },
      required: ['service_ids[]'],
    },
  ],
  targets: (config) => config.services,
  headers: () => ({ accept: 'application/vnd.pagerduty+json;version=2' }),
  authorize: (credential, headers) => headers.set('authorization', `Token token=${credential}`),
  async read({ http }, service) {
    const { body } = await http.getJson<{ incidents: Incident[]; more?: boolean }>('/incidents', {
      'service_ids[]': [service],
      'statuses[]': ['triggered', 'acknowledged'],
      limit: LIMIT,
    });
    if (!Array.isArray(body.incidents)) throw new ConnectorError('PagerDuty did not answer a list of incidents', 200, false);
    const incidents = body.incidents
      .filter((incident) => incident.service?.id === service)
      .map((incident) => ({
        id: incident.id,
        number: incident.incident_number,
        title: incident.title,
        status: incident.status,
        urgency: incident.urgency,
        priority: incident.priority?.summary ?? null,
        createdAt: incident.created_at,
        url: incident.html_url,
      }))
      .sort((a, b) => a.number - b.number);
    return {
      service,
      open: incidents.length,
      openHighUrgency: incidents.filter((incident) => incident.urgency === 'high').length,
      truncated: body.more === true,
      incidents,
    };
  },
};
