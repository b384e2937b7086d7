import { describe, expect, it } from 'vitest';
import { EVIDENCE_KINDS } from '@/lib/evidence/kinds';
import { ruleSchema } from '@/lib/policy/schema';
import { RULE_DEFINITIONS } from './index';
import { fieldLabel, ruleForms, type RuleFormField } from './form';
import { fieldText, fieldValue, parseRuleText, retyped, valueAt, withValue, type RuleObject } from './form-values';

const forms = ruleForms();
const formOf = (type: string) => forms.find((form) => form.type === type)!;
const fieldOf = (type: string, name: string) => formOf(type).fields.find((field) => field.name === name)!;

function leaves(fields: RuleFormField[], prefix: string[] = []): Array<{ path: string[]; field: RuleFormField }> {
  return fields.flatMap((field) => (field.kind === 'group' ? [{ path: [...prefix, field.name], field }, ...leaves(field.fields, [...prefix, field.name])] : [{ path: [...prefix, field.name], field }]));
}

/** Rules as people write them, one of every type, with every kind of field filled. */
const EXAMPLES: RuleObject[] = [
  { id: 'sbom-fresh', type: 'evidence-required', kind: 'sbom', maxAgeHours: 72, description: 'Fresh SBOM' },
  { id: 'sbom', type: 'sbom-present', minComponents: 3 },
  {
    id: 'signed-sbom',
    type: 'sbom-present',
    requireSigned: true,
    trustedIdentities: [{ issuer: 'https://token.actions.githubusercontent.com', identityPattern: 'https://github\\.com/acme/.*' }],
  },
  { id: 'signed-scan', type: 'evidence-required', kind: 'sarif', requireSigned: true },
  { id: 'findings', type: 'sarif-severity', limits: { critical: 0, high: 2 }, onFail: 'warn' },
  { id: 'trusted-vex', type: 'sarif-severity', limits: { critical: 0 }, vex: { trustedAuthors: ['Acme PSIRT'], requireSigned: true } },
  { id: 'cves', type: 'vulnerability-severity', limits: { critical: 0, high: 0 } },
  { id: 'licenses', type: 'license-deny', licenses: ['AGPL-3.0-only', 'SSPL-1.0'] },
  { id: 'tests', type: 'tests-pass', maxFailures: 0, minTests: 10 },
  { id: 'checksums', type: 'checksum-match', artifacts: ['app.tar.gz'] },
  { id: 'provenance', type: 'provenance-subject', builderIds: ['https://github.com/actions/runner'] },
  { id: 'freeze', type: 'change-freeze', weekly: [{ days: ['fri'], from: '16:00', to: '24:00', timezone: 'Europe/Berlin', reason: 'weekend' }] },
  { id: 'two-approvals', type: 'approvals', count: 2, role: 'admin', forbidRequesterApproval: true },
  { id: 'errors', type: 'metric-below', connector: 'prom', query: 'sum(rate(errors[5m]))', max: 0.5, maxAgeSeconds: 60 },
  { id: 'logs', type: 'log-count-below', connector: 'loki', query: '{app="api"} |= "panic"', max: 1 },
  { id: 'incidents', type: 'no-open-incident', connector: 'pd', services: ['PABC123'], urgency: 'any' },
  { id: 'synced', type: 'gitops-synced-healthy', connector: 'argo', application: 'checkout' },
  { id: 'ci', type: 'ci-green', connector: 'gh', repository: 'acme/checkout' },
  { id: 'image', type: 'running-image-matches', connector: 'k8s', namespace: 'prod', deployment: 'checkout', container: 'app' },
  { id: 'sentry', type: 'error-issues-below', connector: 'sentry', project: 'checkout', max: 3 },
];

