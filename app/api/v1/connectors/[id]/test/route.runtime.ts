import { testConnectorEndpoint } from '@/lib/api/endpoints/connectors';
import { handleTestConnector } from '@/lib/connectors/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const POST = withApi(testConnectorEndpoint, handleTestConnector);
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);
