/**
 * VEX documents (Vulnerability Exploitability eXchange): what a supplier states about a
 * vulnerability in a product: not affected (and why), affected, fixed, under investigation. Three
 * formats are read into one list of statements:
 * - OpenVEX (JSON, "@context" https://openvex.dev/ns...): statements[] with vulnerability,
 *   products (and subcomponents), status, justification and impact_statement;
 * - CycloneDX VEX (a BOM whose vulnerabilities[] carry analysis.state and affects[].ref): the refs
 *   are resolved to the purl of the component they name when the document lists it;
 * - CSAF VEX (document.category "csaf_vex"): vulnerabilities[].product_status lists, with the
 *   products resolved through the product_tree (branches, full_product_names, relationships) to
 *   their purls, CPEs and hashes, and the justification from flags and the impact from threats.
 * VEX documents are small: the scanner's events are built into a tree (memory bounded by the
 * kind's size limit, lib/evidence/kinds.ts), and the tree is read.
 */
import type { JsonPathSegment, JsonScanHandler, JsonStringToken } from '../json-scanner';
import { rejectDocument } from '../errors';
import type { JsonSummarizer } from './summarizer';
import type { CarrierAttestation } from './provenance';

export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/** Statuses that take a finding out of the count: the supplier says the product is not exposed. */
export const SUPPRESSING_STATUSES: readonly VexStatus[] = ['not_affected', 'fixed'];

export interface VexProduct {
  /** How the document names it (an @id, a purl, a CSAF product id and name). */
  name: string;
  /** What it can be matched by: purls, CPEs, "sha256:<hex>" digests, image references, bom-refs. */
  identifiers: string[];
  /** Parts of the product the statement is limited to (OpenVEX subcomponents, a CSAF relationship's component). */
  subcomponents: Array<{ name: string; identifiers: string[] }>;
}

export interface VexStatement {
  vulnerability: string;
  /** Other ids of the same vulnerability (GHSA for a CVE...). */
  aliases: string[];
  products: VexProduct[];
  status: VexStatus;
  /** The document's own word when it differs (CycloneDX false_positive, resolved; CSAF first_fixed...). */
  statusAsWritten?: string;
  justification?: string;
  /** Why it does not apply, or what was done: OpenVEX impact_statement, CycloneDX analysis.detail, CSAF impact threat. */
  impact?: string;
  /** When it was stated, as written (the statement's own time, else the document's): the latest statement decides. */
  timestamp?: string;
}

export interface VexSummary {
  /** Present when the document arrived inside an in-toto attestation (its predicate): what carried it, and its signature status. */
  attestation?: CarrierAttestation;
  format: 'openvex' | 'cyclonedx' | 'csaf';
  specVersion: string;
  /** The document's id (OpenVEX @id, CycloneDX serialNumber, CSAF tracking id). */
  documentId: string | null;
  author: string | null;
  /**
   * Every author the document names, as it names them: OpenVEX "author", CSAF
   * "document.publisher.name", CycloneDX metadata authors, manufacturer and supplier names. A
   * policy's trustedAuthors is matched against these (absent in summaries stored before it existed:
   * then `author` is the only one).
   */
  authors?: string[];
  /** Statements in the document (all of them, even beyond those listed). */
  total: number;
  byStatus: Record<VexStatus, number>;
  /** The statements (MAX_VEX_STATEMENTS at most, in document order). */
  statements: VexStatement[];
  truncated: boolean;
}

export const MAX_VEX_STATEMENTS = 2000;
const MAX_PRODUCTS = 100;
const MAX_TEXT = 500;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Builds the document as plain values from the scanner's events (objects without a prototype). */
class JsonTree implements JsonScanHandler {
  root: Json | undefined;
  private readonly stack: Array<Json[] | JsonObject> = [];

  private put(path: readonly JsonPathSegment[], value: Json): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) this.root = value;
    else if (Array.isArray(parent)) parent.push(value);
    else parent[String(path[path.length - 1])] = value;
  }

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    const container: Json[] | JsonObject = type === 'array' ? [] : (Object.create(null) as JsonObject);
    this.put(path, container);
    this.stack.push(container);
  }

  close(): void {
    this.stack.pop();
  }

  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    this.put(path, token.text());
  }

  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.put(path, value);
  }
}

