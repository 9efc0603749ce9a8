// Types for scripts/native.mjs so tests can import its decision logic.
export interface NativeLayout {
  root: string;
  module: string;
  binary: string;
  cacheRoot: string;
  marker: string;
  electron: string;
}
export type NativeStep = 'save' | 'restore' | 'rebuild';
export function layout(root?: string): NativeLayout;
export function abiFromLoadError(message: string): number | null;
export function planSwitch(input: { want: number; current: number | null; cached: number[] }): NativeStep[];
export function cacheDir(paths: NativeLayout, abi: number): string;
export function cachedAbis(paths: NativeLayout, candidates: number[]): number[];
export function detectInstalledAbi(paths: NativeLayout, nodeBin?: string): number | null;
export function electronInfo(paths: NativeLayout): { version: string; abi: number };
export function ensure(target: 'node' | 'electron', paths?: NativeLayout): NativeStep[];