describe('the rule form generated from each rule type’s schema', () => {
  it('has a form for every rule type, and every parameter in it explains itself', () => {
    expect(forms.map((form) => form.type)).toEqual(RULE_DEFINITIONS.map((definition) => definition.type));
    for (const form of forms) {
      for (const { path, field } of leaves(form.fields)) {
        expect(field.description, `${form.type}.${path.join('.')}`).toMatch(/\w{3,}.*\.$/);
        expect(field.label).toMatch(/^[A-Z]/);
      }
    }
  });

  it('turns each kind of parameter into the field that fits it, with the schema’s limits and defaults', () => {
    expect(fieldOf('evidence-required', 'kind')).toMatchObject({ kind: 'choice', required: true, options: [...EVIDENCE_KINDS] });
    expect(fieldOf('evidence-required', 'maxAgeHours')).toMatchObject({ kind: 'number', integer: false, min: 0, minExclusive: true, max: 8784, required: false, label: 'Maximum age (hours)' });
    expect(fieldOf('sbom-present', 'minComponents')).toMatchObject({ kind: 'number', integer: true, min: 0, defaultValue: 1 });
    expect(fieldOf('sbom-present', 'minComponents')).not.toHaveProperty('max'); // no "at most 9007199254740991"
    expect(fieldOf('license-deny', 'licenses')).toMatchObject({ kind: 'lines', required: true, minItems: 1, maxItems: 500 });
    const limits = fieldOf('sarif-severity', 'limits');
    expect(limits.kind).toBe('group');
    expect(limits.kind === 'group' && limits.fields.map((field) => [field.name, field.kind])).toEqual([
      ['critical', 'number'],
      ['high', 'number'],
      ['medium', 'number'],
      ['low', 'number'],
    ]);
    expect(fieldOf('change-freeze', 'weekly')).toMatchObject({ kind: 'json', defaultValue: [] });
    expect(fieldOf('approvals', 'role')).toMatchObject({ kind: 'choice', defaultValue: 'maintainer' });
    const forbid = fieldOf('approvals', 'forbidRequesterApproval');
    expect(forbid).toMatchObject({ kind: 'yes-no', defaultValue: false, label: 'Forbid requester approval' });
    expect([fieldValue(forbid, 'true'), fieldValue(forbid, 'false'), fieldValue(forbid, '')]).toEqual([{ value: true }, { value: false }, { value: undefined }]);
    expect(fieldOf('sbom-present', 'requireSigned')).toMatchObject({ kind: 'yes-no', required: false, label: 'Require signed', description: expect.stringContaining('inside an attestation whose signature verified') });
    expect(fieldOf('evidence-required', 'requireSigned')).toMatchObject({ kind: 'yes-no', required: false });
    expect(fieldOf('sbom-present', 'trustedIdentities')).toMatchObject({ kind: 'json', required: false, description: expect.stringContaining('with requireSigned') });
    expect(fieldOf('sbom-present', 'onFail')).toMatchObject({ kind: 'choice', options: ['deny', 'warn'], label: 'When it fails' });
    expect(formOf('sbom-present').fields.some((field) => field.name === 'type')).toBe(false);
  });

  it('shows a stored rule in the form and gives back exactly that rule (every type)', () => {
    expect(new Set(EXAMPLES.map((rule) => rule.type))).toEqual(new Set(RULE_DEFINITIONS.map((definition) => definition.type)));
    for (const rule of EXAMPLES) {
      expect(ruleSchema.safeParse(rule).success, rule.id as string).toBe(true);
      let rebuilt: RuleObject = { id: rule.id, type: rule.type };
      for (const { path, field } of leaves(formOf(rule.type as string).fields)) {
        if (field.kind === 'group') continue;
        const typed = fieldValue(field, fieldText(field, valueAt(rule, path)));
        expect('value' in typed, `${rule.id}.${path.join('.')}`).toBe(true);
        if ('value' in typed) rebuilt = withValue(rebuilt, path, typed.value);
      }
      expect(rebuilt).toEqual(rule);
    }
  });

  it('leaves an emptied field out, so the default applies, and keeps what is not a number for the server to name', () => {
    const minTests = fieldOf('tests-pass', 'minTests');
    const rule = withValue({ id: 't', type: 'tests-pass', minTests: 5 }, ['minTests'], (fieldValue(minTests, '') as { value: unknown }).value);
    expect(rule).toEqual({ id: 't', type: 'tests-pass' });
    expect(ruleSchema.parse(rule)).toMatchObject({ minTests: 1 });
    const typed = fieldValue(minTests, '12abc');
    expect(typed).toEqual({ value: '12abc' });
    const refused = ruleSchema.safeParse(withValue(rule, ['minTests'], '12abc'));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['minTests']);
  });

  it('edits a group’s fields inside the rule and one line per list item', () => {
    const high = (fieldOf('sarif-severity', 'limits') as Extract<RuleFormField, { kind: 'group' }>).fields[1]!;
    let rule: RuleObject = { id: 'f', type: 'sarif-severity', limits: { critical: 0 } };
    rule = withValue(rule, ['limits', 'high'], (fieldValue(high, '3') as { value: unknown }).value);
    expect(rule.limits).toEqual({ critical: 0, high: 3 });
    const licenses = fieldOf('license-deny', 'licenses');
    expect(fieldValue(licenses, ' AGPL-3.0-only \n\nSSPL-1.0\n')).toEqual({ value: ['AGPL-3.0-only', 'SSPL-1.0'] });
    expect(fieldValue(fieldOf('change-freeze', 'windows'), '[{"start": ')).toMatchObject({ invalid: expect.stringContaining('Not valid JSON yet') });
  });

  it('changing a rule’s type keeps its id, description and onFail and drops the old parameters', () => {
    expect(retyped({ id: 'x', type: 'tests-pass', description: 'd', onFail: 'warn', minTests: 4 }, 'approvals')).toEqual({ id: 'x', type: 'approvals', description: 'd', onFail: 'warn' });
  });

  it('says why a text cannot be shown as a form', () => {
    const types = forms.map((form) => form.type);
    expect(parseRuleText('{', types)).toEqual({ problem: 'its JSON does not parse' });
    expect(parseRuleText('[1]', types)).toEqual({ problem: 'it is not a JSON object' });
    expect(parseRuleText('{"id":"x","type":"nope"}', types)).toEqual({ problem: '"nope" is not a rule type' });
    expect(parseRuleText('{"id":"x","type":"sbom-present"}', types)).toEqual({ rule: { id: 'x', type: 'sbom-present' } });
  });

  it('labels parameters in words', () => {
    expect(fieldLabel('maxAgeSeconds')).toBe('Maximum age (seconds)');
    expect(fieldLabel('builderIds')).toBe('Builder ids');
    expect(fieldLabel('minTests')).toBe('Minimum tests');
  });
});
