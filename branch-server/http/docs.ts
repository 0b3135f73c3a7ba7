import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Express } from 'express';
import { z } from 'zod';
import { DetailBody, ErrorBody } from '../contract/common.ts';
import { healthRoutes } from '../contract/health.contract.ts';
import type { RouteDef } from '../contract/route.ts';
import type { Bound } from './app.ts';

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

/** Swagger UI, served from the installed package: the appliance has no internet. */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

const DOCS_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>SmartQueue Branch API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="/api/docs/init.js" charset="UTF-8"></script>
</body>
</html>
`;

// validatorUrl null: the default would send the schema to validator.swagger.io. Tokens typed into
// "Authorize" are not persisted: the page may be opened on a shared counter PC.
const DOCS_INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api/schema/',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;

/**
 * `GET /api/schema/` (OpenAPI 3.1 built from the contract, once, on first request) and
 * `GET /api/docs/` (Swagger UI, offline). Called by `createApp` after the API routes.
 */
export function extendWithDocs(app: Express, routes: readonly Bound[]): void {
  let schema: string | null = null;
  app.get('/api/schema/', (_req, res) => {
    schema ??= JSON.stringify(buildOpenApi(routes));
    res.type('application/json').send(schema);
  });
  app.get('/api/docs/', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  app.get('/api/docs/init.js', (_req, res) => {
    res.type('text/javascript').send(DOCS_INIT);
  });
  app.get('/api/docs/assets/:file', (req, res, next) => {
    const file = req.params['file'];
    if (typeof file !== 'string' || !SWAGGER_ASSETS.has(file)) return next();
    res.sendFile(file, { root: SWAGGER_DIR, maxAge: '1d' }, (error) => {
      if (error) next(error);
    });
  });
}

type NamedRoute = Readonly<{ name: string; def: RouteDef }>;

/** Collects component schemas hoisted out of the per-operation JSON Schemas. */
class Components {
  readonly schemas: Record<string, Json> = {
    ErrorBody: jsonSchemaOf(ErrorBody, 'output'),
    DetailBody: jsonSchemaOf(DetailBody, 'output'),
  };

  /** Raw (pre-rewrite) JSON of each hoisted schema, so the same definition is stored once. */
  readonly #raw = new Map<string, string>();

  /**
   * A zod JSON Schema refers to its own `$defs` (schemas with a registered id, recursive ones) by
   * `#/$defs/...`, and to its root by `#`: inside an OpenAPI document both would point at the
   * document root, so such definitions move to `components.schemas` and references are rewritten.
   */
  convert(schema: z.ZodType, io: Io, owner: string): Json {
    const { $defs = {}, ...root } = jsonSchemaOf(schema, io) as Json & { $defs?: Record<string, Json> };
    const selfReferencing = collectRefs(root).includes('#') || collectRefs($defs).includes('#');
    const renamed = new Map<string, string>();
    for (const [key, def] of Object.entries($defs)) {
      const base = key.startsWith('__') ? `${owner}${key.slice(2)}` : io === 'input' ? `${key}Input` : key;
      renamed.set(key, this.#nameFor(base, JSON.stringify(def)));
    }
    const rootName = selfReferencing ? this.#nameFor(owner, JSON.stringify(root)) : '';
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== 'object') return value;
      const out: Json = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && v === '#') out[k] = `#/components/schemas/${rootName}`;
        else if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
          out[k] = `#/components/schemas/${renamed.get(v.slice('#/$defs/'.length)) ?? 'unknown'}`;
        } else out[k] = rewrite(v);
      }
      return out;
    };
    for (const [key, def] of Object.entries($defs)) this.schemas[renamed.get(key)!] = rewrite(def) as Json;
    if (!selfReferencing) return rewrite(root) as Json;
    this.schemas[rootName] = rewrite(root) as Json;
    return { $ref: `#/components/schemas/${rootName}` };
  }

  #nameFor(base: string, raw: string): string {
    let name = base;
    for (let i = 2; name in this.schemas && this.#raw.get(name) !== raw; i++) name = `${base}${i}`;
    this.#raw.set(name, raw);
    return name;
  }
}

function collectRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, found));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else collectRefs(v, found);
    }
  }
  return found;
}

function jsonSchemaOf(schema: z.ZodType, io: Io): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const errorResponse = (description: string, body: 'ErrorBody' | 'DetailBody') => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } },
});

