import { describe, expect, it } from 'vitest';
import type { Role } from '@/db/schema/runtime';
import { authorize, can, type MemberActor, type TokenActor } from './can';
import { ROLE_VERBS, ROLES, VERBS, type Verb } from './verbs';

const WS = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';

const member = (role: Role): MemberActor => ({ type: 'member', userId: 'u', email: 'e@x', name: '', workspaceId: WS, role, sessionId: null });
const token = (overrides: Partial<TokenActor> = {}): TokenActor => ({
  type: 'token',
  tokenId: 't',
  name: 'ci',
  workspaceId: WS,
  scopes: ['gate.evaluate', 'evidence.write'],
  services: null,
  environments: null,
  ...overrides,
});

describe('can() for members', () => {
  // The role table written out by hand, not computed from ROLE_VERBS: granting a viewer
  // member.manage, or taking approval.write from a maintainer, fails here.
  //                                admin  maint. dev.   viewer
  const EXPECTED: Record<Verb, [boolean, boolean, boolean, boolean]> = {
    'passport.read':   [true,  true,  true,  true],
    'evidence.read':   [true,  true,  true,  true],
    'evidence.write':  [true,  true,  true,  false],
    'gate.evaluate':   [true,  true,  true,  false],
    'policy.read':     [true,  true,  true,  true],
    'policy.write':    [true,  true,  false, false],
    'approval.write':  [true,  true,  false, false],
    'comment.write':   [true,  true,  true,  false],
    'connector.read':  [true,  true,  true,  true],
    'connector.write': [true,  true,  false, false],
    'settings.read':   [true,  true,  true,  true],
    'settings.write':  [true,  true,  false, false],
    'secret.read':     [true,  true,  false, false],
    'secret.write':    [true,  false, false, false],
    'token.manage':    [true,  true,  false, false],
    'member.manage':   [true,  false, false, false],
    'audit.read':      [true,  true,  false, false],
    'report.export':   [true,  true,  false, false],
    'retention.write': [true,  false, false, false],
    'notification.manage': [true, false, false, false],
    'catalog.write':   [true,  true,  false, false],
    'environment.tier':[true,  false, false, false],
    'deployment.report':[true, true,  true,  false],
  };

  it('grants exactly the verbs of the role table, for every role and verb', () => {
    const roles: Role[] = ['admin', 'maintainer', 'developer', 'viewer'];
    expect([...VERBS].sort()).toEqual(Object.keys(EXPECTED).sort()); // a new verb needs a row here
    expect([...ROLES].sort()).toEqual([...roles].sort());
    for (const verb of VERBS) {
      roles.forEach((role, column) => {
        expect(can(member(role), verb, { workspaceId: WS }), `${role} ${verb}`).toBe(EXPECTED[verb][column]);
      });
    }
  });

  it('orders the roles: each grants everything the one below does', () => {
    const order: Role[] = ['viewer', 'developer', 'maintainer', 'admin'];
    for (let i = 1; i < order.length; i++) {
      for (const verb of ROLE_VERBS[order[i - 1]!]) expect(ROLE_VERBS[order[i]!].has(verb), `${order[i]} ${verb}`).toBe(true);
    }
    expect(ROLE_VERBS.viewer.has('evidence.write')).toBe(false);
    expect(ROLE_VERBS.maintainer.has('member.manage')).toBe(false);
  });

  it('refuses every verb in another workspace, even to an admin', () => {
    for (const verb of VERBS) expect(can(member('admin'), verb, { workspaceId: OTHER })).toBe(false);
    expect(authorize(member('admin'), 'passport.read', { workspaceId: OTHER })).toEqual({ allowed: false, reason: 'the resource belongs to another workspace' });
  });

  it('says which role lacks which verb', () => {
    expect(authorize(member('viewer'), 'gate.evaluate', { workspaceId: WS })).toEqual({ allowed: false, reason: 'the viewer role does not grant gate.evaluate' });
  });
});

describe('can() for API tokens', () => {
  it('grants only the scoped verbs', () => {
    expect(can(token(), 'gate.evaluate', { workspaceId: WS })).toBe(true);
    expect(authorize(token(), 'passport.read', { workspaceId: WS })).toEqual({ allowed: false, reason: 'the token lacks the passport:read scope' });
  });

  it('never grants management verbs, whatever the stored scopes say', () => {
    const forged = token({ scopes: ['member.manage', 'token.manage', 'secret.write', 'environment.tier'] });
    for (const verb of ['member.manage', 'token.manage', 'secret.write', 'environment.tier'] as const) expect(can(forged, verb, { workspaceId: WS })).toBe(false);
  });

  it('may be scoped to manage the catalog (rp services, rp environments), within its service limits', () => {
    const limited = token({ scopes: ['catalog.write'], services: ['api'] });
    expect(can(limited, 'catalog.write', { workspaceId: WS, service: 'api' })).toBe(true);
    expect(authorize(limited, 'catalog.write', { workspaceId: WS, service: 'web' })).toEqual({ allowed: false, reason: 'the token is not valid for service "web"' });
  });

  it('applies service and environment limits when the resource names them', () => {
    const limited = token({ services: ['api'], environments: ['staging'] });
    expect(can(limited, 'gate.evaluate', { workspaceId: WS, service: 'api', environment: 'staging' })).toBe(true);
    expect(authorize(limited, 'gate.evaluate', { workspaceId: WS, service: 'web', environment: 'staging' })).toEqual({ allowed: false, reason: 'the token is not valid for service "web"' });
    expect(authorize(limited, 'gate.evaluate', { workspaceId: WS, service: 'api', environment: 'production' })).toEqual({ allowed: false, reason: 'the token is not valid for environment "production"' });
    // Workspace-wide: the scope decides; handlers filter lists with visibleScope().
    expect(can(limited, 'gate.evaluate', { workspaceId: WS })).toBe(true);
  });

  it('refuses a token in another workspace', () => {
    expect(can(token(), 'gate.evaluate', { workspaceId: OTHER })).toBe(false);
  });
});

describe('can() for operators', () => {
  it('allows the rp admin CLI everything: it holds the database credentials already', () => {
    expect(can({ type: 'operator', label: 'rp admin' }, 'member.manage', { workspaceId: WS })).toBe(true);
  });
});
