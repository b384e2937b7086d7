import { evaluateGate } from '@/lib/api/endpoints/gate';
import { withApi } from '@/lib/http/with-api';
import { handleGateEvaluate } from '@/lib/gate/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const POST = withApi(evaluateGate, handleGateEvaluate);
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);
