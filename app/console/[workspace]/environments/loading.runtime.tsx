import { PageSkeleton } from '@/app/_components/page-states';

export default function Loading() {
  return <PageSkeleton label="Loading…" />;
}
