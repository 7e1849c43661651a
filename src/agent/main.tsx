/**
 * The built-in agent as a process: it runs in its own pty pane like any agent, draws its chat with
 * Ink, reads keys raw, and reports to the workspace over the IPC channel when there is one.
 * Configuration comes from the environment the workspace sets (AGENTS_AGENT_*), the API key and
 * base URL as the SDK reads them (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL).
 */
import Anthropic from '@anthropic-ai/sdk';
import { loadTheme, noColorRequested } from '../config/theme.js';
import { IpcClient } from '../ipc/client.js';
import { InputTokenizer, type KeyEvent } from '../terminal/input.js';
import { Agent, type Approval, type Policy } from './agent.js';
import { ChatStore } from './ui/chat-store.js';
import { Awareness } from './awareness.js';
import { notesTools, type NotesPort } from './notes-tools.js';
import { boardTools, type BoardPort } from './board-tools.js';
import type { Hit } from '../store/search.js';
import { searchMemoryTool } from './tools/search-memory.js';
import type { NoteData } from '../ipc/protocol.js';
import { runCommand } from './ui/commands.js';
import { forApi } from './ui/replay.js';
import { withoutTrailingNewline } from './ui/ink-stdout.js';
import { loadChatUi } from './ui/load-ink.js';
import { codeCacheReady } from '../cli/code-cache.js';

export const DEFAULT_MODEL = 'claude-sonnet-5-5';

// Raw mode first: keys typed while the agent starts must not go through the tty's line editing
// (which would turn Enter into a newline and echo the text) before the prompt exists.
process.stdin.setRawMode?.(true);

const env = process.env;
const name = env.AGENTS_AGENT_NAME || 'agent';
const root = process.cwd();
const policy = (['ask', 'auto-edit', 'auto'].includes(env.AGENTS_AGENT_POLICY ?? '') ? env.AGENTS_AGENT_POLICY : 'auto-edit') as Policy;
const hasKey = Boolean(env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN);
const theme = loadTheme(env.AGENTS_THEME || 'dark', { noColor: noColorRequested(env) }).value ?? loadTheme('no-color', { noColor: true }).value!;

function systemPrompt(): string {
  const extra = env.AGENTS_AGENT_INSTRUCTIONS ? `\n\nInstructions for you from the person:\n${env.AGENTS_AGENT_INSTRUCTIONS}` : '';
  // No dates or other changing values here: the system prompt is part of the cached prefix.
  return (
    `You are "${name}", a coding agent working in the project folder ${root}. You run inside "agents", a terminal ` +
    `workspace where other agents may work on the same project at the same time, so keep changes focused and say ` +
    `what you changed. Use the tools to read, search, edit and run commands; paths are relative to the project ` +
    `folder. Be concise: short answers, markdown where it helps.${extra}`
  );
}

const awareness = new Awareness(root);
// The notes board lives in the workspace; read_notes is a request answered over the channel.
const ipcBox: { client?: IpcClient } = {};
let nextNotesRequest = 1;
const notesWaiting = new Map<number, (notes: NoteData[]) => void>();
const notesPort: NotesPort = {
  post: (text) => {
    if (!ipcBox.client?.connected) return false;
    ipcBox.client.send({ t: 'note', text });
    return true;
  },
  read: (since) =>
    new Promise((resolve) => {
      if (!ipcBox.client?.connected) return resolve(undefined);
      const id = nextNotesRequest++;
      const timer = setTimeout(() => {
        notesWaiting.delete(id);
        resolve(undefined);
      }, 5000);
      notesWaiting.set(id, (notes) => {
        clearTimeout(timer);
        resolve(notes);
      });
      ipcBox.client.send({ t: 'read_notes', id, since });
    }),
};

// search_memory: the workspace holds the index over every session of this project.
const searchWaiting = new Map<number, (hits: Hit[], available: boolean) => void>();
const searchPort = (query: string, limit: number): Promise<Hit[]> =>
  new Promise((resolve, reject) => {
    if (!ipcBox.client?.connected) return reject(new Error('session memory is not available: this agent runs outside a workspace'));
    const id = nextNotesRequest++;
    const timer = setTimeout(() => {
      searchWaiting.delete(id);
      reject(new Error('session memory did not answer in time'));
    }, 15_000);
    searchWaiting.set(id, (hits, available) => {
      clearTimeout(timer);
      if (available) resolve(hits);
      else reject(new Error('session memory is not available in this workspace (another agents holds the store)'));
    });
    ipcBox.client.send({ t: 'search', id, query, limit });
  });

