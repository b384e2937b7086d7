import { verbLayout } from '../../../_components/verb-layout';

export default verbLayout('audit.read', (slug) => `/console/${slug}/audit`);
