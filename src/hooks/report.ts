/**
 * The command a CLI's command hooks run (Codex; `node report.js <cli>`), once per event: it forwards
 * the event's JSON from stdin to the workspace that started the pane and, for a PreToolUse, prints
 * the workspace's answer (allow, or deny with the message the model sees) on stdout.
 *
 * The channel is the workspace's MCP HTTP server (POST /hook on 127.0.0.1), which checks the Host and
 * the pane's bearer token from the environment (AGENTS_MCP_URL, AGENTS_MCP_TOKEN): the token says
 * which pane is speaking, so an event can only ever concern the pane it came from.
 *
 * It fails open: when the workspace cannot be reached, answers late or wrongly, the program prints
 * nothing and exits 0, so the CLI goes ahead as if it had no hook, and the failure is written to the
 * workspace's log. Claims are coordination between agents, not a security boundary (a shell command
 * can write anywhere), and a pane whose workspace is gone has no claims to keep; blocking every tool
 * call then would leave the agent unable to work.
 *
 * Started per event, so it stays small: node:http only (the log is imported only on failure).
 */
import { request } from 'node:http';

/** How long the workspace gets to answer; the CLI's own timeout for the hook is longer. */
const ANSWER_MS = 4000;
/** A tool call's input can be a whole file; more than this is not sent (and the call goes ahead). */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    process.stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_INPUT_BYTES) chunks.push(c);
    });
    process.stdin.on('end', () => (size > MAX_INPUT_BYTES ? reject(new Error(`the event is over ${MAX_INPUT_BYTES} bytes`)) : resolve(Buffer.concat(chunks))));
    process.stdin.on('error', reject);
  });
}

function post(url: URL, token: string, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` }, timeout: ANSWER_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(text);
          else reject(new Error(`the workspace answered ${res.statusCode}: ${text.slice(0, 200)}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const cli = process.argv[2] ?? '';
  const base = process.env.AGENTS_MCP_URL;
  const token = process.env.AGENTS_MCP_TOKEN;
  if (!base || !token) throw new Error('AGENTS_MCP_URL and AGENTS_MCP_TOKEN are not set: not started by a workspace');
  const url = new URL('/hook', base);
  url.searchParams.set('cli', cli);
  const answer = await post(url, token, await readStdin());
  // Only a decision goes to the CLI's stdout: an empty answer means "no opinion" (allow).
  const parsed: unknown = JSON.parse(answer);
  if (parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0) process.stdout.write(JSON.stringify(parsed));
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    try {
      const { log } = await import('../util/log.js');
      log(`hook (${process.argv[2] ?? '?'}) not reported, the call went ahead: ${why}`);
    } catch {
      // Nowhere to say it.
    }
    process.stderr.write(`agents: the workspace did not answer this hook (${why}); going ahead\n`);
    process.exit(0);
  },
);
