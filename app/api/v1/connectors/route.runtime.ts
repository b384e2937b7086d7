import { createConnectorEndpoint, listConnectorsEndpoint } from '@/lib/api/endpoints/connectors';
import { handleCreateConnector, handleListConnectors } from '@/lib/connectors/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(listConnectorsEndpoint, handleListConnectors);
export const POST = withApi(createConnectorEndpoint, handleCreateConnector);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
