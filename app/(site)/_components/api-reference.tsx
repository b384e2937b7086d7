/**
 * A readable, server-rendered view of the OpenAPI document: an overview of every operation by tag
 * (/docs/api), and a page per tag (/docs/api/<tag>) with each operation's credentials, parameters,
 * request and response schemas and problem responses. No client code. One page per tag keeps a
 * page's DOM to hundreds of elements, not the thousands of the whole document.
 */
import { marked } from 'marked';
import type { OpenApiDocument } from '@/lib/api/openapi';

type Schema = Record<string, unknown>;
type Operation = NonNullable<NonNullable<OpenApiDocument['paths']>[string]['get']>;

const METHOD_STYLE: Record<string, string> = {
  get: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  post: 'bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-200',
  put: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  patch: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  delete: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
};

function inline(text: string): { __html: string } {
  return { __html: marked.parse(text, { async: false }) };
}

function resolve(document: OpenApiDocument, schema: Schema): { schema: Schema; name: string | null } {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return { schema, name: null };
  const name = ref.split('/').pop() ?? ref;
  return { schema: (document.components?.schemas?.[name] as Schema | undefined) ?? {}, name };
}

function typeLabel(document: OpenApiDocument, raw: Schema): string {
  const { schema, name } = resolve(document, raw);
  if (name) return name;
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return variants.map((variant) => typeLabel(document, variant)).join(' | ');
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'array') return `${typeLabel(document, (schema.items as Schema) ?? {})}[]`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  return schema.format ? `${type} (${String(schema.format)})` : type;
}

function constraints(schema: Schema): string {
  const parts: string[] = [];
  if (schema.pattern) parts.push(`pattern ${String(schema.pattern)}`);
  if (schema.minLength !== undefined) parts.push(`min length ${String(schema.minLength)}`);
  if (schema.maxLength !== undefined) parts.push(`max length ${String(schema.maxLength)}`);
  if (schema.minimum !== undefined) parts.push(`≥ ${String(schema.minimum)}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${String(schema.maximum)}`);
  if (schema.minItems !== undefined) parts.push(`at least ${String(schema.minItems)} items`);
  if (schema.maxItems !== undefined) parts.push(`at most ${String(schema.maxItems)} items`);
  return parts.join(', ');
}

/** An object's properties as a nested list (depth-limited: references are named, not expanded twice). */
function SchemaTree({ document, schema: raw, depth = 0 }: { document: OpenApiDocument; schema: Schema; depth?: number }) {
  const { schema } = resolve(document, raw);
  const target = schema.type === 'array' ? resolve(document, (schema.items as Schema) ?? {}).schema : schema;
  const properties = target.properties as Record<string, Schema> | undefined;
  if (!properties || depth > 4) return null;
  const required = new Set((target.required as string[] | undefined) ?? []);
  return (
    <ul className={depth ? 'api-tree' : undefined}>
      {Object.entries(properties).map(([name, property]) => (
        <li key={name} className="api-item">
          <code className="api-name">{name}</code> <span className="api-type">{typeLabel(document, property)}</span>
          {required.has(name) ? <span className="api-required">required</span> : null}
          {constraints(resolve(document, property).schema) && <span className="api-note">{constraints(resolve(document, property).schema)}</span>}
          {typeof property.description === 'string' && <p className="api-description">{property.description}</p>}
          <SchemaTree document={document} schema={property} depth={depth + 1} />
        </li>
      ))}
    </ul>
  );
}

