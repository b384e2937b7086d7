import { legalHoldEndpoint } from '@/lib/api/endpoints/retention';
import { withApi } from '@/lib/http/with-api';
import { handleLegalHold } from '@/lib/retention/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const PUT = withApi(legalHoldEndpoint, handleLegalHold);
export const { GET, POST, PATCH, DELETE, OPTIONS } = otherMethods(['PUT']);
