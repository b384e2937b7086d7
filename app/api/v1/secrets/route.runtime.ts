import { deleteSecretEndpoint, secretsStatusEndpoint, writeSecretEndpoint } from '@/lib/api/endpoints/secrets';
import { withApi } from '@/lib/http/with-api';
import { handleDeleteSecret, handleSecretsStatus, handleWriteSecret } from '@/lib/secrets/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(secretsStatusEndpoint, handleSecretsStatus);
export const PUT = withApi(writeSecretEndpoint, handleWriteSecret);
export const DELETE = withApi(deleteSecretEndpoint, handleDeleteSecret);
export const { POST, PATCH, OPTIONS } = otherMethods(['GET', 'PUT', 'DELETE']);
