import { updateEnvironmentEndpoint } from '@/lib/api/endpoints/catalog';
import { handleUpdateEnvironment } from '@/lib/catalog/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const PATCH = withApi(updateEnvironmentEndpoint, handleUpdateEnvironment);
export const { GET, POST, PUT, DELETE, OPTIONS } = otherMethods(['PATCH']);
