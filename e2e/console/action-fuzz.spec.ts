/**
 * The generated fuzz suite for server actions, the other half of lib/http/api-fuzz.test.ts: every
 * action the runtime build registered (its server-reference manifest, so a new action is fuzzed
 * without anyone listing it), called over HTTP exactly as React calls it (the same `encodeReply`
 * encoding, the `Next-Action` header, a same-origin Origin), signed in as an admin and signed out,
 * with hostile arguments: lone surrogates, NUL and control characters, huge strings, traversal,
 * wrong types in place of the workspace, the ids, the form state and the form itself, missing and
 * extra arguments. It asserts no 5xx, and that a call the action refused left every table's row
 * count as it was.
 *
 * CI runs a fixed seed. Longer, with a random seed (fast-check prints the seed of a failure;
 * FUZZ_SEED=<that seed> replays it):
 *   FUZZ_RUNS=200 FUZZ_SEED=random npx playwright test e2e/console/action-fuzz.spec.ts
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { getRuntimeDb } from '@/db/runtime';
import { rowCounts } from '@/lib/testing/row-counts';
import { PUBLIC_URL } from '../support/servers';
import { signIn, startSeededRuntime, type SeededRuntime } from './support/seeded-runtime';

const PORT = 3612;
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const root = path.resolve(import.meta.dirname, '..', '..');

// React's own reply encoder (the one the browser bundle uses to call an action).
const { encodeReply } = createRequire(import.meta.url)('next/dist/compiled/react-server-dom-webpack/client.edge') as { encodeReply(value: unknown[]): Promise<string | FormData> };

type ParameterKind = 'workspace' | 'id' | 'secret' | 'state' | 'form';

interface ManifestAction {
  id: string;
  exportedName: string;
  filename: string;
  /** A page whose worker holds the action: where the browser would post it. */
  page: string;
  /** The parameters it declares to the frame (actionParam.*). */
  parameters: ParameterKind[];
  /** Form fields the action reads. */
  fields: string[];
}

/** Every action of the runtime build, with its parameters and form fields read from its source. */
function manifestActions(target: 'runtime' | 'public' = 'runtime'): ManifestAction[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, `.next-${target}`, 'server', 'server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const source = fs.readFileSync(path.join(root, entry.filename), 'utf8');
    // Every action is declared through the frame (lib/http/server-action.ts), which names its parameters.
    const declaration = new RegExp(`export const ${entry.exportedName} = (?:stateAction|formAction)\\('\\w+', \\[([^\\]]*)\\]`).exec(source);
    if (!declaration) throw new Error(`${entry.filename}: ${entry.exportedName} is not declared with stateAction/formAction (lib/http/server-action.ts)`);
    const parameters = declaration[1]!
      .split(',')
      .map((parameter) => parameter.trim().replace(/^actionParam\./, ''))
      .filter(Boolean) as ParameterKind[];
    const fields = [...new Set([...source.matchAll(/formData\.get(?:All)?\('([A-Za-z]+)'\)/g)].map((match) => match[1]!))];
    return { id, exportedName: entry.exportedName, filename: entry.filename, page: Object.keys(entry.workers)[0]!, parameters, fields };
  });
}

const hostileString = fc.oneof(
  fc.constantFrom('\ud800', 'a\udc00b', '\u0000', 'x\u0000y', '\u0007\u001b[31m', '\r\n', '../../etc/passwd', '..%2f..%2f', '%ED%A0%80', '%00', '\\\\?\\', '', ' ', '$K1', '$@0', '__proto__', 'constructor'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant('a'.repeat(70_000)),
);
/** Values a real form would send, so one hostile field gets past the others' validation. */
const plausibleString = fc.constantFrom('acme', 'admin', 'viewer', 'developer', 'read', 'gate:evaluate', 'checkout', 'staging', 'production', '30', '0', '-1', '1e309', 'enforce', 'advisory', 'pro', 'someone@acme.test', 'https://example.com/hook', 'correct horse battery staple 9', '00000000-0000-0000-0000-000000000000', 'on');
const hostileValue = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(hostileString, { maxLength: 3 }), fc.dictionary(hostileString, hostileString, { maxKeys: 3, noNullPrototype: true }));

