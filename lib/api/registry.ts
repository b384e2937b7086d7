/**
 * Every /api/v1 endpoint, in one list: the OpenAPI document is generated from it, and the
 * authorization matrix (e2e/identity) runs every one of them against every kind of caller.
 * Add an endpoint's definition here when you add its route.
 */
import type { EndpointDefinition } from './endpoint';
import {
  createEnvironmentEndpoint,
  createServiceEndpoint,
  listEnvironmentsEndpoint,
  listServicesEndpoint,
  setPromotionOrderEndpoint,
  updateEnvironmentEndpoint,
  updateServiceEndpoint,
} from './endpoints/catalog';
import { createTrustPolicyEndpoint, deleteTrustPolicyEndpoint, listTrustPoliciesEndpoint, tokenExchange } from './endpoints/ci-identity';
import { createConnectorEndpoint, deleteConnectorEndpoint, listConnectorsEndpoint, testConnectorEndpoint, updateConnectorEndpoint } from './endpoints/connectors';
import { exportReport, passportEnvelope, passportVsa } from './endpoints/console';
import { listDeploymentsEndpoint, reportDeploymentEndpoint } from './endpoints/deployments';
import { getEvidence, uploadEvidence } from './endpoints/evidence';
import { evaluateGate } from './endpoints/gate';
import { whoami } from './endpoints/identity';
import { workspaceJwks, workspaceKeys } from './endpoints/keys';
import { getPassport, replayPassport } from './endpoints/passports';
import { getRetentionEndpoint, legalHoldEndpoint, runRetentionEndpoint, updateRetentionEndpoint } from './endpoints/retention';
import { deleteSecretEndpoint, secretsStatusEndpoint, writeSecretEndpoint } from './endpoints/secrets';

export const endpoints: readonly EndpointDefinition[] = [
  whoami,
  tokenExchange,
  listTrustPoliciesEndpoint,
  createTrustPolicyEndpoint,
  deleteTrustPolicyEndpoint,
  uploadEvidence,
  getEvidence,
  evaluateGate,
  getPassport,
  replayPassport,
  workspaceKeys,
  workspaceJwks,
  listConnectorsEndpoint,
  createConnectorEndpoint,
  updateConnectorEndpoint,
  deleteConnectorEndpoint,
  testConnectorEndpoint,
  secretsStatusEndpoint,
  writeSecretEndpoint,
  deleteSecretEndpoint,
  getRetentionEndpoint,
  updateRetentionEndpoint,
  runRetentionEndpoint,
  legalHoldEndpoint,
  exportReport,
  passportEnvelope,
  passportVsa,
  listServicesEndpoint,
  createServiceEndpoint,
  updateServiceEndpoint,
  listEnvironmentsEndpoint,
  createEnvironmentEndpoint,
  updateEnvironmentEndpoint,
  setPromotionOrderEndpoint,
  reportDeploymentEndpoint,
  listDeploymentsEndpoint,
];
