// Stand-in `electron` for the shell smoke test: records BrowserWindow options and ipcMain channels as `@@stub {json}` lines on stdout,
// and takes commands on stdin: `invoke <id> <channel> <json>` calls a registered handler, `quit` runs the real quit sequence.
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

const report = (msg) => process.stdout.write(`@@stub ${JSON.stringify(msg)}\n`);
const handlers = new Map();

// A packaged app (the packaging test): Electron sets process.resourcesPath to the package's resources folder.
const packaged = process.env.VIGIL_STUB_RESOURCES ?? null;
if (packaged) process.resourcesPath = packaged;

class StubApp extends EventEmitter {
  isPackaged = packaged !== null;
  #ready = Promise.resolve();
  whenReady() {
    return this.#ready;
  }
  getPath(name) {
    return process.env.VIGIL_STUB_USER_DATA ?? `/nonexistent/${name}`;
  }
  quit() {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    report({ type: 'before-quit', prevented });
    if (prevented) return;
    this.emit('will-quit', { preventDefault: () => undefined });
    this.exit(0);
  }
  exit(code = 0) {
    report({ type: 'exit', code });
    process.exit(code);
  }
}

export const app = new StubApp();

class WebContents extends EventEmitter {
  windowOpenHandler = null;
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
  send(channel) {
    report({ type: 'send', channel });
  }
  isDestroyed() {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    BrowserWindow.all.push(this);
    report({ type: 'window', options });
  }
  loadFile(file) {
    report({ type: 'loadFile', file });
    return Promise.resolve();
  }
  loadURL(url) {
    report({ type: 'loadURL', url });
    return Promise.resolve();
  }
}

export const ipcMain = {
  handle(channel, fn) {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, fn);
    report({ type: 'handle', channel });
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
};

/** Reversible stand-in for the OS keychain; only the shape matters here. */
export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from(`stub:${plain}`, 'utf8'),
  decryptString: (enc) => enc.toString('utf8').replace(/^stub:/, ''),
};

export const shell = {
  openExternal: (url) => {
    report({ type: 'openExternal', url });
    return Promise.resolve();
  },
};

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, id, channel, ...rest] = line.split(' ');
  if (cmd === 'quit') {
    app.quit();
    return;
  }
  if (cmd === 'open-window') {
    const wc = BrowserWindow.all[0]?.webContents;
    report({ type: 'open-window-result', id, result: wc?.windowOpenHandler?.({ url: channel }) ?? null });
    return;
  }
  if (cmd === 'invoke') {
    const fn = handlers.get(channel);
    if (!fn) {
      report({ type: 'invoke-result', id, missing: true });
      return;
    }
    Promise.resolve(fn({ sender: null }, JSON.parse(rest.join(' ') || '{}'))).then(
      (result) => report({ type: 'invoke-result', id, result }),
      (err) => report({ type: 'invoke-result', id, error: String(err) }),
    );
  }
});
