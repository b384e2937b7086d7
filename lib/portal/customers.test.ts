import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { getOwnerDb } from '@/db/owner';
import { customers } from '@/db/schema/owner';
import { customerForIdentity, isPortalAdmin } from './customers';

const issuer = 'https://idp.test';

describe('portal customers', () => {
  it('are never created, reserved or linked by an unverified address, so it cannot reach the site administration', async () => {
    const email = `staff-${crypto.randomUUID()}@vendor.test`;
    vi.stubEnv('PORTAL_ADMIN_EMAILS', email);
    const attacker = { issuer, subject: `attacker-${email}`, email, emailVerified: false, name: 'Mallory' };
    expect(await customerForIdentity(attacker)).toEqual({ refused: expect.stringMatching(/has not verified/) });
    const db = await getOwnerDb();
    expect(await db.select().from(customers).where(eq(customers.email, email))).toEqual([]);

    const staff = await customerForIdentity({ ...attacker, subject: `staff-${email}`, emailVerified: true, name: 'Staff' });
    expect('customer' in staff && isPortalAdmin(staff.customer)).toBe(true);
    expect(await customerForIdentity(attacker)).toEqual({ refused: expect.any(String) });
  });

  it('refuse look-alike spellings and keep one spelling per address', async () => {
    const local = `kate${crypto.randomUUID().slice(0, 8)}`;
    const kelvin = await customerForIdentity({ issuer, subject: `kelvin-${local}`, email: `\u212A${local.slice(1)}@example.test`, emailVerified: true, name: '' });
    expect(kelvin).toEqual({ refused: expect.stringMatching(/look-alike/) });
    const dotted = await customerForIdentity({ issuer, subject: `dot-${local}`, email: `${local.toUpperCase()}@Example.test.`, emailVerified: true, name: '' });
    expect(dotted).toMatchObject({ customer: { email: `${local}@example.test` } });
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
