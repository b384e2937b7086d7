import { legalHoldEndpoint } from '@/lib/api/endpoints/retention';
import { withApi } from '@/lib/http/with-api';
import { handleLegalHold } from '@/lib/retention/handlers';

export const dynamic = 'force-dynamic';

export const PUT = withApi(legalHoldEndpoint, handleLegalHold);
