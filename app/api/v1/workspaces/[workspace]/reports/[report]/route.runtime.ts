import { exportReport } from '@/lib/api/endpoints/console';
import { withApi } from '@/lib/http/with-api';
import { exportReportHandler } from '@/lib/reports/http';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(exportReport, exportReportHandler);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
