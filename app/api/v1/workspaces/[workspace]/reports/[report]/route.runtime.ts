import { exportReport } from '@/lib/api/endpoints/console';
import { withApi } from '@/lib/http/with-api';
import { exportReportHandler } from '@/lib/reports/http';

export const dynamic = 'force-dynamic';

export const GET = withApi(exportReport, exportReportHandler);
