import { deleteSecretEndpoint, secretsStatusEndpoint, writeSecretEndpoint } from '@/lib/api/endpoints/secrets';
import { withApi } from '@/lib/http/with-api';
import { handleDeleteSecret, handleSecretsStatus, handleWriteSecret } from '@/lib/secrets/handlers';

export const dynamic = 'force-dynamic';

export const GET = withApi(secretsStatusEndpoint, handleSecretsStatus);
export const PUT = withApi(writeSecretEndpoint, handleWriteSecret);
export const DELETE = withApi(deleteSecretEndpoint, handleDeleteSecret);
