import { deleteConnectorEndpoint, updateConnectorEndpoint } from '@/lib/api/endpoints/connectors';
import { handleDeleteConnector, handleUpdateConnector } from '@/lib/connectors/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const PUT = withApi(updateConnectorEndpoint, handleUpdateConnector);
export const DELETE = withApi(deleteConnectorEndpoint, handleDeleteConnector);
export const { GET, POST, PATCH, OPTIONS } = otherMethods(['PUT', 'DELETE']);
