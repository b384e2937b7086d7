/**
 * A readable, server-rendered view of the OpenAPI document: operations grouped by tag, with
 * credentials, parameters, request and response schemas and problem responses. No client code.
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
    <ul className={depth ? 'mt-1 ml-4 border-l border-slate-200 pl-3 dark:border-slate-800' : ''}>
      {Object.entries(properties).map(([name, property]) => (
        <li key={name} className="py-1 [overflow-wrap:anywhere]">
          <code className="font-mono text-[13px] font-semibold text-slate-900 dark:text-white">{name}</code>{' '}
          <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{typeLabel(document, property)}</span>
          {required.has(name) ? <span className="ml-2 text-xs text-red-700 dark:text-red-300">required</span> : null}
          {constraints(resolve(document, property).schema) && <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">{constraints(resolve(document, property).schema)}</span>}
          {typeof property.description === 'string' && <p className="text-sm text-slate-600 dark:text-slate-400">{property.description}</p>}
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
      <h3 id={`${operation.operationId}-title`} className="text-lg font-semibold text-slate-900 dark:text-white">{operation.summary}</h3>
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
          <h4 className="text-sm font-semibold text-slate-900 dark:text-white">Parameters</h4>
          <ul className="mt-1 text-sm">
            {parameters.map((parameter) => (
              <li key={`${parameter.in}-${parameter.name}`} className="py-1 [overflow-wrap:anywhere]">
                <code className="font-mono font-semibold">{parameter.name}</code> <span className="text-xs text-slate-500 dark:text-slate-400">in {parameter.in} · {typeLabel(document, parameter.schema ?? {})}</span>
                {parameter.required && <span className="ml-2 text-xs text-red-700 dark:text-red-300">required</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {body?.content && (
        <div className="mt-4">
          <h4 className="text-sm font-semibold text-slate-900 dark:text-white">Request body <span className="font-normal text-slate-500 dark:text-slate-400">({Object.keys(body.content).join(', ')})</span></h4>
          {body.description && <p className="text-sm text-slate-600 dark:text-slate-400">{body.description}</p>}
          {Object.values(body.content)[0]?.schema && <SchemaTree document={document} schema={Object.values(body.content)[0]!.schema!} />}
        </div>
      )}
      <div className="mt-4">
        <h4 className="text-sm font-semibold text-slate-900 dark:text-white">Responses</h4>
        <ul className="mt-1 text-sm">
          {responses.map(([status, response]) => {
            const [mediaType, content] = Object.entries(response.content ?? {})[0] ?? [];
            return (
              <li key={status} className="py-1">
                <code className={`font-mono font-semibold ${status.startsWith('2') ? 'text-emerald-700 dark:text-emerald-300' : 'text-slate-700 dark:text-slate-300'}`}>{status}</code>{' '}
                <span className="text-slate-700 dark:text-slate-300">{response.description}</span>
                {mediaType && <span className="ml-2 font-mono text-xs text-slate-500 dark:text-slate-400">{mediaType}</span>}
                {status.startsWith('2') && content?.schema && <SchemaTree document={document} schema={content.schema} />}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}

export function ApiReference({ document }: { document: OpenApiDocument }) {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    (['get', 'post', 'put', 'patch', 'delete'] as const).flatMap((method) => (item?.[method] ? [{ path, method, operation: item[method]! }] : [])),
  );
  const tags = [...new Set(operations.flatMap(({ operation }) => operation.tags ?? ['Other']))].sort();
  return (
    <>
      <h1>API reference</h1>
      <div dangerouslySetInnerHTML={inline(document.info.description ?? '')} />
      <p>
        Version {document.info.version} · OpenAPI {document.openapi} · <a href="/openapi.json">openapi.json</a> for code generators and API tools.
        Authentication, errors and request ids are explained in <a href="/docs/gate-api">Gate API</a>.
      </p>
      <nav aria-label="Operations">
        <ul>
          {operations.map(({ operation, method, path }) => (
            <li key={operation.operationId}>
              <a href={`#${operation.operationId}`}>{operation.summary}</a> <code>{method.toUpperCase()} {path}</code>
            </li>
          ))}
        </ul>
      </nav>
      {tags.map((tag) => (
        <section key={tag} aria-labelledby={`tag-${tag}`}>
          <h2 id={`tag-${tag}`}>{tag}</h2>
          {operations
            .filter(({ operation }) => (operation.tags ?? ['Other']).includes(tag))
            .map(({ path, method, operation }) => (
              <OperationView key={operation.operationId} document={document} path={path} method={method} operation={operation} />
            ))}
        </section>
      ))}
    </>
  );
}
