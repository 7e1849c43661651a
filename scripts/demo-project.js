// A small, believable project for the README screenshot: a git repository with a few source files,
// node:test tests, a coloured dev-server log and an agents.config.json naming the panes. Written
// into a temp folder by scripts/screenshot.js; nothing here is run against the real repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FILES = {
  'package.json': JSON.stringify(
    {
      name: 'acme-api',
      version: '0.3.0',
      private: true,
      type: 'module',
      scripts: { dev: 'node scripts/dev.js', test: 'node --test' },
    },
    null,
    2,
  ),
  'README.md': '# acme-api\n\nOrders and users for the Acme shop.\n',
  '.gitignore': 'node_modules/\n',
  'agents.config.json': JSON.stringify(
    {
      theme: 'dark',
      agents: [
        { name: 'shell', preset: 'shell' },
        { name: 'tests', command: 'node', args: ['--test', '--watch'] },
        { name: 'dev', command: 'node', args: ['scripts/dev.js'] },
      ],
    },
    null,
    2,
  ),
  'src/rate-limit.js': `// Fixed-window rate limiting, one counter per key.
export function rateLimit({ limit, windowMs }) {
  const hits = new Map();
  return (key, now = Date.now()) => {
    const h = hits.get(key) ?? { count: 0, start: now };
    if (now - h.start >= windowMs) Object.assign(h, { count: 0, start: now });
    h.count++;
    hits.set(key, h);
    return h.count <= limit;
  };
}
`,
  'src/server.js': `import { createServer } from 'node:http';
import { rateLimit } from './rate-limit.js';

const allow = rateLimit({ limit: 100 });
const greetings = { en: 'Hello', ja: 'こんにちは' };

export const server = createServer((req, res) => {
  if (!allow(req.socket.remoteAddress)) {
    res.writeHead(429, { 'retry-after': '60' });
    return res.end('Too many requests');
  }
  const lang = req.headers['accept-language']?.slice(0, 2);
  res.end(greetings[lang] ?? greetings.en);
});

server.listen(process.env.PORT ?? 3000);
`,
  'test/rate-limit.test.js': `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimit } from '../src/rate-limit.js';

describe('rateLimit', () => {
  test('allows requests under the limit', () => {
    const allow = rateLimit({ limit: 2, windowMs: 1000 });
    assert.ok(allow('a', 0) && allow('a', 1));
  });
  test('blocks the request over the limit', () => {
    const allow = rateLimit({ limit: 1, windowMs: 1000 });
    allow('a', 0);
    assert.equal(allow('a', 1), false);
  });
  test('resets after the window', () => {
    const allow = rateLimit({ limit: 1, windowMs: 1000 });
    allow('a', 0);
    assert.ok(allow('a', 1000));
  });
});
`,
  // A dev server's log: a build progress bar in 256 colours, then requests coming in. It ends in a
  // steady state (and keeps running) so the screenshot is taken of a finished frame.
  'scripts/dev.js': `const c256 = (n, s) => \`\\x1b[38;5;\${n}m\${s}\\x1b[39m\`;
const rgb = (r, g, b, s) => \`\\x1b[38;2;\${r};\${g};\${b}m\${s}\\x1b[39m\`;
const dim = (s) => \`\\x1b[2m\${s}\\x1b[22m\`;
const bold = (s) => \`\\x1b[1m\${s}\\x1b[22m\`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const time = () => dim(new Date().toTimeString().slice(0, 8));
const RAMP = [27, 33, 39, 45, 51, 50, 49, 48, 84, 120, 156, 192, 228, 222, 216, 210, 204, 198];
const WIDTH = 24;
const pad = (s, n) => s + ' '.repeat(Math.max(0, n - [...s].reduce((w, ch) => w + (ch.codePointAt(0) >= 0x2e80 ? 2 : 1), 0)));

process.stdout.write(\`\${bold(rgb(255, 135, 95, 'acme-api'))} \${dim('v0.3.0')}  dev server\\n\`);
for (let i = 0; i <= WIDTH; i++) {
  let bar = '';
  for (let j = 0; j < WIDTH; j++) bar += j < i ? c256(RAMP[Math.floor((j * RAMP.length) / WIDTH)], '█') : c256(238, '░');
  const pct = String(Math.round((i * 100) / WIDTH)).padStart(3);
  process.stdout.write(\`\\r building \${bar} \${pct}% \${dim(\`\${i * 2}/48 modules\`)}\`);
  await sleep(40);
}
process.stdout.write(\`\\n \${c256(42, '✓')} built in \${bold('0.98s')}\\n\`);
process.stdout.write(\` \${c256(42, '➜')} \${bold('Local:')}  \${c256(45, '\\x1b[4mhttp://localhost:3000/\\x1b[24m')}\\n\\n\`);

const METHOD = { GET: 75, POST: 141, DELETE: 203 };
const requests = [
  ['GET', '/api/users', 200, 12],
  ['POST', '/api/login', 200, 48],
  ['GET', '/api/orders?page=2', 200, 31],
  ['GET', '/hello?lang=日本語', 200, 2],
  ['GET', '/api/orders/9', 404, 3],
  ['POST', '/api/orders', 429, 1],
];
for (const [method, path, status, ms] of requests) {
  await sleep(120);
  const s = status >= 500 ? c256(196, status) : status >= 400 ? c256(status === 429 ? 203 : 214, status) : c256(114, status);
  const t = ms > 40 ? c256(214, \`\${ms}ms\`) : dim(\`\${ms}ms\`);
  process.stdout.write(\`\${time()} \${c256(METHOD[method], method.padEnd(4))} \${pad(path, 20)} \${s} \${t}\\n\`);
}
await sleep(120);
process.stdout.write(\`\${dim('watching for changes…')}\\n\`);
setInterval(() => {}, 60_000);
`,
};

