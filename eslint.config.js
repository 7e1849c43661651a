import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The UI draws; it never owns processes, emulators, storage, watchers or model calls (STYLE.md).
    files: ['src/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node-pty', '@xterm/headless', 'lowdb', 'chokidar', '@anthropic-ai/sdk'].map((name) => ({
            name,
            message: 'src/ui holds Ink components only; put this in src/terminal, src/workspace, src/store, src/context or src/agent.',
          })),
        },
      ],
    },
  },
  {
    // The session store and the shared context learn of agents through the workspace's domain
    // events (src/workspace/events.ts), never from the wire protocol; and the store does not reach
    // into the agent (the agent uses the store's search, not the other way round).
    files: ['src/store/**', 'src/context/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ipc/*'], message: 'Use the workspace domain events (src/workspace/events.ts), not the IPC protocol.' },
            { group: ['**/agent/*', '**/agent/**'], message: 'The store and the context do not depend on the built-in agent.' },
          ],
        },
      ],
    },
  },
  {
    // `import { z } from 'zod'` hands esbuild a namespace object it cannot tree-shake: every bundle
    // that used it carried zod's 40 locales and its JSON-schema code (~550 KB compiled at each start).
    files: ['src/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^zod/] > ImportSpecifier[imported.name='z']",
          message: "Import zod as a namespace (import * as z from 'zod'): the bundle then keeps only what is used.",
        },
      ],
    },
  },
  {
    // No console in library code: the screen belongs to the panes; log to the data folder instead.
    files: ['src/**'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
);
