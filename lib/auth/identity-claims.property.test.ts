/**
 * No sequence of unverified claims reaches a verified person's account (runtime) or the portal's
 * administration (vendor site), whatever their order, spelling or interleaving with the real
 * person's verified sign-ins: a property test over random sequences of sign-ins.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { customerForIdentity, isPortalAdmin } from '@/lib/portal/customers';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { resolveExternalIdentity } from './identities';

const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

/** Spellings an attacker may claim for the victim's address (each folds to it or is refused as a look-alike). */
const SPELLINGS: Array<(local: string) => string> = [
  (local) => `${local}@example.test`,
  (local) => `${local.toUpperCase()}@EXAMPLE.test`,
  (local) => `${local}@example.test.`,
  (local) => ` ${local}@example.test `,
  (local) => `\u212A${local.slice(1)}@example.test`, // Kelvin sign for the leading k
  (local) => `${[...local].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('')}@example.test`, // fullwidth
];

interface Step {
  /** The real person's verified sign-in, or an attacker's unverified claim of their address. */
  who: 'victim' | 'attacker';
  attacker: number;
  spelling: number;
}

const steps = fc.array(
  fc.record({ who: fc.constantFrom<'victim' | 'attacker'>('victim', 'attacker', 'attacker'), attacker: fc.nat({ max: 2 }), spelling: fc.nat({ max: SPELLINGS.length - 1 }) }),
  { minLength: 1, maxLength: 8 },
);

describe('unverified claims', () => {
  it("never reach a verified person's runtime account, in any order or spelling", async () => {
    const db = await getRuntimeDb();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (sequence: Step[]) => {
        const local = `kate${run++}x`;
        const provider = 'oidc:https://idp.test';
        let victimId: string | null = null;
        const attackerIds = new Set<string>();
        for (const step of sequence) {
          const email = SPELLINGS[step.spelling]!(local);
          if (step.who === 'victim') {
            const resolved = await resolveExternalIdentity(db, { provider, subject: `victim-${local}`, email: `${local}@example.test`, emailVerified: true, name: 'Kate' }, TEST_AUDIT);
            expect(resolved.ok).toBe(true);
            if (resolved.ok) {
              if (victimId) expect(resolved.userId).toBe(victimId);
              victimId = resolved.userId;
            }
          } else {
            const resolved = await resolveExternalIdentity(db, { provider, subject: `attacker-${step.attacker}-${local}`, email, emailVerified: false, name: 'Mallory' }, TEST_AUDIT);
            // An unverified claim signs in to nothing: no account is created, named or linked for it.
            expect(resolved.ok).toBe(false);
            if (resolved.ok) attackerIds.add(resolved.userId);
          }
        }
        // And the victim, signing in last, still reaches their own account only.
        const last = await resolveExternalIdentity(db, { provider, subject: `victim-${local}`, email: `${local}@example.test`, emailVerified: true, name: 'Kate' }, TEST_AUDIT);
        expect(last.ok).toBe(true);
        if (last.ok && victimId) expect(last.userId).toBe(victimId);
        if (last.ok) expect(attackerIds.has(last.userId)).toBe(false);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("never reach the portal's administration or a buyer's customer record", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (sequence: Step[]) => {
        const local = `kstaff${run++}x${SEED % 1000}`;
        vi.stubEnv('PORTAL_ADMIN_EMAILS', `${local}@example.test`);
        let staffCustomer: string | null = null;
        for (const step of sequence) {
          const email = SPELLINGS[step.spelling]!(local);
          if (step.who === 'victim') {
            const staff = await customerForIdentity({ issuer: 'https://idp.test', subject: `staff-${local}`, email: `${local}@example.test`, emailVerified: true, name: 'Staff' });
            expect('customer' in staff).toBe(true);
            if ('customer' in staff) {
              expect(isPortalAdmin(staff.customer)).toBe(true);
              if (staffCustomer) expect(staff.customer.id).toBe(staffCustomer);
              staffCustomer = staff.customer.id;
            }
          } else {
            const claimed = await customerForIdentity({ issuer: 'https://idp.test', subject: `attacker-${step.attacker}-${local}`, email, emailVerified: false, name: 'Mallory' });
            expect('refused' in claimed).toBe(true);
          }
        }
        // The real staff member is never refused for an address someone else claimed first.
        const staff = await customerForIdentity({ issuer: 'https://idp.test', subject: `staff-${local}`, email: `${local}@example.test`, emailVerified: true, name: 'Staff' });
        expect('customer' in staff && isPortalAdmin(staff.customer)).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

afterAll(() => {
  vi.unstubAllEnvs();
});
