import { redirect } from 'next/navigation';
import { describe, expect, it } from 'vitest';
import { ProblemError } from './problem';
import { actionParam, formAction, stateAction } from './server-action';

function form(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(entries)) data.append(name, value);
  return data;
}

describe('the server-action frame', () => {
  let ran = 0;
  const action = stateAction('test', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
    ran++;
    const name = String(formData.get('name'));
    if (name === 'problem') throw new ProblemError('validation-failed', 'The name is taken.', { errors: [{ path: 'name', message: 'taken' }] });
    if (name === 'redirect') redirect('/elsewhere');
    if (name === 'data') throw Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' });
    if (name === 'bug') throw new TypeError('a bug');
    return { ok: true, message: `saved in ${slug}` };
  });

  it('runs the action on well-formed arguments', async () => {
    expect(await action('acme', { ok: null }, form({ name: 'x' }))).toEqual({ ok: true, message: 'saved in acme' });
  });

  it.each([
    ['a workspace slug outside the grammar', ['ac/me', null, form({ name: 'x' })]],
    ['a missing form', ['acme', null]],
    ['a string instead of the form', ['acme', null, 'name=x']],
    ['a NUL in a field', ['acme', null, form({ name: 'x\u0000y' })]],
    ['a lone surrogate for the workspace (FormData itself replaces them in fields)', ['\ud800', null, form({ name: 'x' })]],
    ['too few arguments', ['acme']],
  ])('refuses %s without running the action', async (_what, args) => {
    const before = ran;
    const result = await (action as (...args: unknown[]) => Promise<unknown>)(...args);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('malformed') });
    expect(ran).toBe(before);
  });

  it('shows a ProblemError on the form, with its field errors', async () => {
    expect(await action('acme', null, form({ name: 'problem' }))).toEqual({ ok: false, message: 'The name is taken.', fieldErrors: { name: 'taken' } });
  });

  it('turns a database data exception into a refusal, not a 500', async () => {
    expect(await action('acme', null, form({ name: 'data' }))).toMatchObject({ ok: false, message: expect.stringContaining('not valid') });
  });

  it("lets Next's redirect through, and a bug stays a bug", async () => {
    await expect(action('acme', null, form({ name: 'redirect' }))).rejects.toMatchObject({ digest: expect.stringContaining('NEXT_REDIRECT') });
    await expect(action('acme', null, form({ name: 'bug' }))).rejects.toThrow('a bug');
  });

  it('ignores trailing arguments, as React passes the form to an action bound with all it reads', async () => {
    const signOut = formAction('signOut', [actionParam.workspace], async () => {});
    await expect((signOut as (...args: unknown[]) => Promise<void>)('acme', form({}))).resolves.toBeUndefined();
    expect(await (action as (...args: unknown[]) => Promise<unknown>)('acme', null, form({ name: 'x' }), 'extra')).toMatchObject({ ok: true });
  });

  it('a form action does nothing on a malformed call', async () => {
    let calls = 0;
    const plain = formAction('plain', [actionParam.form], async () => {
      calls++;
    });
    await (plain as (...args: unknown[]) => Promise<void>)('not a form');
    await plain(form({ a: 'b' }));
    expect(calls).toBe(1);
  });
});
