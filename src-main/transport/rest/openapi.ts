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
}

const errorSchema = {
  type: 'object',
  properties: {
    detail: {
      oneOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'object', properties: { loc: { type: 'array' }, msg: { type: 'string' }, type: { type: 'string' } } } },
      ],
    },
  },
  required: ['detail'],
};

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete s.$schema;
  return s;
};

export function buildOpenApi(version: string, raw: RawRouteDoc[]): Record<string, unknown> {
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
        '200': { description: 'OK', content: { [r.produces ?? 'application/json']: {} } },
        '4XX': { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      ...(r.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil', version, description: 'Vigil VMS REST API. Route-compatible with the Iris API; every /api route needs a bearer API key or a session.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
