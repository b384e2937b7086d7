import { tokenExchange } from '@/lib/api/endpoints/ci-identity';
import { handleTokenExchange } from '@/lib/ci-identity/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const POST = withApi(tokenExchange, handleTokenExchange);
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);