// The same commits every run, with fixed dates, so the hashes in the picture do not change.
const COMMITS = [
  { message: 'Initial commit: users and orders API', date: '2025-03-03T09:12:00Z', files: ['package.json', 'README.md', '.gitignore', 'src/server.js'] },
  { message: 'Add fixed-window rate limiting', date: '2025-03-04T14:40:00Z', files: ['src/rate-limit.js', 'test/rate-limit.test.js'] },
  { message: 'Dev server with build progress', date: '2025-03-05T10:05:00Z', files: ['scripts/dev.js', 'agents.config.json'] },
];

/**
 * Writes the project into `dir` (which must exist) and makes its git history; leaves one file
 * modified and one untracked so `git status` has something to say.
 */
export function makeDemoProject(dir) {
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text.endsWith('\n') ? text : `${text}\n`);
  }
  const who = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' };
  const git = (args, env = {}) =>
    execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, ...who, GIT_CONFIG_GLOBAL: '/dev/null', ...env } });
  git(['init', '-q', '-b', 'main']);
  for (const c of COMMITS) {
    git(['add', ...c.files]);
    git(['commit', '-q', '-m', c.message], { GIT_AUTHOR_DATE: c.date, GIT_COMMITTER_DATE: c.date });
  }
  writeFileSync(join(dir, 'src/rate-limit.js'), FILES['src/rate-limit.js'].replace('limit, windowMs }', 'limit, windowMs = 60_000 }'));
  writeFileSync(join(dir, 'src/cache.js'), 'export const cache = new Map();\n');
}

/** Dotfiles for the temp HOME: a coloured prompt, `ls` in colour, vim with syntax highlighting. */
export function makeHome(home) {
  writeFileSync(
    join(home, '.bashrc'),
    [
      "PS1='\\[\\e[1;32m\\]ada@laptop\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]$ '",
      "alias ls='ls --color=auto'",
      'HISTFILE=',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(home, '.vimrc'),
    [
      'source $VIMRUNTIME/defaults.vim',
      'set number laststatus=2 noswapfile viminfo= background=dark termguicolors',
      'colorscheme habamax',
      '',
    ].join('\n'),
  );
}