// The task board: each tool call is a request the workspace answers (ask_human may wait long).
const boardWaiting = new Map<number, (r: { ok: boolean; text: string }) => void>();
/** A question of ours the person may answer right here instead of on the board. */
let asking: { id: number; question: string; choices?: string[] } | undefined;
const boardPort: BoardPort = {
  request: (request, sent) => {
    if (!ipcBox.client?.connected) return undefined;
    const id = nextNotesRequest++;
    const reply = new Promise<{ ok: boolean; text: string }>((resolve) => boardWaiting.set(id, resolve));
    ipcBox.client.send({ t: 'board', id, request });
    sent?.(id);
    return reply;
  },
  asking: (q) => {
    asking = q;
    if (q) store.say('notice', `⚑ question for you: ${q.question}${q.choices?.length ? ` (${q.choices.join(' / ')})` : ''}\nType your answer and press Enter (or answer on the task board, ctrl+a t).`);
    store.publish();
  },
};

const client = new Anthropic({ apiKey: env.ANTHROPIC_API_KEY ?? null, authToken: env.ANTHROPIC_AUTH_TOKEN ?? null, maxRetries: 2 });
const store = new ChatStore();
// The first line of the pane, before a resumed conversation is drawn under it.
store.say(
  'notice',
  hasKey
    ? `${name} is ready. Type an instruction and press Enter; /help lists commands.`
    : 'No ANTHROPIC_API_KEY is set, so this agent cannot reach a model. Set it and restart the pane (ctrl+a R), or run `agents --demo` for an offline tour.',
);
let approvalAnswer: ((a: Approval) => void) | undefined;

const agent = new Agent({
  client,
  model: env.AGENTS_AGENT_MODEL || DEFAULT_MODEL,
  system: systemPrompt(),
  root,
  policy,
  awareness,
  extraTools: [...notesTools(notesPort), searchMemoryTool(searchPort), ...boardTools(boardPort)],
  idleTimeoutMs: Number(env.AGENTS_AGENT_IDLE_MS) || undefined,
  retryBaseMs: Number(env.AGENTS_AGENT_RETRY_MS) || undefined,
  approve: (call, _id, signal) =>
    new Promise<Approval>((resolve) => {
      store.setApproval(call);
      approvalAnswer = resolve;
      // An interrupt cancels the question: the prompt goes, and keys type again.
      signal?.addEventListener('abort', () => {
        approvalAnswer = undefined;
        store.setApproval(undefined);
      });
    }),
});
agent.on('event', store.onEvent);

