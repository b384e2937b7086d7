/**
 * Rendered Kubernetes manifests (`helm template`, `kustomize build`): a YAML stream of resources.
 * Documents are composed one at a time, so memory holds one document's tree, not the stream's.
 * Every document must be a Kubernetes resource (apiVersion and kind), or a List of them.
 *
 * Sanitizing: values of a Secret's `data`/`stringData`, credential fields (a kubeconfig's
 * `token`, `client-key-data`...), and known secret formats in any string or comment are replaced.
 * Only documents that held a secret are re-serialized; the others are stored as written.
 */
import { Composer, isMap, isPair, isScalar, isSeq, LineCounter, Parser, visit, type Document, type Node, type Scalar } from 'yaml';
import { formatJsonPointer } from '../json-scanner';
import { rejectDocument } from '../errors';
import { isSensitiveField } from '../sanitize/fields';
import { redactionMarker, redactText } from '../sanitize/patterns';
import type { RedactionCollector } from '../sanitize/report';
import { sortedRecord, tally } from './summarizer';

export interface ManifestsSummary {
  format: 'kubernetes';
  documents: number;
  /** Resource kind → count. */
  kinds: Record<string, number>;
  /** "Kind/namespace/name" of each resource (at most 500). */
  resources: string[];
  namespaces: string[];
  /** Container images referenced by workloads, sorted (at most 500). */
  images: string[];
}

const MAX_LISTED = 500;

export function analyzeManifests(text: string, collector: RedactionCollector): { summary: ManifestsSummary; output: string | null } {
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
  const kinds: Record<string, number> = {};
  const resources: string[] = [];
  const namespaces = new Set<string>();
  const images = new Set<string>();
  let documents = 0;
  let index = 0;
  let cursor = 0;
  let changed = false;
  const out: string[] = [];

  const handle = (doc: Document.Parsed) => {
    index++;
    const [start, , end] = doc.range;
    if (doc.errors.length > 0) {
      const error = doc.errors[0]!;
      const { line, col } = lineCounter.linePos(error.pos[0]);
      rejectDocument(`invalid YAML in document ${index} at line ${line}, column ${col}: ${error.message.split('\n')[0]}`);
    }
    // Text between documents holds only markers and comments: redact formats found there too.
    const gap = text.slice(cursor, start);
    const gapRedacted = redactGap(gap, lineCounter.linePos(cursor).line, collector);
    if (gapRedacted !== gap) changed = true;
    out.push(gapRedacted);
    cursor = end;

    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) {
      out.push(text.slice(start, end)); // an empty document (comments only)
      return;
    }
    describeResource(value, index, { kinds, resources, namespaces, images });
    documents++;
    if (sanitizeDocument(doc, `document ${index} `, collector)) {
      changed = true;
      const rendered = doc.toString({ lineWidth: 0 });
      out.push(rendered.endsWith('\n') || !text.slice(start, end).endsWith('\n') ? rendered : `${rendered}\n`);
    } else {
      out.push(text.slice(start, end));
    }
  };

  for (const doc of composer.compose(parser.parse(text), true)) handle(doc);
  const tail = text.slice(cursor);
  const tailRedacted = redactGap(tail, lineCounter.linePos(cursor).line, collector);
  if (tailRedacted !== tail) changed = true;
  out.push(tailRedacted);

  if (documents === 0) rejectDocument('the manifests contain no Kubernetes resource');
  return {
    summary: {
      format: 'kubernetes',
      documents,
      kinds: sortedRecord(kinds),
      resources: resources.slice(0, MAX_LISTED),
      namespaces: [...namespaces].sort(),
      images: [...images].sort().slice(0, MAX_LISTED),
    },
    output: changed ? out.join('') : null,
  };
}

function redactGap(gap: string, firstLine: number, collector: RedactionCollector): string {
  if (!gap.trim()) return gap;
  const { text, found } = redactText(gap);
  for (const finding of found) collector.add(finding.kind, `comment near line ${firstLine + countLines(gap.slice(0, finding.index))}`);
  return text;
}

function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

interface Tallies {
  kinds: Record<string, number>;
  resources: string[];
  namespaces: Set<string>;
  images: Set<string>;
}

