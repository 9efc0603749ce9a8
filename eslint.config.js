// Layers are enforced here, not by goodwill: shared/ imports nothing runtime, services import no drivers,
// the renderer imports no node or electron modules (only shared/ and its own code).
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream', 'worker_threads', 'url', 'util', 'events', 'module', 'zlib', 'dgram', 'tls', 'readline', 'process', 'buffer', 'timers'];
// Bare builtin names go in `paths` (exact module names): as gitignore-style `patterns` they would also match
// any relative path with a folder of that name (e.g. features/events).
const nodePaths = (message) => NODE_BUILTINS.map((name) => ({ name, message }));
const nodeAll = ['node:*'];
const DRIVERS = ['better-sqlite3', 'onnxruntime-node', 'fluent-ffmpeg', 'electron', 'fastify', '@fastify/*', 'usearch', 'pino', 'rotating-file-stream', 'node:child_process', 'node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:worker_threads'];
const DRIVER_PATHS = ['child_process', 'fs', 'fs/promises', 'net', 'http', 'worker_threads'].map((name) => ({ name, message: 'Services import no drivers.' }));

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
            { group: ['**/services/**', '**/repositories/**', '**/workers/**', '**/transport/**', '**/app/**'], message: 'shared/ is the bottom layer.' },
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
            { group: ['**/repositories/**', '**/workers/**'], allowTypeImports: true, message: 'Services may import repository/worker *types* only; the container injects implementations.' },
            { group: ['**/transport/**', '**/app/**'], message: 'Services sit below transport and app.' },
          ],
        },
      ],
    },
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
