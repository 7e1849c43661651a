// The MCP server in a process of its own, run by limits.test.ts under a low descriptor limit
// (`ulimit -n`), so a test can exhaust what the server may hold without touching the test runner.
// It speaks JSON lines: it prints {url, token} once listening, then answers `fds` (descriptors it
// holds), `spawn` (can it still start a program in a pty?) and `quit`.
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';

const dist = new URL('../../dist/', import.meta.url);
const { startMcpServer } = await import(new URL('mcp/server.js', dist).href);
const { spawnNodePty } = await import(new URL('terminal/pty.js', dist).href);

const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const host = {
  changes: () => ({ changes: [], next: 0, more: false }),
  notes: () => [],
  postNote: (author, text) => ({ id: 1, time: Date.now(), author, text }),
  agents: () => [{ name: 'claude', preset: 'claude', status: 'idle', guessed: false, focused: true }],
  sendMessage: async () => ({ ok: true, detail: 'delivered' }),
};
const server = await startMcpServer({ host, limits: JSON.parse(process.argv[2] ?? '{}') });
say({ url: server.url, token: server.tokenFor('claude') });

function spawn() {
  try {
    const p = spawnNodePty({ command: '/bin/sh', args: ['-c', 'echo spawned'], cwd: '/', env: { PATH: process.env.PATH ?? '' }, cols: 80, rows: 24 });
    let out = '';
    p.onData((d) => (out += d));
    p.onExit(() => say({ spawn: out.includes('spawned') ? 'ok' : `no output: ${out}` }));
  } catch (e) {
    say({ spawn: `failed: ${e instanceof Error ? e.message : String(e)}` });
  }
}

createInterface({ input: process.stdin }).on('line', (cmd) => {
  if (cmd === 'fds') {
    try {
      say({ fds: readdirSync('/proc/self/fd').length });
    } catch (e) {
      say({ fds: `failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  else if (cmd === 'spawn') spawn();
  else if (cmd === 'quit') server.close().then(() => process.exit(0));
});
