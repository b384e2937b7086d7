// Benchmark-only (RP_BENCH=1): see lib/gate/bench-probe.ts. Deliberately outside /api/v1 and its
// route wrapper: it measures the bare framework, which the gate's throughput is compared with.
import { benchInsert } from '@/lib/gate/bench-probe';

export const dynamic = 'force-dynamic';

export const POST = benchInsert;
export const GET = benchInsert;