// The rest waits for the workspace's channel and for Ink. Not awaited at the top level: the agent
// runs as a CommonJS build from a V8 code cache (src/agent/start.ts), which cannot; a failure still
// ends the agent with its error, as an unhandled rejection.
async function run(): Promise<void> {
  const ipc = await IpcClient.fromEnv(env, { name, model: agent.model });
  ipcBox.client = ipc;
  agent.on('event', (e) => {
    if (e.type === 'status') ipc.send({ t: 'status', status: e.status, detail: e.detail });
    else if (e.type === 'wrote') ipc.send({ t: 'wrote', path: e.path, hash: e.hash });
    else if (e.type === 'turn_end') ipc.send({ t: 'turn', reason: e.reason });
    else if (e.type === 'delivered') ipc.send({ t: 'delivered', upTo: e.upTo });
    else if (e.type === 'read') ipc.send({ t: 'read', path: e.path });
    else if (e.type === 'tool_end' && e.result.isError) ipc.send({ t: 'tool_error', tool: e.name.slice(0, 100), summary: e.result.summary.slice(0, 500) });
    else if (e.type === 'history') ipc.sendHistory(e.start, store.forMemory(e.messages), e.reset);
    else if (e.type === 'usage') {
      const t = e.totals;
      ipc.send({ t: 'usage', usage: { input: t.input, output: t.output, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite, cost: t.cost, priced: t.priced, context: e.context, contextWindow: agent.contextWindow } });
    }
  });

  function send(text: string, how: 'typed' | 'redirect'): void {
    // Words typed while a question of ours waits are its answer, not a new instruction.
    if (asking && how === 'typed') {
      store.user(text, false);
      ipc.send({ t: 'answered', id: asking.id, text });
      return;
    }
    store.user(text, how === 'redirect');
    if (!hasKey) {
      store.say('error', 'No API key: set ANTHROPIC_API_KEY (export ANTHROPIC_API_KEY=sk-...) and restart this pane with ctrl+a R, or try `agents --demo`.');
      return;
    }
    void agent.send(text);
  }

  // The offline demo (`agents --demo`) talks to a local stand-in for the API: its model and costs are made up.
  const simulated = env.AGENTS_DEMO === '1';
  const command = (text: string) =>
    runCommand(text, {
      agent,
      store,
      simulated,
      quit,
      listModels: hasKey ? async () => (await client.models.list({ limit: 1000 }, { timeout: 3_000, maxRetries: 0 })).data : undefined,
    });

  function onKey(ev: KeyEvent): void {
    if (approvalAnswer && ev.kind === 'char' && !ev.mods.ctrl && !ev.mods.alt) {
      const a = ({ y: 'yes', n: 'no', a: 'always' } as const)[ev.char.toLowerCase() as 'y' | 'n' | 'a'];
      if (a) {
        approvalAnswer(a);
        approvalAnswer = undefined;
        store.setApproval(undefined);
      }
      return;
    }
    const ctrl = (c: string) => ev.kind === 'char' && ev.mods.ctrl && ev.char === c;
    if ((ev.kind === 'named' && ev.name === 'escape') || ctrl('c')) {
      if (agent.busy) agent.interrupt();
      else if (store.editor.text) store.editor.clear();
      store.publish();
      return;
    }
    if (ctrl('d') && !store.editor.text) return quit();
    if (ctrl('o')) return store.expandLast();
    const r = store.editor.key(ev);
    if (r.kind === 'submit' && !command(r.text)) send(r.text, 'typed');
    store.publish();
  }

  ipc.on('command', (m) => {
    if (m.t === 'interrupt') agent.interrupt();
    else if (m.t === 'redirect') send(m.text, 'redirect');
    else if (m.t === 'context') agent.deliverContext(m.text, m.upTo);
    else if (m.t === 'touched') awareness.touched(m.path, m.by, m.time);
    else if (m.t === 'conflict') store.say('notice', `⚠ ${m.path} was also changed by ${m.with} just now; check it before building on it.`);
    else if (m.t === 'restore') {
      agent.restore(forApi(m.messages), m.totals);
      store.replay(m.messages);
    } else if (m.t === 'search_results') {
      searchWaiting.get(m.id)?.(m.hits, m.available);
      searchWaiting.delete(m.id);
    } else if (m.t === 'notes') {
      notesWaiting.get(m.id)?.(m.notes);
      notesWaiting.delete(m.id);
    } else if (m.t === 'board_reply') {
      boardWaiting.get(m.id)?.({ ok: m.ok, text: m.text });
      boardWaiting.delete(m.id);
    } else if (m.t === 'claims') awareness.setClaims(m.claims, name);
  });

  const { render, ChatApp } = await loadChatUi(env);

  const app = () => (
    <ChatApp store={store} theme={theme} name={name} model={() => agent.model} contextWindow={() => agent.contextWindow} columns={process.stdout.columns || 80} simulated={simulated} />
  );
  // Ink's stdout without the blank row it keeps under the prompt (ink-stdout.ts).
  const draw = () => render(app(), { stdout: withoutTrailingNewline(process.stdout), exitOnCtrlC: false, patchConsole: true });
  let ink = draw();
  // A start without a code cache makes one for the next agent (src/cli/code-cache.ts).
  codeCacheReady();

  // When the pane changes width the terminal reflows what Ink drew, and Ink's erase-and-redraw no
  // longer lines up (residue of the live area). Redraw from scratch instead: clear the screen and the
  // scrollback and print the whole conversation again at the new width, as Claude Code does.
  let resizeTimer: NodeJS.Timeout | undefined;
  let lastColumns = process.stdout.columns;
  process.stdout.on('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (process.stdout.columns === lastColumns) return;
      lastColumns = process.stdout.columns;
      ink.unmount();
      process.stdout.write('\x1b[2J\x1b[3J\x1b[H');
      ink = draw();
    }, 80);
  });

  const tokenizer = new InputTokenizer();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => tokenizer.push(chunk).forEach(onKey));
  process.stdin.resume();

  function quit(): void {
    agent.interrupt();
    ink.unmount();
    ipc.close();
    process.exit(0);
  }
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.on(sig, quit);
  // The channel closed: the workspace is gone, and no agent outlives its workspace.
  ipc.onLost(quit);

  if (hasKey) {
    // The context window, when the API tells; the default stands otherwise.
    client.models
      .retrieve(agent.model, {}, { timeout: 10_000, maxRetries: 0 })
      .then((m) => {
        if (m.max_input_tokens) agent.contextWindow = m.max_input_tokens;
        store.publish();
      })
      .catch(() => {});
  }
}

void run();
