/**
 * The workspace's MCP server: Streamable HTTP on 127.0.0.1, so external agent CLIs (Claude Code,
 * Codex, Gemini CLI) in the panes can read the shared context, post notes and message each other.
 *
 * Stateless transport (a fresh McpServer and transport per POST, the SDK's documented pattern): the
 * only per-caller state, the read cursors, is keyed by the bearer token, so there is no session table
 * to expire and a client never gets "session not found" after a hiccup; GET (the optional standalone
 * SSE stream) and DELETE answer 405, which the spec allows and clients take as "no stream".
 *
 * The same server takes agent CLIs' hook events on POST /hook (src/hooks): the token names the pane
 * an event is about, so a CLI (or anything it runs with its token) can only ever report for its own
 * pane; the answer (a PreToolUse refusal, or `{}`) goes back in the response.
 *
 * Invariants:
 * - only requests whose Host is 127.0.0.1:PORT or localhost:PORT (DNS rebinding), whose Origin, if
 *   any, is a loopback one, and whose bearer token was issued by `tokenFor` reach the MCP layer or
 *   the hook endpoint;
 * - a token names exactly one agent for the life of the server and is never logged;
 * - `close()` drops open connections (keep-alive, SSE) first, so it always settles;
 * - what any local user can make the workspace hold is bounded, so panes can always start: at most
 *   `maxConnections` connections at once (more are closed as they arrive), and a request that has
 *   not finished its headers `headersTimeoutMs` after it began, or its body `requestTimeoutMs`
 *   after, is answered 408 and its connection closed. With the fd limit here (20,000: Node raises
 *   the soft limit to the hard one at start) the default cap of 128 leaves over 19,800 descriptors
 *   for panes; even at a 1,024 limit it leaves about 900. Refusals are logged at most every 5 s.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { makePrivateDir } from '../util/private-dir.js';
import { basename, join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { log, LogLimiter } from '../util/log.js';
import { HookInputError } from '../hooks/hook-event.js';
import { registerTools, type Caller, type McpHost } from './tools.js';

export type { McpAgentInfo, McpChange, McpHost, McpNote } from './tools.js';

export interface McpServerHandle {
  /** e.g. http://127.0.0.1:PORT/mcp */
  url: string;
  /** A bearer token for one agent (created on first call, stable after); requests carry it and so say who calls. */
  tokenFor(agent: string): string;
  /** Claude Code's per-run `--mcp-config` JSON for this agent. */
  claudeConfig(agent: string): string;
  /**
   * Writes `content` to a file only the user can read, in a folder removed at close, and returns its
   * path: per-run configs holding a token go there rather than on a command line any user can list.
   */
  privateFile(name: string, content: string): string;
  /**
   * What the tools reach. The server listens (and hands out its address and tokens to the panes'
   * programs) before the workspace it serves exists; until this is called, requests get 503.
   */
  serve(host: McpHost): void;
  close(): Promise<void>;
}

export interface McpLimits {
  /** Most connections open at once; more are closed as they arrive. */
  maxConnections: number;
  /** A request must have sent its headers this long after it began (its connection opened, or the previous request on it ended). */
  headersTimeoutMs: number;
  /** ...and its whole body this long after it began. */
  requestTimeoutMs: number;
  /**
   * How often those are checked (Node's default, 30 s, would let a slow client keep its socket that
   * much longer). Node's check is a timer that runs whether or not anything is connected, so it
   * wakes an idle workspace: 5 s, not 1 s (an idle server's CPU 0.11 -> ~0.05% on a machine where a
   * Node process pays ~0.5 ms of CPU for each wake-up, measured with a bare `setInterval`), and a
   * slow client is dropped 5-10 s after its request began.
   */
  checkIntervalMs: number;
}

/** Real clients send a request in one go (our largest is a 4,000-character message). */
export const DEFAULT_LIMITS: McpLimits = { maxConnections: 128, headersTimeoutMs: 5_000, requestTimeoutMs: 15_000, checkIntervalMs: 5_000 };

