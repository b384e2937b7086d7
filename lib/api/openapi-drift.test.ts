/**
 * The OpenAPI document and what the runtime serves cannot drift: every endpoint in the registry is
 * documented, every route handler under app/api/v1 is one withApi(...) call of a registered
 * definition (the same object the document is generated from), and every registered definition is
 * served by a route exporting its method at its path.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { endpoints } from './registry';
import { buildOpenApiDocument } from './openapi';
import type { EndpointDefinition } from './endpoint';

const root = path.resolve(import.meta.dirname, '..', '..');
const apiDir = path.join(root, 'app', 'api', 'v1');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** The fallback for unknown /api/v1 paths: it serves only 401/404 problems, no operation. */
const FALLBACK = path.join(apiDir, '[...path]');

interface ServedRoute {
  file: string;
  path: string;
  method: string;
  /** The definition passed to withApi(...), resolved through the file's imports. */
  definition: unknown;
}

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === FALLBACK ? [] : routeFiles(full);
    return /^route\.(runtime\.)?ts$/.test(entry.name) ? [full] : [];
  });
}

function apiPathOf(file: string): string {
  const segments = path.relative(path.join(root, 'app'), path.dirname(file)).split(path.sep);
  return '/' + segments.map((segment) => segment.replace(/^\[(.+)\]$/, '{$1}')).join('/');
}

/** The exported HTTP methods of a route file, each with the identifier passed to withApi(...). */
async function servedRoutes(file: string): Promise<ServedRoute[]> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const imports = new Map<string, string>();
  const served: Array<{ method: string; identifier: string | null }> = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      for (const element of statement.importClause?.namedBindings && ts.isNamedImports(statement.importClause.namedBindings) ? statement.importClause.namedBindings.elements : []) {
        imports.set(element.name.text, statement.moduleSpecifier.text);
      }
    }
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    if (exported && ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const name = declaration.name.getText(source);
        if (!(METHODS as readonly string[]).includes(name)) continue;
        const init = declaration.initializer;
        const isWrapped = init && ts.isCallExpression(init) && init.expression.getText(source) === 'withApi' && init.arguments[0] && ts.isIdentifier(init.arguments[0]);
        served.push({ method: name, identifier: isWrapped ? (init.arguments[0] as ts.Identifier).text : null });
      }
    }
    if (exported && ts.isFunctionDeclaration(statement) && statement.name && (METHODS as readonly string[]).includes(statement.name.text)) {
      served.push({ method: statement.name.text, identifier: null });
    }
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if ((METHODS as readonly string[]).includes(element.name.text)) served.push({ method: element.name.text, identifier: null });
      }
    }
  }
  return Promise.all(
    served.map(async ({ method, identifier }) => {
      let definition: unknown = null;
      const from = identifier ? imports.get(identifier) : undefined;
      if (identifier && from) {
        const imported = (await import(from.replace(/^@\//, root + '/'))) as Record<string, unknown>;
        definition = imported[identifier] ?? null;
      }
      return { file: path.relative(root, file), path: apiPathOf(file), method, definition };
    }),
  );
}

describe('the OpenAPI document and the served API', () => {
  const document = buildOpenApiDocument(endpoints, { version: 'test' });

  it('documents every registered endpoint under its path, method and id', () => {
    expect(endpoints.length).toBeGreaterThan(0);
    for (const endpoint of endpoints) {
      const operation = document.paths?.[endpoint.path]?.[endpoint.method.toLowerCase() as 'get'];
      expect(operation?.operationId, `${endpoint.method} ${endpoint.path}`).toBe(endpoint.id);
    }
  });

  it('lists nothing but the registered endpoints', () => {
    const documented = Object.entries(document.paths ?? {}).flatMap(([route, item]) =>
      Object.keys(item ?? {})
        .filter((key) => (METHODS as readonly string[]).includes(key.toUpperCase()))
        .map((method) => `${method.toUpperCase()} ${route}`),
    );
    expect(documented.sort()).toEqual(endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`).sort());
  });

  it('serves every route handler through withApi with the registered definition', async () => {
    const served = (await Promise.all(routeFiles(apiDir).map(servedRoutes))).flat();
    expect(served.length).toBeGreaterThan(0);
    for (const route of served) {
      const registered = endpoints.find((endpoint) => endpoint.method === route.method && endpoint.path === route.path);
      expect(registered, `${route.method} ${route.path} (${route.file}) is served but not in lib/api/registry.ts`).toBeDefined();
      expect(route.definition, `${route.file} ${route.method} must be withApi(<the registered definition>, ...)`).toBe(registered as EndpointDefinition);
    }
  });

  it('serves every registered endpoint', async () => {
    const served = new Set((await Promise.all(routeFiles(apiDir).map(servedRoutes))).flat().map((route) => `${route.method} ${route.path}`));
    for (const endpoint of endpoints) expect(served.has(`${endpoint.method} ${endpoint.path}`), `${endpoint.method} ${endpoint.path} is documented but no route serves it`).toBe(true);
  });
});
