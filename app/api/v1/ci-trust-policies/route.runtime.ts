import { createTrustPolicyEndpoint, listTrustPoliciesEndpoint } from '@/lib/api/endpoints/ci-identity';
import { handleCreateTrustPolicy, handleListTrustPolicies } from '@/lib/ci-identity/handlers';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const GET = withApi(listTrustPoliciesEndpoint, handleListTrustPolicies);
export const POST = withApi(createTrustPolicyEndpoint, handleCreateTrustPolicy);