export interface McpServerOptions {
  host?: McpHost;
  /** 0 or absent: any free port. */
  port?: number;
  /** DEFAULT_LIMITS where absent (tests shorten the timeouts). */
  limits?: Partial<McpLimits>;
}

const PATH = '/mcp';
/** Our largest argument is a 4000-character message; anything near this is not a tool call. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Where agent CLIs' hooks report (src/hooks), with the same Host, Origin and token checks. */
export const HOOK_PATH = '/hook';
/** A hook event carries a tool's input, which can be a whole file being written. */
const MAX_HOOK_BYTES = 16 * 1024 * 1024;
const INSTRUCTIONS =
  'You are one of several AI agents working on the same project in the `agents` workspace, next to a person. ' +
  'read_changes and read_notes show what the others changed and said since you last looked; check them before ' +
  'editing files others may be working on. post_note tells everyone; send_message asks one agent to do something.';
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A JSON-RPC error body, as the SDK's own transport answers refusals. */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function loopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(u.hostname);
  } catch {
    return false; // includes the literal "null" origin of sandboxed pages
  }
}

async function loadSdk() {
  const [mcp, http, ajv] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/mcp.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/validation/ajv'),
  ]);
  const sdk = { McpServer: mcp.McpServer, StreamableHTTPServerTransport: http.StreamableHTTPServerTransport };
  return { sdk, validator: new ajv.AjvJsonSchemaValidator() };
}
type Sdk = Awaited<ReturnType<typeof loadSdk>>['sdk'];

class McpHttpServer implements McpServerHandle {
  url = '';
  private port = 0;
  private http: Server;
  private tokens = new Map<string, string>();
  /** Digests of issued tokens, so comparisons are constant-time and of equal length whatever is sent. */
  private callers: { digest: Buffer; caller: Caller }[] = [];
  private closed: Promise<void> | undefined;
  /** Created (0700, by mkdtemp) on the first private file. */
  private dir: string | undefined;
  private removeDir = () => {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  };
  /**
   * The SDK, loaded at the first request: it costs ~20 MB and ~150 ms to import, which a workspace
   * whose panes never speak MCP should not pay, and the first frame should not wait for. Every
   * McpServer builds its own Ajv unless handed one: sharing it halves a tool call (3.5 to 1.9 ms).
   */
  private sdk: Promise<{ sdk: Sdk; validator: AjvJsonSchemaValidator }> | undefined;

  private limiter = new LogLimiter();

  constructor(
    private host: McpHost | undefined,
    limits: McpLimits,
  ) {
    const options = { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs };
    this.http = createServer(options, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        log(`mcp: request failed: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) refuse(res, 500, 'Internal server error');
        else res.destroy();
      });
    });
    this.http.maxConnections = limits.maxConnections;
    this.http.on('drop', () => this.limiter.log('full', `mcp: a connection was refused: ${limits.maxConnections} are open`));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, '127.0.0.1', () => {
        this.http.off('error', reject);
        // A later server error (EMFILE on accept, say) must not take the workspace down with it.
        this.http.on('error', (err) => log(`mcp: server error: ${err.message}`));
        resolve();
      });
    });
    this.port = (this.http.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}${PATH}`;
  }

  tokenFor(agent: string): string {
    let token = this.tokens.get(agent);
    if (!token) {
      // Shaped like an API key, so the session store's scrubber redacts one wherever an agent copies it.
      token = `sk-agents-${randomBytes(32).toString('base64url')}`;
      this.tokens.set(agent, token);
      this.callers.push({ digest: digest(token), caller: { name: agent, cursors: { changes: 0, notes: 0 } } });
    }
    return token;
  }

  claudeConfig(agent: string): string {
    const server = { type: 'http', url: this.url, headers: { Authorization: `Bearer ${this.tokenFor(agent)}` } };
    return JSON.stringify({ mcpServers: { agents: server } });
  }

  privateFile(name: string, content: string): string {
    if (!this.dir) {
      this.dir = makePrivateDir('agents-mcp');
      // Gone with the process even when it never gets to close() (a crash exits at once).
      process.once('exit', this.removeDir);
    }
    const file = join(this.dir, basename(name));
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  serve(host: McpHost): void {
    this.host = host;
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
      this.removeDir();
      process.off('exit', this.removeDir);
    });
    return this.closed;
  }

  /** The caller a request's bearer token names; every issued token is compared, with no early exit. */
  private authenticate(req: IncomingMessage): Caller | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const sent = digest(m[1]);
    let found: Caller | undefined;
    for (const c of this.callers) if (timingSafeEqual(sent, c.digest)) found = c.caller;
    return found;
  }

