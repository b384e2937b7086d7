import { getRetentionEndpoint, updateRetentionEndpoint } from '@/lib/api/endpoints/retention';
import { withApi } from '@/lib/http/with-api';
import { handleGetRetention, handleUpdateRetention } from '@/lib/retention/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(getRetentionEndpoint, handleGetRetention);
export const PUT = withApi(updateRetentionEndpoint, handleUpdateRetention);
export const { POST, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'PUT']);
