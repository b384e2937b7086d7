/**
 * The secrets layer, in one place (docs/security-model.md, "Who may do what").
 *
 * Every secret is named by a reference (`env:NAME`, `file:/path`, `store:path`,
 * `vault:mount/path#field`) and resolved only where it is used:
 *
 *   const key = await resolveSecret('store:signing/k1', {
 *     workspace: { id: workspaceId },
 *     flow: { purpose: 'signing', environment: null },
 *     actor: { type: 'system', label: 'gate' },
 *   });
 *   crypto.createPrivateKey(key.reveal());
 *
 *   const stripeKey = await resolveInstallationSecret('stripe.secretKey'); // null when unset
 *
 * Reads pass the path policy (policy.ts) before any source is touched and are audited; values come
 * back as SecretValue (prints as `[secret <ref>]`); errors are SecretError and name the reference,
 * never the value. Writes (`store:` only) are encrypted with AES-256-GCM bound to the workspace
 * and path, and audited in the caller's transaction when given one. Status functions say whether a
 * secret is set and where it comes from without reading it.
 */
export { SecretError, type SecretErrorCode } from './errors';
export { parseSecretReference, isSecretReference, type SecretReference } from './reference';
export { SecretValue, type SecretSource } from './value';
export type { SecretActor } from './audit';
export { FLOW_PURPOSES, type FlowPurpose, type SecretFlow, type SecretRule, type PolicyDecision } from './policy';
export {
  resolveSecret,
  resolveInstallationSecret,
  checkSecretAccess,
  type SecretReadContext,
  type WorkspaceRef,
} from './resolve';
export { writeSecret, deleteSecret, listStoredSecrets, type SecretWriteContext } from './write';
export {
  secretReferenceStatus,
  installationSecretsStatus,
  secretStoreStatus,
  type SecretStatus,
  type InstallationSecretStatus,
  type StoreStatus,
} from './status';
export { rotateStoreKey, type RotateKeyOptions, type RotateKeyResult } from './rotate';
export { installationSecrets, registerInstallationSecrets, type InstallationSecretDefinition } from './registry';
export type { KeySource } from './keys';
export { configureSecrets, secretsConfig } from './config';
export { secretProblem } from './problem';