  /**
   * A hook event from the CLI of the pane `agent` (its token said so): the workspace takes it in and
   * answers. Anything but a 200 lets the CLI go ahead (its hooks fail open), so bad input is 400.
   */
  private async hook(req: IncomingMessage, res: ServerResponse, agent: string, cli: string | null): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, 'Method not allowed: POST a hook event', { allow: 'POST' });
    const served = this.host;
    if (!served?.hook) return refuse(res, served ? 404 : 503, served ? 'Not found: hooks are not served here' : 'Service unavailable: the workspace is starting');
    const body = await readBody(req, MAX_HOOK_BYTES);
    if (!body) {
      log(`hooks: an event from ${agent} was over ${MAX_HOOK_BYTES} bytes; not read, so not checked`);
      return refuse(res, 413, `Payload too large: over ${MAX_HOOK_BYTES} bytes`);
    }
    let answer: object;
    try {
      answer = served.hook(agent, cli, JSON.parse(body.toString('utf8')));
    } catch (err) {
      if (!(err instanceof SyntaxError) && !(err instanceof HookInputError)) throw err;
      this.limiter.log('hook-input', `hooks: refused an event from ${agent}: ${err.message}`);
      return refuse(res, 400, `Bad request: ${err.message}`);
    }
    const text = JSON.stringify(answer);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) {
      this.limiter.log('host', 'mcp: refused a request with a foreign Host header');
      return refuse(res, 403, 'Forbidden: this server answers only 127.0.0.1 and localhost');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !loopbackOrigin(origin)) {
      this.limiter.log('origin', 'mcp: refused a request from a non-local Origin');
      return refuse(res, 403, 'Forbidden: cross-origin requests are not allowed');
    }
    const caller = this.authenticate(req);
    if (!caller) {
      this.limiter.log('token', 'mcp: refused a request without a valid bearer token');
      return refuse(res, 401, 'Unauthorized: a valid bearer token for this workspace is required', { 'www-authenticate': 'Bearer' });
    }
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === HOOK_PATH) return this.hook(req, res, caller.name, url.searchParams.get('cli'));
    if (url.pathname !== PATH) return refuse(res, 404, `Not found: the MCP endpoint is ${PATH}`);
    if (req.method !== 'POST') return refuse(res, 405, 'Method not allowed: this server is stateless; POST only', { allow: 'POST' });

    const served = this.host;
    if (!served) return refuse(res, 503, 'Service unavailable: the workspace is starting', { 'retry-after': '1' });
    this.sdk ??= loadSdk();
    const { sdk, validator } = await this.sdk;
    const server = new sdk.McpServer({ name: 'agents', version: '0.1.0' }, { instructions: INSTRUCTIONS, jsonSchemaValidator: validator });
    registerTools(server, served, caller);
    const transport = new sdk.StreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: MAX_BODY_BYTES });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }
}

/** Reads a request's body, up to `max` bytes; undefined past that. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startMcpServer(opts: McpServerOptions): Promise<McpServerHandle> {
  const server = new McpHttpServer(opts.host, { ...DEFAULT_LIMITS, ...opts.limits });
  await server.listen(opts.port ?? 0);
  return server;
}
