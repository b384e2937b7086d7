import { verbLayout } from '../../../_components/verb-layout';

export default verbLayout('report.export', (slug) => `/console/${slug}/reports`);
