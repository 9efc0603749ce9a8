// Cameras-family handlers (placeholder until the cameras service lands: every op answers 501).
import type { Handlers } from '../../shared/contract';
import { ApiError } from '../../shared/errors';

type CameraOps = 'cameras.list' | 'cameras.create' | 'cameras.detectClasses' | 'cameras.probe' | 'cameras.get' | 'cameras.update' | 'cameras.delete' | 'cameras.status' | 'live.recordStart' | 'live.recordStop';

const pending = () => {
  throw new ApiError(501, 'Not implemented yet');
};

export const cameraHandlers = (): Pick<Handlers, CameraOps> => ({
  'cameras.list': pending,
  'cameras.create': pending,
  'cameras.detectClasses': pending,
  'cameras.probe': pending,
  'cameras.get': pending,
  'cameras.update': pending,
  'cameras.delete': pending,
  'cameras.status': pending,
  'live.recordStart': pending,
  'live.recordStop': pending,
});
