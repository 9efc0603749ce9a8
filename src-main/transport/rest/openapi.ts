// Builds the OpenAPI 3.1 document from the contract (plus the raw media/auth routes that modules declare).
import { z } from 'zod';
import { contract, restOpNames } from '../../shared/contract';

export interface RawRouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  doc: string;
  tag: string;
  /** Response content type, e.g. image/jpeg. */
  produces?: string;
  public?: boolean;
  /** The route family whose error shape it answers in (default Iris); set by the platform for family plugins. */
  family?: string;
  /** Success status when it is not 200. */
  status?: number;
}

/** What buildOpenApi needs of a route family: its name and its error body's schema. */
export interface FamilyDoc {
  name: string;
  errorSchema: Record<string, unknown>;
}

const schemaName = (family: string | undefined): string => (!family || family === 'iris' ? 'Error' : `${family[0]?.toUpperCase()}${family.slice(1)}Error`);

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete s.$schema;
  return s;
};

export function buildOpenApi(version: string, raw: RawRouteDoc[], families: FamilyDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const name of restOpNames) {
    const def = contract[name];
    const params = pathParams(def.path);
    const input = jsonSchema(def.input, 'input');
    const props = input.properties ?? {};
    const required = new Set(input.required ?? []);
    const parameters: unknown[] = params.map((p) => ({ name: p, in: 'path', required: true, schema: props[p] ?? { type: 'string' } }));
    const bodyProps: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
      if (params.includes(k)) continue;
      if (def.method === 'GET' || def.method === 'DELETE') parameters.push({ name: k, in: 'query', required: required.has(k), schema: v });
      else bodyProps[k] = v;
    }
    const status = String(def.status ?? 200);
    const op: Record<string, unknown> = {
      operationId: name,
      summary: def.doc,
      description: def.doc,
      tags: [def.tag],
      parameters,
      responses: {
        [status]:
          status === '204'
            ? { description: 'No content' }
            : { description: 'OK', content: { 'application/json': { schema: jsonSchema(def.output, 'output') } } },
        '4XX': { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (def.path === '/health') op.security = [];
    if (def.method === 'POST' || def.method === 'PUT') {
      op.requestBody = {
        required: false,
        content: { 'application/json': { schema: { ...input, properties: bodyProps, required: [...required].filter((k) => !params.includes(k)) } } },
      };
    }
    (paths[def.path] ??= {})[def.method.toLowerCase()] = op;
  }
  for (const r of raw) {
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      summary: r.doc,
      description: r.doc,
      tags: [r.tag],
      parameters: pathParams(r.path).map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } })),
      responses: {
        [String(r.status ?? 200)]: { description: 'OK', content: { [r.produces ?? 'application/json']: {} } },
        '4XX': { description: 'Error', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(r.family)}` } } } },
        '5XX': { description: 'Error', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(r.family)}` } } } },
      },
      ...(r.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil',
      version,
      description:
        'Vigil VMS REST API. Route families: Iris (/api, /health; errors {detail}), Flex Video (/flex; errors {success:false, error:{code, message}}), Backflow IoT (/tenant; errors {error:{status, code, message}}). Every route needs a credential unless marked public: the Iris API key, a personal API key or a session token as `Authorization: Bearer`, in every family. Roles: admin (everything), operator (live, recordings, events, identities), viewer (live only); a missing permission is a 403 in the family shape.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: Object.fromEntries(families.map((f) => [schemaName(f.name), f.errorSchema])),
    },
    paths,
  };
}
