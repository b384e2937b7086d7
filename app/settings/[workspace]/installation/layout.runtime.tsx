import { verbLayout } from '@/app/_components/verb-layout';

export default verbLayout('settings.write', (slug) => `/settings/${slug}/installation`);