export class VexSummarizer implements JsonSummarizer<VexSummary> {
  private readonly tree = new JsonTree();

  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    this.tree.open(path, type);
  }
  close(): void {
    this.tree.close();
  }
  string(path: readonly JsonPathSegment[], token: JsonStringToken): void {
    this.tree.string(path, token);
  }
  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    this.tree.primitive(path, value);
  }

  finish(): VexSummary {
    return summarizeVex(this.tree.root);
  }
}

/** The summary of a parsed VEX document (422 when it is none of the three formats). */
export function summarizeVex(document: unknown): VexSummary {
  const root = object(document);
  if (!root) rejectDocument('a VEX document is a JSON object (OpenVEX, CycloneDX VEX or CSAF VEX)');
  const context = text(root['@context']);
  if (context?.startsWith('https://openvex.dev/ns')) return openVex(root, context);
  if (root.bomFormat !== undefined) return cycloneDxVex(root);
  const csaf = object(root.document);
  if (csaf && text(csaf.csaf_version) !== undefined) return csafVex(root, csaf);
  rejectDocument(
    'this is not a VEX document: OpenVEX has "@context": "https://openvex.dev/ns/...", CycloneDX VEX has "bomFormat": "CycloneDX" with vulnerabilities[].analysis, and CSAF VEX has document.category "csaf_vex"; none was found',
  );
}

function openVex(root: JsonObject, context: string): VexSummary {
  const statements = array(root.statements);
  if (!statements) rejectDocument('the OpenVEX document has no "statements" list');
  const collected = statements.map((item, index) => {
    const statement = object(item);
    if (!statement) rejectDocument(`OpenVEX statements[${index}] is not an object`);
    const vulnerability = object(statement.vulnerability);
    // v0.0.1 names the vulnerability with a string; v0.2 with an object (name, @id, aliases).
    const name = text(statement.vulnerability) ?? text(vulnerability?.name) ?? text(vulnerability?.['@id']);
    if (!name) rejectDocument(`OpenVEX statements[${index}] names no vulnerability`);
    const status = text(statement.status);
    if (!isStatus(status)) rejectDocument(`OpenVEX statements[${index}].status is "${String(status)}"; it is one of ${VEX_STATUSES.join(', ')}`);
    const aliases = [text(vulnerability?.['@id']), ...texts(vulnerability?.aliases)].filter((alias): alias is string => !!alias && alias !== name);
    // v0.0.1 puts subcomponents on the statement, for every product.
    const shared = (array(statement.subcomponents) ?? []).map(openVexComponent);
    const products = (array(statement.products) ?? []).slice(0, MAX_PRODUCTS).map((entry) => {
      const product = openVexComponent(entry);
      const subcomponents = (array(object(entry)?.subcomponents) ?? []).map(openVexComponent);
      return { ...product, subcomponents: [...subcomponents, ...shared].slice(0, MAX_PRODUCTS) };
    });
    return statementOf(name, aliases, products, status, {
      justification: text(statement.justification),
      impact: text(statement.impact_statement) ?? text(statement.action_statement) ?? text(statement.status_notes),
      timestamp: text(statement.timestamp) ?? text(root.timestamp),
    });
  });
  return summary('openvex', context.slice('https://openvex.dev/ns'.length).replace(/^\/v?/, '') || text(root.version) || '', text(root['@id']), [text(root.author)], collected);
}

function openVexComponent(entry: Json): { name: string; identifiers: string[] } {
  const value = text(entry);
  if (value) return { name: clip(value), identifiers: [value] };
  const component = object(entry) ?? (Object.create(null) as JsonObject);
  const identifiers = object(component.identifiers) ?? {};
  const hashes = object(component.hashes) ?? {};
  const ids = [text(component['@id']), text(identifiers.purl), text(identifiers.cpe23), text(identifiers.cpe22), ...hashIdentifiers(hashes)];
  const known = ids.filter((id): id is string => !!id);
  return { name: clip(known[0] ?? '(unnamed product)'), identifiers: known };
}

