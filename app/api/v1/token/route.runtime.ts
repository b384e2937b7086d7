import { tokenExchange } from '@/lib/api/endpoints/ci-identity';
import { handleTokenExchange } from '@/lib/ci-identity/handlers';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const POST = withApi(tokenExchange, handleTokenExchange);
