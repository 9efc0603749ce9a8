// Cameras-family handlers: each is one line onto the cameras service.
import type { Handlers } from '../../shared/contract';
import type { CamerasService } from '../../services/cameras/cameras.service';

type CameraOps = 'cameras.list' | 'cameras.create' | 'cameras.detectClasses' | 'cameras.probe' | 'cameras.get' | 'cameras.update' | 'cameras.delete' | 'cameras.status';

export const cameraHandlers = (s: { cameras: CamerasService }): Pick<Handlers, CameraOps> => ({
  'cameras.list': () => s.cameras.list(),
  'cameras.create': (input) => s.cameras.create(input),
  'cameras.detectClasses': () => s.cameras.detectClasses(),
  'cameras.probe': (input) => s.cameras.probe(input),
  'cameras.get': ({ id }) => s.cameras.get(id),
  'cameras.update': (input) => s.cameras.update(input),
  'cameras.delete': ({ id }) => s.cameras.delete(id),
  'cameras.status': ({ id }) => s.cameras.status(id),
});
