import { verbLayout } from '@/app/_components/verb-layout';

export default verbLayout('audit.read', (slug) => `/console/${slug}/audit`);
