// Layers are enforced here, not by goodwill, over every folder (test/lint-layers.test.ts proves each rule fires):
//   shared/        runtime-free contract, DTOs and the closed sets (SourceKind, CameraStatus, WorkerState); imports nothing
//                  but zod — no node, no drivers, no other layer.
//   ports/         the interfaces between layers that may not import each other (services ↔ workers, transport → workers).
//                  Types only (`import type`, no classes, functions, constants or enums); imports only shared/ and ports/.
//   repositories/  every side effect (sqlite, ffmpeg, onnx, fs, net); may import shared/ and ports/; never services,
//                  workers, transport or app.
//   workers/       camera and analysis workers: process hosts, so drivers and repositories are fine; they reach services
//                  only through ports/ (no services, transport or app).
//   services/      domain logic: no drivers; repository *types* only (app/ injects the implementations); no workers at all
//                  (the worker side is reached through ports/); nothing from transport or app.
//   transport/     IPC and REST: service and repository *types* only (app/ injects the instances); workers only through
//                  ports/; no sqlite/ffmpeg/onnx/process drivers; nothing from app.
//   app/, src-main/index.ts, src-main/server.ts   the composition root: may import anything.
//   src-preload/   sandboxed: electron and src-main/shared only.
//   src-renderer/  src-main/shared (and its own code) only; no node or electron.
// The rule for ports: an interface has one owner. A repository declares its own interface next to its implementation
// (consumers import its type). An interface between two layers that must not import each other lives in src-main/ports/,
// implemented on one side and consumed on the other; a class that implements a port (IngestBus, PushBus) lives in the
// layer that owns the behaviour, never in ports/. A closed set of values both sides name (a union) lives in shared/.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream', 'worker_threads', 'url', 'util', 'events', 'module', 'zlib', 'dgram', 'tls', 'readline', 'process', 'buffer', 'timers'];
// Bare builtin names go in `paths` (exact module names): as gitignore-style `patterns` they would also match
// any relative path with a folder of that name (e.g. features/events).
const nodePaths = (message) => NODE_BUILTINS.map((name) => ({ name, message }));
const nodeAll = ['node:*'];
const DRIVERS = ['better-sqlite3', 'onnxruntime-node', 'fluent-ffmpeg', 'sharp', 'electron', 'fastify', '@fastify/*', 'usearch', 'pino', 'rotating-file-stream', 'node:child_process', 'node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:worker_threads'];
const DRIVER_PATHS = ['child_process', 'fs', 'fs/promises', 'net', 'http', 'worker_threads'].map((name) => ({ name, message: 'Services import no drivers.' }));
// Storage, media, model and process drivers: only repositories and workers touch them.
const BACKEND_DRIVERS = ['better-sqlite3', 'onnxruntime-node', 'fluent-ffmpeg', 'sharp', 'usearch', 'node:child_process', 'node:worker_threads'];
// A layer folder, imported as the folder itself or anything inside it.
const layer = (...names) => names.flatMap((n) => [`**/${n}`, `**/${n}/**`]);
const restrict = (paths, patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'resources/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description', 'ts-expect-error': 'allow-with-description' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src-main/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodePaths('shared/ is runtime-free: no node modules.'),
          patterns: [
            { group: nodeAll, message: 'shared/ is runtime-free: no node modules.' },
            { group: ['electron', 'better-sqlite3', 'onnxruntime-node', 'fluent-ffmpeg', 'fastify', 'pino'], message: 'shared/ imports nothing runtime.' },
            { group: layer('services', 'repositories', 'workers', 'transport', 'app', 'ports'), message: 'shared/ is the bottom layer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/services/**/*.ts'],
    ignores: ['src-main/services/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: DRIVER_PATHS,
          patterns: [
            { group: DRIVERS, message: 'Services import no drivers: put the side effect behind a repository interface.' },
            { group: layer('repositories'), allowTypeImports: true, message: 'Services may import repository *types* only; the container injects implementations.' },
            { group: layer('workers'), message: 'Services reach workers only through src-main/ports/ (one owner per port), not even for types.' },
            { group: layer('transport', 'app'), message: 'Services sit below transport and app.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/ports/**/*.ts'],
    rules: {
      ...restrict(nodePaths('ports/ holds types only: no node modules.'), [
        { group: nodeAll, message: 'ports/ holds types only: no node modules.' },
        { group: layer('services', 'repositories', 'workers', 'transport', 'app'), message: 'ports/ sits between layers: it imports only shared/ and other ports.' },
      ]),
      // (allowTypeImports cannot express "types only": one matching pattern that allows types lets every type import through.)
      'no-restricted-syntax': [
        'error',
        ...["ImportDeclaration[importKind='value']", "ExportNamedDeclaration[source][exportKind='value']", "ExportAllDeclaration[exportKind='value']"].map((selector) => ({ selector, message: 'ports/ holds types only: use `import type` / `export type`.' })),
        ...['ClassDeclaration', 'FunctionDeclaration', 'VariableDeclaration', 'TSEnumDeclaration'].map((selector) => ({ selector, message: 'ports/ holds types only: put behaviour in the layer that owns it.' })),
      ],
    },
  },
  {
    files: ['src-main/repositories/**/*.ts'],
    rules: restrict([], [{ group: layer('services', 'workers', 'transport', 'app'), message: 'Repositories sit at the bottom with shared/: no services, workers, transport or app.' }]),
  },
  {
    files: ['src-main/workers/**/*.ts'],
    rules: restrict(
      [],
      [
        { group: layer('services'), message: 'Workers import ports, not services: put the interface both sides need in src-main/ports/.' },
        { group: layer('transport', 'app'), message: 'Workers sit below transport and app.' },
      ],
    ),
  },
  {
    files: ['src-main/transport/**/*.ts'],
    rules: restrict(
      ['child_process', 'worker_threads'].map((name) => ({ name, message: 'Transport reaches processes, storage and models through services.' })),
      [
        { group: BACKEND_DRIVERS, message: 'Transport reaches processes, storage and models through services.' },
        { group: layer('workers'), message: 'Transport reaches workers through src-main/ports/.' },
        { group: layer('services', 'repositories'), allowTypeImports: true, message: 'Transport imports service and repository *types* only; app/ injects the instances.' },
        { group: layer('app'), message: 'Transport sits below app/.' },
      ],
    ),
  },
  {
    files: ['src-preload/**/*.ts'],
    rules: restrict(
      [...nodePaths('The preload is sandboxed: electron and src-main/shared only.')],
      [
        { group: nodeAll, message: 'The preload is sandboxed: electron and src-main/shared only.' },
        { group: ['**/src-main/**', '!**/src-main/shared', '!**/src-main/shared/**', '**/src-renderer/**'], message: 'The preload imports only electron and src-main/shared.' },
        { group: BACKEND_DRIVERS.concat(['fastify', '@fastify/*', 'pino']), message: 'The preload imports only electron and src-main/shared.' },
      ],
    ),
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodePaths('The renderer has no node or electron access; use the contract client.'), { name: 'electron', message: 'The renderer has no node or electron access; use the contract client.' }],
          patterns: [
            { group: [...nodeAll, 'electron'], message: 'The renderer has no node or electron access; use the contract client.' },
            // gitignore-style: everything under src-main except shared/ (extglob `!(shared)` is not supported here and matched nothing).
            { group: ['**/src-main/**', '!**/src-main/shared', '!**/src-main/shared/**', '**/src-preload/**'], allowTypeImports: false, message: 'The renderer may import only src-main/shared.' },
          ],
        },
      ],
    },
  },
);