function hostileForm(fields: string[]) {
  const value = fc.oneof({ arbitrary: hostileString, weight: 2 }, { arbitrary: plausibleString, weight: 2 }, fc.uint8Array({ maxLength: 64 }).map((bytes) => new File([bytes], '../../x.pem', { type: 'application/x-pem-file' })));
  return fc
    .record(Object.fromEntries([...fields, 'unexpected'].map((field) => [field, fc.array(value, { maxLength: 2 })])), { requiredKeys: [] })
    .map((entries) => {
      const form = new FormData();
      for (const [field, values] of Object.entries(entries)) for (const item of values as Array<string | File>) form.append(field, item);
      return form;
    });
}

/** One argument list for the action: each parameter well-typed or hostile, possibly too few or too many. */
function hostileArguments(action: ManifestAction, known: { slug: string; ids: string[] }) {
  const argument = (kind: ParameterKind) => {
    if (kind === 'form') return fc.oneof({ arbitrary: hostileForm(action.fields), weight: 4 }, hostileValue);
    if (kind === 'state') return fc.oneof(fc.constant({ ok: null }), hostileValue);
    if (kind === 'workspace') return fc.oneof({ arbitrary: fc.constant(known.slug), weight: 3 }, hostileValue);
    return fc.oneof(fc.constantFrom(...known.ids), hostileValue);
  };
  const args = fc.tuple(...action.parameters.map(argument));
  return fc.oneof(
    { arbitrary: args as fc.Arbitrary<unknown[]>, weight: 6 },
    args.map((list) => list.slice(0, -1)),
    args.map((list) => [...list, 'extra', { ok: true }]),
    fc.constant([] as unknown[]),
  );
}

/** `app/console/[workspace]/passports/[id]/page` → `/console/acme/passports/<id>`. */
function pagePath(page: string, values: { workspace: string; id: string; token: string }): string {
  return page
    .replace(/^app/, '')
    .replace(/\/page$/, '')
    .replace(/\/\([^)]+\)/g, '')
    .replace(/\[(\w+)\]/g, (_match, name: 'workspace' | 'id' | 'token') => values[name] ?? name) || '/';
}

let runtime: SeededRuntime;
let cookie = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  runtime = await startSeededRuntime(PORT);
  const page = await browser.newPage();
  await signIn(page, runtime.url, 'admin@acme.test', runtime.scenario.passwords.admin, '/console/acme');
  cookie = (await page.context().cookies()).map((item) => `${item.name}=${item.value}`).join('; ');
  await page.close();
});

test.afterAll(async () => {
  await runtime?.stop();
});

