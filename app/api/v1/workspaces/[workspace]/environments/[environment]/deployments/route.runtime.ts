import { listDeploymentsEndpoint, reportDeploymentEndpoint } from '@/lib/api/endpoints/deployments';
import { handleListDeployments, handleReportDeployment } from '@/lib/deployments/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(listDeploymentsEndpoint, handleListDeployments);
export const POST = withApi(reportDeploymentEndpoint, handleReportDeployment);
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
