import { createEnvironmentEndpoint, listEnvironmentsEndpoint } from '@/lib/api/endpoints/catalog';
import { handleCreateEnvironment, handleListEnvironments } from '@/lib/catalog/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(listEnvironmentsEndpoint, handleListEnvironments);
export const POST = withApi(createEnvironmentEndpoint, handleCreateEnvironment);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
