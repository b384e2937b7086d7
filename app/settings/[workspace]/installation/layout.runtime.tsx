import { verbLayout } from '../../../_components/verb-layout';

export default verbLayout('settings.write', (slug) => `/settings/${slug}/installation`);
