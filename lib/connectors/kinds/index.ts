/** Every connector type, by its name. */
import type { ConnectorKind, ConnectorType } from '../types';
import { argocd } from './argocd';
import { githubActions } from './github-actions';
import { kubernetes } from './kubernetes';
import { loki } from './loki';
import { pagerduty } from './pagerduty';
import { prometheus } from './prometheus';
import { sentry } from './sentry';

export const CONNECTOR_KINDS: Record<ConnectorType, ConnectorKind<never>> = {
  kubernetes,
  prometheus,
  loki,
  'github-actions': githubActions,
  argocd,
  pagerduty,
  sentry,
} as unknown as Record<ConnectorType, ConnectorKind<never>>;

export function connectorKind(type: ConnectorType): ConnectorKind<unknown> {
  return CONNECTOR_KINDS[type] as ConnectorKind<unknown>;
}
