import { runRetentionEndpoint } from '@/lib/api/endpoints/retention';
import { withApi } from '@/lib/http/with-api';
import { handleRunRetention } from '@/lib/retention/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const POST = withApi(runRetentionEndpoint, handleRunRetention);
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);
