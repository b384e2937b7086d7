import { evaluateGate } from '@/lib/api/endpoints/gate';
import { withApi } from '@/lib/http/with-api';
import { handleGateEvaluate } from '@/lib/gate/handlers';

export const dynamic = 'force-dynamic';

export const POST = withApi(evaluateGate, handleGateEvaluate);
