#!/usr/bin/env node
// Switches better-sqlite3's native binary between the Node ABI (tests, serve) and the Electron ABI (start, dist), caching one copy per ABI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where everything lives; tests point this at a temp tree. */
export function layout(root = ROOT) {
  const mod = join(root, 'node_modules', 'better-sqlite3');
  return {
    root,
    module: mod,
    binary: join(mod, 'build', 'Release', 'better_sqlite3.node'),
    cacheRoot: join(root, 'node_modules', '.vigil-native'),
    marker: join(root, 'node_modules', '.vigil-native', 'current.json'),
    electron: join(root, 'node_modules', 'electron'),
  };
}

/** Parses the ABI a binary was built for out of Node's load error, e.g. "compiled against ... NODE_MODULE_VERSION 150". */
export function abiFromLoadError(message) {
  const m = /NODE_MODULE_VERSION (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}

/**
 * The pure decision: given the wanted ABI, the ABI the installed binary has (null = missing/unknown)
 * and the ABIs already cached, returns the steps to take.
 * - `save`: copy the installed binary into the cache under its ABI, so switching back is a copy;
 * - `restore`: copy the cached binary for the wanted ABI into place;
 * - `rebuild`: compile for the wanted ABI (then `save` it).
 */
export function planSwitch({ want, current, cached }) {
  if (current === want) return cached.includes(want) ? [] : ['save'];
  const steps = [];
  if (current !== null && !cached.includes(current)) steps.push('save');
  steps.push(cached.includes(want) ? 'restore' : 'rebuild');
  return steps;
}

function moduleVersion(paths) {
  try {
    return JSON.parse(readFileSync(join(paths.module, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function cacheDir(paths, abi) {
  return join(paths.cacheRoot, `better-sqlite3@${moduleVersion(paths)}`, `abi-${abi}`);
}

export function cachedAbis(paths, candidates) {
  return candidates.filter((abi) => existsSync(join(cacheDir(paths, abi), 'better_sqlite3.node')));
}

function fingerprint(file) {
  const s = statSync(file);
  return { size: s.size, mtimeMs: Math.round(s.mtimeMs) };
}

/** The ABI the installed binary was built for: load it in a child `node`; fall back to the marker we wrote last time. */
export function detectInstalledAbi(paths, nodeBin = process.execPath) {
  if (!existsSync(paths.binary)) return null;
  const probe = spawnSync(nodeBin, ['-e', `require(${JSON.stringify(paths.binary)}); process.stdout.write(process.versions.modules)`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status === 0 && /^\d+$/.test(probe.stdout.trim())) return Number(probe.stdout.trim());
  const fromError = abiFromLoadError(`${probe.stderr}`);
  if (fromError !== null) return fromError;
  try {
    const marker = JSON.parse(readFileSync(paths.marker, 'utf8'));
    const fp = fingerprint(paths.binary);
    if (marker.size === fp.size && marker.mtimeMs === fp.mtimeMs && Number.isInteger(marker.abi)) return marker.abi;
  } catch {
    // no usable marker
  }
  return null;
}

function writeMarker(paths, abi, target) {
  mkdirSync(paths.cacheRoot, { recursive: true });
  writeFileSync(paths.marker, JSON.stringify({ abi, target, ...fingerprint(paths.binary) }, null, 2));
}

function atomicCopy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

export function electronInfo(paths) {
  const pkg = JSON.parse(readFileSync(join(paths.electron, 'package.json'), 'utf8'));
  const abi = Number(readFileSync(join(paths.electron, 'abi_version'), 'utf8').trim());
  if (!Number.isInteger(abi)) throw new Error('node_modules/electron/abi_version is unreadable');
  return { version: pkg.version, abi };
}

function electronBinaryPresent(paths) {
  const pathTxt = join(paths.electron, 'path.txt');
  if (!existsSync(pathTxt)) return false;
  return existsSync(join(paths.electron, 'dist', readFileSync(pathTxt, 'utf8').trim()));
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

function fail(message) {
  process.stderr.write(`\nnative: ${message}\n`);
  process.exit(1);
}

function rebuild(paths, target, electron) {
  if (target === 'node') {
    process.stdout.write('native: building better-sqlite3 for Node (node-gyp, a few minutes)…\n');
    if (!run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['rebuild', 'better-sqlite3'], paths.root)) {
      fail('`npm rebuild better-sqlite3` failed. A C++ toolchain and Python are needed (Debian: apt-get install build-essential python3).');
    }
    return;
  }
  process.stdout.write(`native: building better-sqlite3 for Electron ${electron.version} (ABI ${electron.abi})…\n`);
  const bin = join(paths.root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-rebuild.cmd' : 'electron-rebuild');
  const ok = existsSync(bin)
    ? run(bin, ['--force', '--only', 'better-sqlite3', '--version', electron.version], paths.root)
    : run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', '@electron/rebuild', '--force', '--only', 'better-sqlite3', '--version', electron.version], paths.root);
  if (!ok) {
    fail(
      `could not build better-sqlite3 for Electron ${electron.version}. This needs the Electron headers from https://electronjs.org/headers ` +
        '(internet access) and a C++ toolchain. The Node build is cached, so `npm test` / `npm run serve` still work.',
    );
  }
}

export function ensure(target, paths = layout()) {
  if (target !== 'node' && target !== 'electron') fail(`usage: node scripts/native.mjs node|electron (got ${String(target)})`);
  if (!existsSync(paths.module)) fail('node_modules/better-sqlite3 is missing; run `npm ci` first.');
  const electron = existsSync(join(paths.electron, 'package.json')) ? electronInfo(paths) : null;
  if (target === 'electron') {
    if (!electron) fail('node_modules/electron is missing; run `npm ci` first.');
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) {
      process.stderr.write(`native: note: Electron ${electron.version}'s installer and @electron/rebuild need Node >= 22.12 (this is ${process.versions.node}).\n`);
    }
    if (!electronBinaryPresent(paths)) {
      process.stdout.write(`native: downloading the Electron ${electron.version} binary (first run only)…\n`);
      if (!run(process.execPath, [join(paths.electron, 'install.js')], paths.root) || !electronBinaryPresent(paths)) {
        fail(`could not download the Electron ${electron.version} binary (needs internet access). Headless mode works without it: npm run serve.`);
      }
    }
  }
  const nodeAbi = Number(process.versions.modules);
  const want = target === 'node' ? nodeAbi : electron.abi;
  const current = detectInstalledAbi(paths);
  const candidates = [...new Set([nodeAbi, ...(electron ? [electron.abi] : []), ...(current !== null ? [current] : [])])];
  const steps = planSwitch({ want, current, cached: cachedAbis(paths, candidates) });
  for (const step of steps) {
    if (step === 'save') atomicCopy(paths.binary, join(cacheDir(paths, current), 'better_sqlite3.node'));
    if (step === 'restore') {
      atomicCopy(join(cacheDir(paths, want), 'better_sqlite3.node'), paths.binary);
      process.stdout.write(`native: better-sqlite3 switched to ABI ${want} (${target}) from the cache\n`);
    }
    if (step === 'rebuild') {
      rebuild(paths, target, electron);
      const built = detectInstalledAbi(paths);
      if (built !== want) fail(`better-sqlite3 was rebuilt but reports ABI ${String(built)}, expected ${want} (${target}).`);
      atomicCopy(paths.binary, join(cacheDir(paths, want), 'better_sqlite3.node'));
    }
  }
  writeMarker(paths, want, target);
  return steps;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  ensure(process.argv[2]);
}
