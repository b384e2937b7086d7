import { createServiceEndpoint, listServicesEndpoint } from '@/lib/api/endpoints/catalog';
import { handleCreateService, handleListServices } from '@/lib/catalog/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(listServicesEndpoint, handleListServices);
export const POST = withApi(createServiceEndpoint, handleCreateService);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
