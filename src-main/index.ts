// Electron shell only: window + preload, IPC from the contract, and start/stop of the same core `npm run serve` runs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, safeStorage, shell } from 'electron';
import { parseConfig, vigilArgs } from './app/config';
import { startApp, type RunningApp } from './app/lifecycle';
import { forwardPush, registerIpc } from './transport/ipc/ipc';
import { safeStorageKeyProvider } from './repositories/safe-storage-key';

const here = dirname(fileURLToPath(import.meta.url));
let running: RunningApp | null = null;
let win: BrowserWindow | null = null;

/** The UI is served by the embedded server, so media (MJPEG, HLS via XHR, clips) is same-origin: no CORS, no file:// origin. */
function createWindow(uiUrl: string): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#0d1117',
    title: 'Vigil',
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  w.webContents.on('will-navigate', (e) => e.preventDefault());
  void w.loadURL(process.env.ELECTRON_RENDERER_URL ?? uiUrl);
  return w;
}

async function boot(): Promise<void> {
  const known = vigilArgs(process.argv.slice(1));
  const config = parseConfig(known, process.env, {
    resourcesDir: app.isPackaged ? process.resourcesPath : join(here, '..', '..', 'resources'),
    rendererDir: join(here, '..', 'renderer'),
    electron: process.versions.electron ?? null,
  });
  if (!known.some((a) => a.startsWith('--data-dir')) && !process.env.VIGIL_DATA_DIR) {
    config.dataDir = app.getPath('userData');
    if (!known.some((a) => a.startsWith('--media-dir')) && !process.env.VIGIL_MEDIA_DIRS) config.mediaDirs = [join(config.dataDir, 'media')];
  }
  try {
    running = await startApp(config, { keyProvider: safeStorageKeyProvider(safeStorage) });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    running = await startApp({ ...config, port: 0 }, { keyProvider: safeStorageKeyProvider(safeStorage) });
  }
  const core = running;
  registerIpc(ipcMain, core.container.dispatcher, core.container.log.child({ module: 'ipc' }));
  forwardPush(core.container.bus, () => win?.webContents ?? null);
  win = createWindow(core.url);
  win.on('closed', () => (win = null));
}

app
  .whenReady()
  .then(boot)
  .catch((err: unknown) => {
    process.stderr.write(`vigil: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    app.exit(1);
  });

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !running) return;
  e.preventDefault();
  quitting = true;
  void running.stop().finally(() => app.quit());
});
