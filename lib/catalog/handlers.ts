/** The service and environment routes' logic (the route wrapper has authenticated, authorized and parsed). */
import type {
  createEnvironmentEndpoint,
  createServiceEndpoint,
  listEnvironmentsEndpoint,
  listServicesEndpoint,
  setPromotionOrderEndpoint,
  updateEnvironmentEndpoint,
  updateServiceEndpoint,
} from '@/lib/api/endpoints/catalog';
import { visibleScope } from '@/lib/access/can';
import type { ApiContext } from '@/lib/http/with-api';
import { createEnvironment, createService, listManagedEnvironments, listManagedServices, setPromotionOrder, updateEnvironment, updateService } from './store';

export async function handleListServices(ctx: ApiContext<typeof listServicesEndpoint>) {
  const only = visibleScope(ctx.actor!).services;
  return { services: await listManagedServices(ctx.db, ctx.workspace!.id, { includeArchived: ctx.query.archived === 'include', only }) };
}

export async function handleCreateService(ctx: ApiContext<typeof createServiceEndpoint>) {
  return createService(ctx.db, ctx.workspace!.id, ctx.actor!, ctx.body, ctx.audit);
}

export async function handleUpdateService(ctx: ApiContext<typeof updateServiceEndpoint>) {
  return updateService(ctx.db, ctx.workspace!.id, ctx.actor!, ctx.params.service, ctx.body, ctx.audit);
}

export async function handleListEnvironments(ctx: ApiContext<typeof listEnvironmentsEndpoint>) {
  const only = visibleScope(ctx.actor!).environments;
  return { environments: await listManagedEnvironments(ctx.db, ctx.workspace!.id, { includeArchived: ctx.query.archived === 'include', only }) };
}

export async function handleCreateEnvironment(ctx: ApiContext<typeof createEnvironmentEndpoint>) {
  return createEnvironment(ctx.db, ctx.workspace!.id, ctx.actor!, ctx.body, ctx.audit);
}

export async function handleUpdateEnvironment(ctx: ApiContext<typeof updateEnvironmentEndpoint>) {
  return updateEnvironment(ctx.db, ctx.workspace!.id, ctx.actor!, ctx.params.environment, ctx.body, ctx.audit);
}

export async function handleSetPromotionOrder(ctx: ApiContext<typeof setPromotionOrderEndpoint>) {
  return { environments: await setPromotionOrder(ctx.db, ctx.workspace!.id, ctx.actor!, ctx.body.order, ctx.audit) };
}
