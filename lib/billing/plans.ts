/**
 * The plans sold on the pricing page and what each entitles. The pricing page, checkout, the
 * webhook and license issuance all read this one table. Stripe prices are found by lookup key
 * (set the same keys on the prices in the Stripe dashboard), so no price id is configured twice.
 */
import { PRODUCTION_FEATURE, type LicenseFeature } from '@/lib/license/claims';

export interface Plan {
  id: 'evaluation' | 'team' | 'business';
  name: string;
  /** Monthly price in US dollars; null for the free evaluation. */
  monthlyUsd: number | null;
  /** Stripe price lookup key; null when the plan is not sold through checkout. */
  lookupKey: string | null;
  /** Console members the license is for (shown in the runtime's license settings). */
  seats: number | null;
  features: readonly LicenseFeature[];
  summary: string;
  includes: readonly string[];
}

export const PLANS: readonly Plan[] = [
  {
    id: 'evaluation',
    name: 'Evaluation',
    monthlyUsd: null,
    lookupKey: null,
    seats: null,
    features: [],
    summary: 'The whole runtime, unlicensed: wire up CI, collect evidence, tune policies.',
    includes: [
      'Trial installer from the download page',
      'Shadow and advisory modes on every environment',
      'Enforce mode on non-production environments',
      'Signed passports and offline verification',
      'Community support through the docs',
    ],
  },
  {
    id: 'team',
    name: 'Team',
    monthlyUsd: 400,
    lookupKey: 'rp_team_monthly',
    seats: 25,
    features: [PRODUCTION_FEATURE, 'packages'],
    summary: 'Enforce release policy on production for one platform team.',
    includes: [
      'Production entitlement: enforce mode on production environments',
      'Everything in Evaluation',
      'Up to 25 console members',
      'Runtime packages: container image and Kubernetes manifests',
      'Email support, next business day',
    ],
  },
  {
    id: 'business',
    name: 'Business',
    monthlyUsd: 1200,
    lookupKey: 'rp_business_monthly',
    seats: 100,
    features: [PRODUCTION_FEATURE, 'packages', 'air-gapped-bundle', 'priority-support'],
    summary: 'Several teams, regulated or air-gapped installations.',
    includes: [
      'Production entitlement: enforce mode on production environments',
      'Everything in Team',
      'Up to 100 console members',
      'Air-gapped bundle: images, manifests and CLI in one signed archive',
      'Priority support, 4-hour first response on business days',
    ],
  },
];

export type PaidPlan = Plan & { lookupKey: string; seats: number };

export function paidPlans(): PaidPlan[] {
  return PLANS.filter((plan): plan is PaidPlan => plan.lookupKey !== null && plan.seats !== null);
}

export function planById(id: string): Plan | undefined {
  return PLANS.find((plan) => plan.id === id);
}

export function paidPlanByLookupKey(lookupKey: string | null | undefined): PaidPlan | undefined {
  return paidPlans().find((plan) => plan.lookupKey === lookupKey);
}

/**
 * A license outlives the paid period by this much, so a runtime that cannot reach the portal
 * keeps enforcing while the renewal's license is fetched and installed.
 */
export const LICENSE_GRACE_DAYS = 7;
