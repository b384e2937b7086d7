import { createConnectorEndpoint, listConnectorsEndpoint } from '@/lib/api/endpoints/connectors';
import { handleCreateConnector, handleListConnectors } from '@/lib/connectors/handlers';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const GET = withApi(listConnectorsEndpoint, handleListConnectors);
export const POST = withApi(createConnectorEndpoint, handleCreateConnector);