function describeResource(value: unknown, index: number, tallies: Tallies): void {
  if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    rejectDocument(`document ${index} is not a Kubernetes resource: it has no "apiVersion" and "kind"`);
  }
  if (value.kind === 'List' || value.kind.endsWith('List')) {
    const items = Array.isArray(value.items) ? value.items : [];
    for (const item of items) describeResource(item, index, tallies);
    return;
  }
  tally(tallies.kinds, value.kind);
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  if (namespace) tallies.namespaces.add(namespace);
  if (tallies.resources.length < MAX_LISTED) tallies.resources.push(`${value.kind}/${namespace ? `${namespace}/` : ''}${name}`);
  collectImages(value, tallies.images, 0);
}

/** Images of containers, init containers and ephemeral containers, wherever the pod spec sits. */
function collectImages(value: unknown, images: Set<string>, depth: number): void {
  if (depth > 12 || images.size >= MAX_LISTED) return;
  if (Array.isArray(value)) {
    for (const item of value) collectImages(item, images, depth + 1);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'containers' || key === 'initContainers' || key === 'ephemeralContainers') && Array.isArray(child)) {
      for (const container of child) {
        if (isRecord(container) && typeof container.image === 'string') images.add(container.image);
      }
    } else {
      collectImages(child, images, depth + 1);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Redacts in place; true when anything was replaced. */
function sanitizeDocument(doc: Document.Parsed, prefix: string, collector: RedactionCollector): boolean {
  let changed = false;
  const redactComment = (holder: { comment?: string | null; commentBefore?: string | null }, location: string) => {
    for (const field of ['comment', 'commentBefore'] as const) {
      const comment = holder[field];
      if (!comment) continue;
      const { text, found } = redactText(comment);
      if (found.length === 0) continue;
      holder[field] = text;
      changed = true;
      for (const finding of found) collector.add(finding.kind, `${prefix}comment at ${location}`);
    }
  };
  redactComment(doc, '$');

  const replace = (node: Scalar, kind: 'kubernetes-secret' | 'credential-field', location: string) => {
    node.value = redactionMarker(kind);
    node.type = 'PLAIN';
    changed = true;
    collector.add(kind, location);
  };

  visit(doc, {
    Map(_key, map, path) {
      const kind = map.get('kind');
      if (kind !== 'Secret') return;
      for (const field of ['data', 'stringData']) {
        const data = map.get(field, true);
        if (!isMap(data)) continue;
        for (const pair of data.items) {
          if (isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
            const key = isScalar(pair.key) ? String(pair.key.value) : '?';
            replace(pair.value, 'kubernetes-secret', `${prefix}${yamlPath([...path, map])}${formatJsonPointer([field, key])}`);
          }
        }
      }
    },
    Pair(_key, pair, path) {
      if (isScalar(pair.key) && typeof pair.key.value === 'string' && isSensitiveField(pair.key.value)) {
        if (isScalar(pair.value) && typeof pair.value.value === 'string' && pair.value.value !== '' && !pair.value.value.startsWith('[redacted:')) {
          replace(pair.value, 'credential-field', `${prefix}${yamlPath([...path, pair])}`);
        }
      }
    },
    Scalar(_key, node, path) {
      redactComment(node, `${prefix}${yamlPath(path)}`);
      if (typeof node.value !== 'string' || node.value.startsWith('[redacted:')) return;
      const { text, found } = redactText(node.value);
      if (found.length === 0) return;
      node.value = text;
      changed = true;
      for (const finding of found) collector.add(finding.kind, `${prefix}${yamlPath([...path, node])}`);
    },
  });
  visit(doc, {
    Map(_key, node, path) {
      redactComment(node, yamlPath([...path, node]));
    },
    Seq(_key, node, path) {
      redactComment(node, yamlPath([...path, node]));
    },
  });
  return changed;
}

/** "/data/password" (a JSON Pointer) from a visitor path (ancestors, then the node). */
function yamlPath(path: readonly unknown[]): string {
  const segments: Array<string | number> = [];
  for (let i = 0; i < path.length; i++) {
    const node = path[i];
    const next = path[i + 1];
    if (isPair(node) && isScalar(node.key) && next !== node.key) segments.push(String(node.key.value));
    else if (isSeq(node) && next !== undefined) {
      const index = node.items.indexOf(next as Node);
      if (index >= 0) segments.push(index);
    }
  }
  return formatJsonPointer(segments);
}
