// HTTP Range (single byte range, incl. suffix form) parsing and ranged file replies with 1 MiB chunks.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReadStream } from 'node:fs';

export type RangeResult = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/** RFC 9110 single byte range; multi-range and malformed headers fall back to the full body. */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'full' };
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return { kind: 'full' };
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

export interface ServableFile {
  path: string;
  size: number;
}

/** Reply with a file honouring Range; `open` must stream with a bounded highWaterMark. */
export function sendRanged(req: FastifyRequest, reply: FastifyReply, f: ServableFile, type: string, open: (range?: { start: number; end: number }) => ReadStream, extra: Record<string, string> = {}): FastifyReply {
  reply.header('Accept-Ranges', 'bytes').header('Content-Type', type);
  for (const [k, v] of Object.entries(extra)) reply.header(k, v);
  const r = parseRange(req.headers.range, f.size);
  if (r.kind === 'unsatisfiable') {
    return reply.code(416).header('Content-Range', `bytes */${f.size}`).type('application/json').send({ detail: 'Requested range not satisfiable' });
  }
  if (r.kind === 'partial') {
    reply.code(206).header('Content-Range', `bytes ${r.start}-${r.end}/${f.size}`).header('Content-Length', String(r.end - r.start + 1));
    if (req.method === 'HEAD') return reply.send();
    return reply.send(open({ start: r.start, end: r.end }));
  }
  reply.code(200).header('Content-Length', String(f.size));
  if (req.method === 'HEAD') return reply.send();
  return reply.send(f.size === 0 ? '' : open());
}
