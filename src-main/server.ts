// Headless entry (`npm run serve`): the same core as the desktop app, serving the REST API and the built UI.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfig, USAGE } from './app/config';
import { startApp, StartupError } from './app/lifecycle';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const config = parseConfig(argv, process.env, {
    resourcesDir: join(here, '..', '..', 'resources'),
    rendererDir: join(here, '..', 'renderer'),
    electron: null,
  });
  const app = await startApp(config);
  process.stdout.write(
    `\n  Vigil is running at ${app.url}\n  Open this one-time login link:\n\n    ${app.loginUrl}\n\n  or log in with the API key (System → API key, or VIGIL_API_KEY).\n  Data: ${config.dataDir}\n\n`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.container.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void app.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StartupError) {
    process.stderr.write(`vigil: ${err.message}\n${err instanceof ConfigError ? USAGE + '\n' : ''}`);
    process.exit(2);
  }
  const e = err as { code?: string; message?: string };
  if (e.code === 'EADDRINUSE') {
    process.stderr.write(`vigil: the port is already in use (${e.message}). Pick another with --port.\n`);
    process.exit(2);
  }
  process.stderr.write(`vigil: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