async function callAction(action: ManifestAction, args: unknown[], withSession: boolean, origin = runtime.url): Promise<{ status: number; body: string; accepted: boolean }> {
  const passportId = runtime.scenario.outcomes.checkoutBlocked.passport.id;
  const target = pagePath(action.page, { workspace: 'acme', id: passportId, token: 'not-an-invitation' });
  const encoded = await encodeReply(args);
  const response = await fetch(`${origin}${target}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'next-action': action.id, accept: 'text/x-component', origin, ...(withSession ? { cookie } : {}) },
    body: encoded,
  });
  const body = await response.text();
  // Done as asked: a success state, or a redirect onward that is neither to sign-in nor an error page.
  const location = response.headers.get('x-action-redirect') ?? response.headers.get('location') ?? '';
  const redirectedOnward = response.status < 400 && location !== '' && !/[?&]error=|^\/login|\/login\?/.test(location);
  return { status: response.status, body, accepted: /"ok":true/.test(body) || redirectedOnward };
}

// Signing out ends the session the rest of the suite uses: those run last.
const LAST = new Set(['signOutAction', 'signOutEverywhereAction']);
const ordered = () => manifestActions().sort((a, b) => Number(LAST.has(a.exportedName)) - Number(LAST.has(b.exportedName)));

test('every server action of the build is declared through the frame, so the fuzz knows its parameters', () => {
  const actions = manifestActions(); // throws, naming the action, for one declared any other way
  expect(actions.length).toBeGreaterThan(30);
  for (const action of actions) expect(action.parameters.every((kind) => ['workspace', 'id', 'secret', 'state', 'form'].includes(kind)), `${action.filename} ${action.exportedName}`).toBe(true);
});

test('server actions under hostile arguments: no 5xx, and a refused call leaves no row', async () => {
  test.setTimeout(600_000);
  const db = await getRuntimeDb();
  const known = {
    slug: 'acme',
    ids: [runtime.scenario.checkoutPolicyId, runtime.scenario.outcomes.checkoutBlocked.passport.id, runtime.scenario.members.viewer.id],
  };
  // Every action is fuzzed even after one fails, so one run names all the actions that break.
  const failures: string[] = [];
  // How deep the calls went, printed so a fuzz that only ever meets the frame's refusal shows as such.
  const outcomes = { accepted: 0, refusedAsMalformed: 0, refusedByTheAction: 0, redirected: 0 };
  for (const action of ordered()) {
    const except = LAST.has(action.exportedName) ? ['sessions'] : []; // signing out deletes a session, by design
    const details = await fc.check(
      fc.asyncProperty(hostileArguments(action, known), fc.boolean(), async (args, withSession) => {
        const before = await rowCounts(db, { except });
        const { status, body, accepted } = await callAction(action, args, withSession || LAST.has(action.exportedName));
        expect(status, `${action.exportedName} answered ${status}: ${body.slice(0, 300)}`).toBeLessThan(500);
        if (accepted) outcomes.accepted++;
        else if (body.includes('sent incomplete or malformed')) outcomes.refusedAsMalformed++;
        else if (/"ok":false/.test(body)) outcomes.refusedByTheAction++;
        else outcomes.redirected++;
        if (!accepted) expect(await rowCounts(db, { except }), `${action.exportedName}: a refused call changed rows`).toEqual(before);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    if (details.failed) {
      const args = JSON.stringify(details.counterexample?.[0], (_key, value: unknown) =>
        value instanceof FormData ? Object.fromEntries(value) : typeof value === 'string' && value.length > 60 ? `${value.slice(0, 20)}…(${value.length})` : value,
      );
      failures.push(`${action.filename} ${action.exportedName}(${args}): ${String((details.errorInstance as Error | undefined)?.message).split('\n')[0]}`);
    }
  }
  console.log(`server-action fuzz, seed ${SEED}: ${JSON.stringify(outcomes)}`);
  expect(outcomes.refusedByTheAction, 'hostile values reached the actions themselves, past the frame').toBeGreaterThan(0);
  expect(failures).toEqual([]);
});

test('the public site server actions under hostile arguments: no 5xx', async () => {
  // The vendor site's own server (Playwright's webServer) keeps its database to itself: no row counts here.
  const actions = manifestActions('public');
  expect(actions.length).toBeGreaterThanOrEqual(4);
  const failures: string[] = [];
  for (const action of actions) {
    const details = await fc.check(
      fc.asyncProperty(hostileArguments(action, { slug: 'acme', ids: ['pro'] }), async (args) => {
        const { status, body } = await callAction(action, args, false, PUBLIC_URL);
        expect(status, `${action.exportedName} answered ${status}: ${body.slice(0, 300)}`).toBeLessThan(500);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    if (details.failed) failures.push(`${action.filename} ${action.exportedName}: ${String((details.errorInstance as Error | undefined)?.message).split('\n')[0]}`);
  }
  expect(failures).toEqual([]);
});
