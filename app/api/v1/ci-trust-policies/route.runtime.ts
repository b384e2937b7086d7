import { createTrustPolicyEndpoint, listTrustPoliciesEndpoint } from '@/lib/api/endpoints/ci-identity';
import { handleCreateTrustPolicy, handleListTrustPolicies } from '@/lib/ci-identity/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const GET = withApi(listTrustPoliciesEndpoint, handleListTrustPolicies);
export const POST = withApi(createTrustPolicyEndpoint, handleCreateTrustPolicy);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