/** "sha-256": "abc" → "sha256:abc" (how digests are compared). */
function hashIdentifiers(hashes: JsonObject): string[] {
  return Object.entries(hashes)
    .map(([algorithm, digest]) => (typeof digest === 'string' ? `${algorithm.toLowerCase().replace(/[^a-z0-9]/g, '')}:${digest.toLowerCase()}` : null))
    .filter((id): id is string => id !== null);
}

const CYCLONEDX_STATES: Record<string, VexStatus> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

function cycloneDxVex(root: JsonObject): VexSummary {
  if (root.bomFormat !== 'CycloneDX') rejectDocument(`"bomFormat" is "${String(root.bomFormat)}"; a CycloneDX VEX document has "bomFormat": "CycloneDX"`);
  const vulnerabilities = array(root.vulnerabilities) ?? [];
  // bom-ref → the component's purl, CPE and hashes (components at any depth, and the subject).
  const components = new Map<string, string[]>();
  const visit = (entry: Json) => {
    const component = object(entry);
    if (!component) return;
    const ref = text(component['bom-ref']);
    const ids = [ref, text(component.purl), text(component.cpe), ...cycloneDxHashes(component.hashes)].filter((id): id is string => !!id);
    if (ref) components.set(ref, ids);
    for (const child of array(component.components) ?? []) visit(child);
  };
  visit(object(root.metadata)?.component ?? null);
  for (const component of array(root.components) ?? []) visit(component);

  const statements: VexStatement[] = [];
  vulnerabilities.forEach((entry, index) => {
    const vulnerability = object(entry);
    const analysis = object(vulnerability?.analysis);
    const state = text(analysis?.state);
    if (!vulnerability || !analysis || !state) return;
    const status = CYCLONEDX_STATES[state];
    if (!status) rejectDocument(`vulnerabilities[${index}].analysis.state is "${state}"; it is one of ${Object.keys(CYCLONEDX_STATES).join(', ')}`);
    const id = text(vulnerability.id);
    if (!id) rejectDocument(`vulnerabilities[${index}] has an analysis but no "id"`);
    const aliases = (array(vulnerability.references) ?? []).map((reference) => text(object(reference)?.id)).filter((alias): alias is string => !!alias);
    const products = (array(vulnerability.affects) ?? []).slice(0, MAX_PRODUCTS).flatMap((affected) => {
      const ref = text(object(affected)?.ref);
      if (!ref) return [];
      // A BOM-Link (urn:cdx:serial/version#bom-ref) names a component of another BOM by its bom-ref.
      const fragment = ref.startsWith('urn:cdx:') && ref.includes('#') ? safeDecode(ref.slice(ref.indexOf('#') + 1)) : undefined;
      const identifiers = [...new Set([ref, ...(components.get(ref) ?? []), ...(fragment ? [fragment, ...(components.get(fragment) ?? [])] : [])])];
      return [{ name: clip(ref), identifiers, subcomponents: [] }];
    });
    statements.push(
      statementOf(id, aliases, products, status, {
        statusAsWritten: state !== status ? state : undefined,
        justification: text(analysis.justification),
        impact: text(analysis.detail) ?? texts(analysis.response).join(', '),
        timestamp: text(analysis.lastUpdated) ?? text(analysis.firstIssued) ?? text(vulnerability.updated) ?? text(object(root.metadata)?.timestamp),
      }),
    );
  });
  if (statements.length === 0) {
    rejectDocument(
      vulnerabilities.length === 0
        ? 'the CycloneDX document has no "vulnerabilities": it is an SBOM, not VEX (upload it as sbom)'
        : 'no vulnerability of the CycloneDX document has an "analysis" with a "state": it reports vulnerabilities (upload it as sbom) but states nothing about exploitability',
    );
  }
  const metadata = object(root.metadata);
  // The first author, else the supplier, is the one `author` names; all of them may be trusted.
  const authors = [
    ...(array(metadata?.authors) ?? []).map((entry) => text(object(entry)?.name)),
    text(object(metadata?.supplier)?.name),
    text(object(metadata?.manufacturer)?.name),
    text(object(metadata?.manufacture)?.name),
  ];
  return summary('cyclonedx', text(root.specVersion) ?? '', text(root.serialNumber), authors, statements);
}

