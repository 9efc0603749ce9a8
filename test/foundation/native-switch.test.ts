// Unit + integration tests of scripts/native.mjs (real: the installed better-sqlite3 binary, a child `node` probe, a temp node_modules tree).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { abiFromLoadError, cacheDir, detectInstalledAbi, ensure, layout, planSwitch } from '../../scripts/native.mjs';

const REAL = layout(resolve(import.meta.dirname, '..', '..'));
const NODE_ABI = Number(process.versions.modules);

describe('planSwitch (pure)', () => {
  it('does nothing when the binary already matches and is cached', () => {
    expect(planSwitch({ want: 115, current: 115, cached: [115] })).toEqual([]);
  });
  it('caches a matching binary that is not cached yet', () => {
    expect(planSwitch({ want: 115, current: 115, cached: [] })).toEqual(['save']);
  });
  it('saves the current build then restores the wanted one from the cache', () => {
    expect(planSwitch({ want: 150, current: 115, cached: [150] })).toEqual(['save', 'restore']);
    expect(planSwitch({ want: 115, current: 150, cached: [115, 150] })).toEqual(['restore']);
  });
  it('rebuilds when the wanted ABI was never built', () => {
    expect(planSwitch({ want: 150, current: 115, cached: [115] })).toEqual(['rebuild']);
    expect(planSwitch({ want: 150, current: 115, cached: [] })).toEqual(['save', 'rebuild']);
  });
  it('treats a missing or unreadable binary as unknown: restore if cached, else rebuild', () => {
    expect(planSwitch({ want: 115, current: null, cached: [115] })).toEqual(['restore']);
    expect(planSwitch({ want: 115, current: null, cached: [] })).toEqual(['rebuild']);
  });
});

describe('abiFromLoadError', () => {
  it('reads the ABI out of Node’s mismatch message', () => {
    const msg =
      "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 150. This version of Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling";
    expect(abiFromLoadError(msg)).toBe(150);
    expect(abiFromLoadError('Cannot find module')).toBeNull();
  });
});

describe('on a real tree', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A temp project whose node_modules holds a copy of the real better-sqlite3 package.json + binary and electron's abi file. */
  const fakeProject = () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-native-'));
    dirs.push(root);
    const p = layout(root);
    mkdirSync(dirname(p.binary), { recursive: true });
    copyFileSync(join(REAL.module, 'package.json'), join(p.module, 'package.json'));
    copyFileSync(REAL.binary, p.binary);
    mkdirSync(p.electron, { recursive: true });
    copyFileSync(join(REAL.electron, 'package.json'), join(p.electron, 'package.json'));
    copyFileSync(join(REAL.electron, 'abi_version'), join(p.electron, 'abi_version'));
    return p;
  };

  it('detects the ABI of the installed binary by loading it in a child node', () => {
    expect(detectInstalledAbi(REAL)).toBe(NODE_ABI);
  });

  it('reports null for a missing or garbage binary without a matching marker', () => {
    const p = fakeProject();
    writeFileSync(p.binary, 'not an ELF file');
    expect(detectInstalledAbi(p)).toBeNull();
    rmSync(p.binary);
    expect(detectInstalledAbi(p)).toBeNull();
  });

  it('caches the node build, then restores it by copy when the binary is gone or replaced', () => {
    const p = fakeProject();
    expect(ensure('node', p)).toEqual(['save']);
    const cached = join(cacheDir(p, NODE_ABI), 'better_sqlite3.node');
    expect(existsSync(cached)).toBe(true);
    expect(JSON.parse(readFileSync(p.marker, 'utf8'))).toMatchObject({ abi: NODE_ABI, target: 'node' });
    expect(ensure('node', p)).toEqual([]);

    writeFileSync(p.binary, 'clobbered by a foreign build');
    expect(ensure('node', p)).toEqual(['restore']);
    expect(detectInstalledAbi(p)).toBe(NODE_ABI);
    expect(readFileSync(p.binary).equals(readFileSync(REAL.binary))).toBe(true);
  });
});
