// Boot in dependency order, stop in reverse. One readable function each.
import { isLoopback, type AppConfig } from './config';
import { buildContainer, type Container, type ContainerDeps } from './container';

export interface RunningApp {
  container: Container;
  url: string;
  loginUrl: string;
  stop: () => Promise<void>;
}

export class StartupError extends Error {}

export async function startApp(config: AppConfig, deps: ContainerDeps = {}): Promise<RunningApp> {
  const c = await buildContainer(config, deps);
  const log = c.log.child({ module: 'lifecycle' });
  const stopSteps: [string, () => Promise<void> | void][] = [];
  const stop = async () => {
    for (const [name, fn] of stopSteps.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.error({ err, step: name }, 'stop step failed');
      }
    }
    stopSteps.length = 0;
  };
  stopSteps.push(['log', () => c.closeLog()]);
  stopSteps.push(['database', () => void c.db.close()]);
  try {
    if (!isLoopback(config.host) && !c.settings.get().auth_required) {
      throw new StartupError(`refusing to bind to ${config.host}: auth_required is off. Turn it on before opening Vigil to the LAN.`);
    }
    if (!c.ffmpeg().path) log.warn('ffmpeg not found: cameras cannot run until it is installed or Vigil is started with --ffmpeg');
    c.health.start();
    stopSteps.push(['health', () => c.health.stop()]);
    // Recording: crash recovery runs before any camera worker writes; stop closes open events and flushes the index.
    await c.recording.recovery.run();
    c.recording.recorder.start();
    c.recording.retention.start();
    void c.recording.recovery.reconcile();
    stopSteps.push([
      'recording',
      async () => {
        c.recording.recovery.stop();
        c.recording.retention.stop();
        await c.recording.indexer.flush();
        await c.recording.recorder.stop(5000);
        c.recording.indexer.detach();
      },
    ]);
    // Analysis: the worker and its model load before cameras deliver frames (their analysis size depends on the model);
    // on stop it goes after the cameras, so no frame is left in flight.
    await c.engine.start();
    c.analysis.start(c.ingest);
    // Faces: the enrolled index is ready before recognition starts; captured samples index in the background.
    const indexing = c.faces.index.start().catch((err: unknown) => log.error({ err }, 'captured face index build failed'));
    c.faces.capture.start(c.ingest);
    c.identities.startPurge();
    // Maintenance merges unnamed identities that clearly match, every few minutes.
    const maintain = setInterval(() => void c.identities.capture.maintain(), 5 * 60_000);
    maintain.unref();
    stopSteps.push([
      'analysis',
      async () => {
        clearInterval(maintain);
        c.identities.stopPurge();
        c.faces.capture.stop();
        c.faces.recognition.stop();
        c.analysis.stop();
        await c.engine.stop();
        await c.identities.capture.idle();
        await c.faces.index.stop();
        await indexing;
      },
    ]);
    c.flex.webhooks.start();
    c.iot.start();
    await c.http.listen({ host: config.host, port: config.port });
    stopSteps.push(['http', () => c.http.close()]);
    const sweep = setInterval(() => c.auth.sweep(), 10 * 60_000);
    sweep.unref();
    stopSteps.push(['session sweep', () => clearInterval(sweep)]);
    // MQTT connects in the background (a missing broker never delays start-up); it stops after the cameras.
    c.mqtt.start();
    stopSteps.push(['mqtt', () => c.mqtt.stop()]);
    // Cameras start once HTTP listens (demo cameras seeded on a never-used database); stop runs first: workers before anything they feed.
    await c.cameras.start();
    stopSteps.push(['cameras', () => c.cameras.stop()]);
    // Timelapse captures from recorded segments; it stops before the cameras (a round in flight finishes first).
    c.stills.timelapse.start();
    stopSteps.push(['timelapse', () => c.stills.timelapse.stop()]);
    // Sensors arm once cameras run; on stop they release first, so their events close with the recorder.
    c.sensors.start();
    stopSteps.push(['sensors', () => c.sensors.stop()]);
    // A Pi /system/restart in flight (cameras and sensors stop and start) ends before those stop for good.
    stopSteps.push(['pi', () => c.pi.stop()]);
    // Pipelines read the cameras' live HLS: they stop first, then webhook deliveries in flight are awaited.
    stopSteps.push([
      'flex',
      async () => {
        await c.flex.pipelines.stopAll();
        await c.iot.stop();
        await c.flex.webhooks.stop();
      },
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  const hostForUrl = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${c.port()}/`;
  const loginUrl = `${url}login?token=${c.auth.createLoginLink()}`;
  log.info({ url, dataDir: config.dataDir }, 'Vigil started');
  return { container: c, url, loginUrl, stop };
}