function describeAccess(def: RouteDef): { text: string; security: Record<string, string[]>[]; extensions: Json } {
  const access = def.access;
  if (access.kind === 'public') return { text: 'Public: no credentials needed.', security: [], extensions: { 'x-access': 'public' } };
  if (access.kind === 'user') {
    return { text: 'Any signed-in user.', security: [{ bearerAuth: [] }], extensions: { 'x-access': 'user', 'x-scope': null } };
  }
  const who: string[] = [];
  const security: Record<string, string[]>[] = [];
  if (!access.devicesOnly) {
    who.push(access.scope
      ? `a member of the tenant holding the \`${access.scope}\` scope`
      : 'any member of the tenant');
    security.push({ bearerAuth: [] });
  }
  if (access.device) {
    who.push(`a paired device of the tenant with the \`${access.device}\` capability`);
    security.push({ deviceKey: [] });
  }
  const extensions: Json = { 'x-access': 'tenant', 'x-scope': access.devicesOnly ? null : access.scope };
  if (access.device) extensions['x-device-capability'] = access.device;
  return { text: `Who may call it: ${who.join('; or ')}.`, security, extensions };
}

function operationOf({ name, def }: NamedRoute, components: Components): Json {
  const pathParams = [...def.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const parameters: Json[] = [];
  const paramsSchema = def.params ? components.convert(def.params, 'input', `${name}Params`) : {};
  const paramProps = (paramsSchema['properties'] ?? {}) as Record<string, Json>;
  for (const param of pathParams) {
    parameters.push({ name: param, in: 'path', required: true, schema: paramProps[param] ?? { type: 'string' } });
  }
  if (def.query) {
    const query = components.convert(def.query, 'input', `${name}Query`);
    const required = (query['required'] ?? []) as string[];
    for (const [param, schema] of Object.entries((query['properties'] ?? {}) as Record<string, Json>)) {
      parameters.push({ name: param, in: 'query', required: required.includes(param), schema });
    }
  }

  const access = describeAccess(def);
  const status = String(def.status ?? 200);
  const content = { 'application/json': { schema: components.convert(def.response, 'output', `${name}Response`) } };
  const responses: Json = {
    [status]: status === '204' ? { description: 'Done; no content.' } : { description: 'Success.', content },
  };
  if (def.body || def.query) {
    responses['400'] = errorResponse('Invalid input: `details` lists `{field, message}` for each problem.', 'ErrorBody');
  }
  if (def.access.kind !== 'public') {
    responses['401'] = errorResponse('No credentials, or an expired, revoked or unknown token or device key.', 'DetailBody');
    responses['403'] = errorResponse('Signed in, but not allowed: not a member of this tenant, or missing the scope or capability.', 'DetailBody');
  }
  if (pathParams.length > 0) responses['404'] = errorResponse('Nothing with this id in this tenant.', 'DetailBody');
  if (def.body) {
    responses['413'] = errorResponse('The body is larger than 100 KiB.', 'ErrorBody');
    responses['415'] = errorResponse('The body is not application/json.', 'ErrorBody');
  }
  if (def === healthRoutes.health) {
    responses['503'] = { description: 'Failing: the same report, naming the failing checks.', content };
  }

  const operation: Json = {
    operationId: name,
    summary: def.summary,
    description: access.text,
    tags: [def.tag],
    security: access.security,
    ...access.extensions,
    parameters,
    responses,
  };
  if (def.body) {
    operation['requestBody'] = {
      // The pipeline reads a missing body as `{}`: the body is required only when `{}` is refused.
      required: !def.body.safeParse({}).success,
      content: { 'application/json': { schema: components.convert(def.body, 'input', `${name}Body`) } },
    };
  }
  return operation;
}

/** The OpenAPI 3.1 document of every contract route: paths use `{param}`, schemas come from zod. */
function buildOpenApi(routes: readonly NamedRoute[]): Json {
  const components = new Components();
  const paths: Record<string, Json> = {};
  const tags: string[] = [];
  for (const route of routes) {
    const path = route.def.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.def.method] = operationOf(route, components);
    if (!tags.includes(route.def.tag)) tags.push(route.def.tag);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SmartQueue Branch API',
      version: 'v1',
      description: 'The branch server API, compatible with the SmartQueue v1 API. Lists paginate as '
        + '`{count, next, previous, results}` (`page`, `page_size` ≤ 100). Errors: 400 `{error, code, details}`, '
        + '401/403/404 `{detail, code}`.',
    },
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'The token from `POST /api/v1/auth/`. `Authorization: Token <jwt>` is accepted too, for v1 clients.',
        },
        deviceKey: {
          type: 'apiKey', in: 'header', name: 'Authorization',
          description: 'A paired kiosk, display or print agent: `Authorization: Device <device_key>`.',
        },
      },
    },
  };
}
