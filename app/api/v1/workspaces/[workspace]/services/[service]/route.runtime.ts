import { updateServiceEndpoint } from '@/lib/api/endpoints/catalog';
import { handleUpdateService } from '@/lib/catalog/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const PATCH = withApi(updateServiceEndpoint, handleUpdateService);
export const { GET, POST, PUT, DELETE, OPTIONS } = otherMethods(['PATCH']);
