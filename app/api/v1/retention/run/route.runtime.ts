import { runRetentionEndpoint } from '@/lib/api/endpoints/retention';
import { withApi } from '@/lib/http/with-api';
import { handleRunRetention } from '@/lib/retention/handlers';

export const dynamic = 'force-dynamic';

export const POST = withApi(runRetentionEndpoint, handleRunRetention);
