import { testConnectorEndpoint } from '@/lib/api/endpoints/connectors';
import { handleTestConnector } from '@/lib/connectors/handlers';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const POST = withApi(testConnectorEndpoint, handleTestConnector);