function cycloneDxHashes(value: Json | undefined): string[] {
  return (array(value) ?? []).flatMap((entry) => {
    const hash = object(entry);
    const algorithm = text(hash?.alg);
    const content = text(hash?.content);
    return algorithm && content ? [`${algorithm.toLowerCase().replace(/[^a-z0-9]/g, '')}:${content.toLowerCase()}`] : [];
  });
}

/** CSAF product_status lists and the status each states (the "recommended" list states none). */
const CSAF_STATUS: Record<string, VexStatus> = {
  known_not_affected: 'not_affected',
  fixed: 'fixed',
  first_fixed: 'fixed',
  known_affected: 'affected',
  first_affected: 'affected',
  last_affected: 'affected',
  under_investigation: 'under_investigation',
};

function csafVex(root: JsonObject, document: JsonObject): VexSummary {
  const category = text(document.category);
  if (category !== 'csaf_vex') rejectDocument(`document.category is "${String(category)}"; a CSAF VEX document has the category "csaf_vex" (the CSAF VEX profile)`);
  const tree = object(root.product_tree) ?? (Object.create(null) as JsonObject);
  const products = new Map<string, VexProduct>();
  const addProduct = (entry: Json | undefined) => {
    const product = object(entry ?? null);
    const id = text(product?.product_id);
    if (!product || !id) return;
    const helper = object(product.product_identification_helper) ?? {};
    const hashes = (array(helper.hashes) ?? []).flatMap((hash) =>
      (array(object(hash)?.file_hashes) ?? []).flatMap((fileHash) => {
        const algorithm = text(object(fileHash)?.algorithm);
        const value = text(object(fileHash)?.value);
        return algorithm && value ? [`${algorithm.toLowerCase().replace(/[^a-z0-9]/g, '')}:${value.toLowerCase()}`] : [];
      }),
    );
    const identifiers = [text(helper.purl), text(helper.cpe), ...hashes].filter((value): value is string => !!value);
    products.set(id, { name: clip(`${id}${text(product.name) ? ` (${text(product.name)})` : ''}`), identifiers, subcomponents: [] });
  };
  const walk = (entry: Json) => {
    const branch = object(entry);
    if (!branch) return;
    addProduct(branch.product);
    for (const child of array(branch.branches) ?? []) walk(child);
  };
  for (const branch of array(tree.branches) ?? []) walk(branch);
  for (const product of array(tree.full_product_names) ?? []) addProduct(product);
  // A relationship makes a product of a component within a platform: matched by the platform, limited to the component.
  for (const entry of array(tree.relationships) ?? []) {
    const relationship = object(entry);
    const full = object(relationship?.full_product_name ?? null);
    const id = text(full?.product_id);
    if (!relationship || !id) continue;
    const component = products.get(text(relationship.product_reference) ?? '');
    const platform = products.get(text(relationship.relates_to_product_reference) ?? '');
    products.set(id, {
      name: clip(`${id}${text(full!.name) ? ` (${text(full!.name)})` : ''}`),
      identifiers: platform?.identifiers ?? [],
      subcomponents: component ? [{ name: component.name, identifiers: component.identifiers }] : [],
    });
  }
  const groups = new Map<string, string[]>();
  for (const entry of array(tree.product_groups) ?? []) {
    const group = object(entry);
    const id = text(group?.group_id);
    if (id) groups.set(id, texts(group!.product_ids));
  }
  const productsOf = (item: JsonObject | null) => [...texts(item?.product_ids), ...texts(item?.group_ids).flatMap((group) => groups.get(group) ?? [])];

  const issued = text(object(document.tracking)?.current_release_date);
  const statements: VexStatement[] = [];
  for (const entry of array(root.vulnerabilities) ?? []) {
    const vulnerability = object(entry);
    if (!vulnerability) continue;
    const ids = (array(vulnerability.ids) ?? []).map((id) => text(object(id)?.text)).filter((id): id is string => !!id);
    const name = text(vulnerability.cve) ?? ids[0];
    if (!name) rejectDocument('a CSAF vulnerability names no CVE and no id');
    const aliases = ids.filter((id) => id !== name);
    const justification = new Map<string, string>();
    for (const flag of array(vulnerability.flags) ?? []) for (const id of productsOf(object(flag))) justification.set(id, text(object(flag)?.label) ?? '');
    const impact = new Map<string, string>();
    for (const threat of array(vulnerability.threats) ?? []) {
      if (text(object(threat)?.category) !== 'impact') continue;
      for (const id of productsOf(object(threat))) impact.set(id, text(object(threat)?.details) ?? '');
    }
    const status = object(vulnerability.product_status) ?? {};
    for (const [list, normalized] of Object.entries(CSAF_STATUS)) {
      // One statement per list and justification: products that share both.
      const byReason = new Map<string, string[]>();
      for (const id of texts(status[list])) {
        const key = `${justification.get(id) ?? ''}\u0000${impact.get(id) ?? ''}`;
        byReason.set(key, [...(byReason.get(key) ?? []), id]);
      }
      for (const [key, ids] of byReason) {
        const [label, details] = key.split('\u0000');
        const named = ids.slice(0, MAX_PRODUCTS).map((id) => products.get(id) ?? { name: clip(id), identifiers: [], subcomponents: [] });
        statements.push(statementOf(name, aliases, named, normalized, { statusAsWritten: list !== normalized ? list : undefined, justification: label || undefined, impact: details || undefined, timestamp: issued }));
      }
    }
  }
  const tracking = object(document.tracking);
  return summary('csaf', text(document.csaf_version) ?? '', text(tracking?.id), [text(object(document.publisher)?.name)], statements);
}

