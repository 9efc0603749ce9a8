// Raw event media routes: clip (Range), thumbnail and sprite JPEGs; every path is contained in the data root.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../shared/errors';
import type { EventsService, EventMediaKind } from '../../services/recording/events.service';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import { media, type RestModule } from './http-server';
import { sendRanged } from './http-range';

const eventId = (req: FastifyRequest): number => {
  const raw = (req.params as { id?: string }).id ?? '';
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new ApiError(422, [{ loc: ['path', 'id'], msg: 'Expected a positive integer', type: 'int_parsing' }]);
  return Number(raw);
};

const TYPES: Record<EventMediaKind, string> = { clip: 'video/mp4', thumbnail: 'image/jpeg', sprite: 'image/jpeg' };

export const eventsRoutes =
  (events: EventsService, files: MediaFilesRepository): RestModule =>
  (app) => {
    for (const kind of ['clip', 'thumbnail', 'sprite'] as const) {
      app.route({
        method: ['GET', 'HEAD'],
        url: `/api/events/:id/${kind}`,
        ...media('events:read'),
        handler: (req, reply) => {
          const f = events.mediaPath(eventId(req), kind);
          return sendRanged(req, reply, f, TYPES[kind], (r) => files.read(f.path, r), { 'Cache-Control': 'private, no-cache' });
        },
      });
    }
    return [
      { method: 'GET', path: '/api/events/{id}/clip', tag: 'events', doc: 'The event clip (MP4, faststart). Accept-Ranges: bytes; Range bytes=a-b or bytes=-N gives 206, unsatisfiable 416.', produces: 'video/mp4' },
      { method: 'GET', path: '/api/events/{id}/thumbnail', tag: 'events', doc: 'Event thumbnail JPEG taken at its most significant frame.', produces: 'image/jpeg' },
      { method: 'GET', path: '/api/events/{id}/sprite', tag: 'events', doc: 'Hover-scrub sprite: 10 evenly spaced frames in one 1600×90 JPEG strip.', produces: 'image/jpeg' },
    ];
  };