function OperationView({ document, path, method, operation }: { document: OpenApiDocument; path: string; method: string; operation: Operation }) {
  const parameters = (operation.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema?: Schema; description?: string }>;
  const body = operation.requestBody as { content?: Record<string, { schema?: Schema }>; description?: string } | undefined;
  const responses = Object.entries(operation.responses ?? {}) as Array<[string, { description?: string; content?: Record<string, { schema?: Schema }> }]>;
  const security = (operation.security ?? []) as Array<Record<string, string[]>>;
  return (
    <section id={operation.operationId} aria-labelledby={`${operation.operationId}-title`} className="scroll-mt-24 border-t border-slate-200 py-8 dark:border-slate-800">
      <h2 id={`${operation.operationId}-title`} className="api-operation-title">
        {operation.summary}
      </h2>
      <p className="mt-2 flex flex-wrap items-center gap-2 font-mono text-sm">
        <span className={`rounded px-2 py-0.5 text-xs font-bold uppercase ${METHOD_STYLE[method] ?? ''}`}>{method}</span>
        <span className="break-all text-slate-900 dark:text-white">{path}</span>
      </p>
      {operation.description && <div className="prose-doc mt-3" dangerouslySetInnerHTML={inline(operation.description)} />}
      <p className="mt-3 text-sm text-slate-700 dark:text-slate-300">
        <span className="font-semibold">Credentials: </span>
        {security.length === 0 ? 'none' : security.map((requirement) => Object.entries(requirement).map(([scheme, scopes]) => (scheme === 'apiToken' ? `API token${scopes.length ? ` with ${scopes.join(', ')}` : ''}` : 'console session')).join('')).join(' or ')}
      </p>
      {parameters.length > 0 && (
        <div className="mt-4">
          <h3 className="api-heading">Parameters</h3>
          <ul className="mt-1 text-sm">
            {parameters.map((parameter) => (
              <li key={`${parameter.in}-${parameter.name}`} className="api-item">
                <code className="api-name">{parameter.name}</code> <span className="api-type">in {parameter.in} · {typeLabel(document, parameter.schema ?? {})}</span>
                {parameter.required && <span className="api-required">required</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {body?.content && (
        <div className="mt-4">
          <h3 className="api-heading">Request body <span className="font-normal text-slate-500 dark:text-slate-400">({Object.keys(body.content).join(', ')})</span></h3>
          {body.description && <p className="api-description">{body.description}</p>}
          {Object.values(body.content)[0]?.schema && <SchemaTree document={document} schema={Object.values(body.content)[0]!.schema!} />}
        </div>
      )}
      <div className="mt-4">
        <h3 className="api-heading">Responses</h3>
        <ul className="mt-1 text-sm">
          {responses.map(([status, response]) => {
            const [mediaType, content] = Object.entries(response.content ?? {})[0] ?? [];
            return (
              <li key={status} className="py-1">
                <code className={`font-mono font-semibold ${status.startsWith('2') ? 'text-emerald-700 dark:text-emerald-300' : 'text-slate-700 dark:text-slate-300'}`}>{status}</code>{' '}
                <span className="text-slate-700 dark:text-slate-300">{response.description}</span>
                {mediaType && <span className="api-note font-mono">{mediaType}</span>}
                {status.startsWith('2') && content?.schema && <SchemaTree document={document} schema={content.schema} />}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}

interface ListedOperation {
  path: string;
  method: string;
  operation: Operation;
}

function operationsOf(document: OpenApiDocument): ListedOperation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    (['get', 'post', 'put', 'patch', 'delete'] as const).flatMap((method) => (item?.[method] ? [{ path, method, operation: item[method]! }] : [])),
  );
}

const tagsOf = (operation: Operation) => operation.tags ?? ['Other'];

/** A tag's address under /docs/api ("Services and environments" → services-and-environments). */
export function apiTagSlug(tag: string): string {
  return tag.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The document's tags, sorted, with their addresses: the overview's sections and the tag pages. */
export function apiTags(document: OpenApiDocument): Array<{ tag: string; slug: string }> {
  const tags = [...new Set(operationsOf(document).flatMap(({ operation }) => tagsOf(operation)))].sort();
  return tags.map((tag) => ({ tag, slug: apiTagSlug(tag) }));
}

/** The operations of one tag, as that page's table of contents. */
export function apiTagHeadings(document: OpenApiDocument, tag: string): Array<{ id: string; text: string }> {
  return operationsOf(document)
    .filter(({ operation }) => tagsOf(operation).includes(tag))
    .map(({ operation }) => ({ id: operation.operationId ?? '', text: operation.summary ?? '' }));
}

/** /docs/api: what the API is, and every operation by tag, each linked to its tag's page. */
export function ApiOverview({ document }: { document: OpenApiDocument }) {
  const operations = operationsOf(document);
  return (
    <>
      <h1>API reference</h1>
      <div dangerouslySetInnerHTML={inline(document.info.description ?? '')} />
      <p>
        Version {document.info.version} · OpenAPI {document.openapi} · <a href="/openapi.json">openapi.json</a> for code generators and API tools.
        Authentication, errors and request ids are explained in <a href="/docs/gate-api">Gate API</a>.
      </p>
      {apiTags(document).map(({ tag, slug }) => (
        <section key={tag} aria-labelledby={`tag-${slug}`}>
          <h2 id={`tag-${slug}`}>
            <a href={`/docs/api/${slug}`}>
              {tag}
              {/* Its name apart from the sidebar's page of the same name (Retention, Connectors). */}
              <span className="sr-only"> API reference</span>
            </a>
          </h2>
          <ul>
            {operations
              .filter(({ operation }) => tagsOf(operation).includes(tag))
              .map(({ operation, method, path }) => (
                // The id keeps an older link (/docs/api#operationId, from when this was one page) landing next to the new one.
                <li key={operation.operationId} id={operation.operationId}>
                  <a href={`/docs/api/${slug}#${operation.operationId}`}>{operation.summary}</a> <code>{method.toUpperCase()} {path}</code>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}

/** /docs/api/<tag>: that tag's operations in full. */
export function ApiTagReference({ document, tag }: { document: OpenApiDocument; tag: string }) {
  return (
    <>
      <p className="text-sm">
        <a href="/docs/api">API reference</a>
      </p>
      <h1>{tag}</h1>
      {operationsOf(document)
        .filter(({ operation }) => tagsOf(operation).includes(tag))
        .map(({ path, method, operation }) => (
          <OperationView key={operation.operationId} document={document} path={path} method={method} operation={operation} />
        ))}
    </>
  );
}
