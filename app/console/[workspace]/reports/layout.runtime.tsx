import { verbLayout } from '@/app/_components/verb-layout';

export default verbLayout('report.export', (slug) => `/console/${slug}/reports`);
