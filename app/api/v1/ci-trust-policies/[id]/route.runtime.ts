import { deleteTrustPolicyEndpoint } from '@/lib/api/endpoints/ci-identity';
import { handleDeleteTrustPolicy } from '@/lib/ci-identity/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const DELETE = withApi(deleteTrustPolicyEndpoint, handleDeleteTrustPolicy);
export const { GET, POST, PUT, PATCH, OPTIONS } = otherMethods(['DELETE']);