function statementOf(
  vulnerability: string,
  aliases: string[],
  products: VexProduct[],
  status: VexStatus,
  details: { statusAsWritten?: string; justification?: string; impact?: string; timestamp?: string },
): VexStatement {
  return {
    vulnerability: clip(vulnerability),
    aliases: [...new Set(aliases.map(clip))],
    products,
    status,
    ...(details.statusAsWritten ? { statusAsWritten: details.statusAsWritten } : {}),
    ...(details.justification ? { justification: clip(details.justification) } : {}),
    ...(details.impact ? { impact: clip(details.impact) } : {}),
    ...(details.timestamp ? { timestamp: clip(details.timestamp) } : {}),
  };
}

function summary(format: VexSummary['format'], specVersion: string, documentId: string | undefined, named: Array<string | undefined>, statements: VexStatement[]): VexSummary {
  const authors = [...new Set(named.filter((name): name is string => name !== undefined).map(clip))];
  const byStatus = Object.fromEntries(VEX_STATUSES.map((status) => [status, 0])) as Record<VexStatus, number>;
  for (const statement of statements) byStatus[statement.status]++;
  return {
    format,
    specVersion,
    documentId: documentId ? clip(documentId) : null,
    author: authors[0] ?? null,
    authors,
    total: statements.length,
    byStatus,
    statements: statements.slice(0, MAX_VEX_STATEMENTS),
    truncated: statements.length > MAX_VEX_STATEMENTS,
  };
}

function isStatus(value: string | undefined): value is VexStatus {
  return (VEX_STATUSES as readonly string[]).includes(value ?? '');
}

function object(value: Json | unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

function array(value: Json | undefined): Json[] | null {
  return Array.isArray(value) ? value : null;
}

function text(value: Json | undefined | unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function texts(value: Json | undefined): string[] {
  return (array(value) ?? []).filter((item): item is string => typeof item === 'string' && item !== '');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function clip(value: string): string {
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
}
