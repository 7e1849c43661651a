/**
 * The built-in agent's loop on `messages.stream()`: one turn = requests and tool runs until the
 * model stops asking for tools. It owns the conversation; the UI and the workspace only see events.
 *
 * Invariants:
 * - one AbortController per request; `interrupt()` aborts the request, a running tool or a pending
 *   approval, and the turn settles with the history valid for the next request (conversation.ts);
 * - a response that stalls (no stream event for `idleTimeoutMs` after its headers) or breaks mid-way
 *   is retried as a whole, up to `streamRetries` times with backoff; errors and timeouts before the
 *   response starts are the SDK's to retry; after that the turn ends with an error that says what
 *   to do. The agent never throws: send() and compact() failures are events;
 * - at most one turn runs at a time; `send()` while one runs interrupts it first (a redirect).
 */
import { EventEmitter } from 'node:events';
import type Anthropic from '@anthropic-ai/sdk';
import { appendUser, estimateTokens, INTERRUPTED, repairHistory, settleInterrupted, withCacheBreakpoint, type Block, type Msg } from './conversation.js';
import { classify } from './errors.js';
import { costOf, type UsageCounts } from './prices.js';
import { describeCall } from './tools/index.js';
import { ToolBelt } from './toolbelt.js';
import { compactHistory, type CompactionResult } from './compaction.js';

export type { Policy, AgentStatus, Approval, Totals, AgentEvent, AgentOptions } from './agent-types.js';
import type { AgentEvent, AgentOptions, AgentStatus, Approval, Totals } from './agent-types.js';

export class Agent extends EventEmitter<{ event: [AgentEvent] }> {
  history: Msg[] = [];
  /** How much of `history` (this very array) was last reported in a 'history' event. */
  private reported = { array: undefined as Msg[] | undefined, count: 0 };
  model: string;
  status: AgentStatus = 'idle';
  totals: Totals = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, priced: true, turns: 0 };
  /** Prompt tokens of the latest request: how full the context window is. */
  contextTokens = 0;
  contextWindow: number;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private interrupted = false;
  private alwaysExec = false;
  /** The latest undelivered context block (each replaces the last) and the feed id it covers. */
  private pendingContext: { text: string; upTo?: number } | undefined;
  private deliveredUpTo = -1;
  private tools: ToolBelt;
  /** clear() during a turn: forget the history once that turn has settled, not while it writes to it. */
  private clearWhenSettled = false;

  constructor(private o: AgentOptions) {
    super();
    this.tools = new ToolBelt(o.root, o.extraTools ?? [], o.awareness);
    this.model = o.model;
    this.contextWindow = o.contextWindow ?? 200_000;
  }

  private emitEvent(e: AgentEvent): void {
    this.emit('event', e);
  }

  private setStatus(status: AgentStatus, detail?: string): void {
    this.status = status;
    this.emitEvent({ type: 'status', status, detail });
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Context for the next turn (changes by others, notes), appended to the end of its user message.
   * Each block replaces the previous undelivered one: the workspace always sends the whole backlog.
   */
  deliverContext(text: string, upTo?: number): void {
    // A block pushed before the workspace heard of our last delivery covers nothing new: ignore it
    // (a fresh one follows), so no entry reaches the model twice.
    if (upTo !== undefined && upTo <= this.deliveredUpTo) return;
    this.pendingContext = text ? { text, upTo } : undefined;
  }

  /** Starts a turn with this instruction; a running turn is interrupted first. Resolves when it ends. */
  async send(text: string): Promise<void> {
    // A loop, not an if: two sends during one turn must not start two turns side by side.
    while (this.running) {
      this.interrupt();
      await this.running;
    }
    const blocks: Block[] = [{ type: 'text', text }];
    // New information goes at the end of the new message, never into earlier ones (cacheable prefix).
    const context = this.pendingContext;
    this.pendingContext = undefined;
    if (context) blocks.push({ type: 'text', text: context.text });
    appendUser(this.history, blocks);
    this.checkpoint();
    if (context?.upTo !== undefined) {
      this.deliveredUpTo = Math.max(this.deliveredUpTo, context.upTo);
      this.emitEvent({ type: 'delivered', upTo: context.upTo });
    }
    this.interrupted = false;
    this.running = this.turn().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  interrupt(): void {
    if (!this.running) return;
    this.interrupted = true;
    this.controller?.abort();
  }

  /**
   * Reports what changed in the history since the last report. Only the newest message can change
   * in place (a user message waiting to be sent gains blocks), so it is reported again; a new array
   * (compaction, clear, restore) is reported whole.
   */
  private checkpoint(): void {
    const h = this.history;
    if (this.reported.array !== h) {
      this.reported = { array: h, count: h.length };
      this.emitEvent({ type: 'history', start: 0, messages: h.slice(), reset: true });
      return;
    }
    let start = Math.min(this.reported.count, h.length);
    if (start > 0 && h[start - 1].role === 'user') start--;
    this.reported.count = h.length;
    if (start < h.length) this.emitEvent({ type: 'history', start, messages: h.slice(start) });
  }

  /**
   * A conversation from session memory: the next request continues it. It is repaired first (a
   * workspace killed during a tool call stored the call without its result, which the API refuses
   * on every later request); a repaired history is stored whole again at the next checkpoint.
   */
  restore(messages: readonly unknown[], totals?: Partial<Totals>): void {
    if (this.running) return;
    const { history, repairs } = repairHistory(messages);
    this.history = history;
    this.reported = repairs.length > 0 ? { array: undefined, count: 0 } : { array: history, count: history.length };
    if (repairs.length > 0) this.emitEvent({ type: 'notice', text: `the restored conversation was repaired: ${repairs.join('; ')}` });
    if (totals) this.totals = { ...this.totals, ...totals };
    this.contextTokens = estimateTokens(history);
    this.emitEvent({ type: 'usage', usage: { input_tokens: 0, output_tokens: 0 }, cost: 0, totals: { ...this.totals }, context: this.contextTokens });
  }

  clear(): void {
    if (this.running) {
      // The interrupted turn still settles its history (partial answer, error results); reset after.
      this.clearWhenSettled = true;
      this.interrupt();
      return;
    }
    this.history = [];
    this.contextTokens = 0;
    this.checkpoint();
  }

  setModel(model: string): void {
    this.model = model;
  }

  /**
   * Compaction on request (/compact): clears old tool results and summarises older turns now. Runs
   * like a turn (busy, interruptible, send() waits for it); a failure is an error event.
   */
  async compact(reason = 'on request'): Promise<CompactionResult | undefined> {
    if (this.running) return undefined;
    let out: CompactionResult | undefined;
    this.interrupted = false;
    const controller = (this.controller = new AbortController());
    this.running = (async () => {
      this.setStatus('thinking', 'compacting');
      try {
        // On request the person wants a summary, whatever the size: target 0, keep the last exchange.
        const result = await compactHistory(this.history, {
          client: this.o.client,
          model: this.model,
          targetTokens: 0,
          summarise: true,
          keepRecent: 2,
          signal: controller.signal,
        });
        this.countUsage(result.usage, false);
        if (!this.interrupted) {
          this.history = result.history;
          this.checkpoint();
          this.contextTokens = estimateTokens(this.history);
          out = { ...result, reason };
          this.emitEvent({ type: 'compacted', result: out });
        }
      } catch (err) {
        if (!this.interrupted) this.emitEvent({ type: 'error', text: `compaction failed: ${classify(err, { started: false, stalled: false }).message}` });
      } finally {
        this.settleClear();
        this.setStatus('idle');
      }
    })().finally(() => {
      this.running = undefined;
    });
    await this.running;
    return out;
  }

  private settleClear(): void {
    if (!this.clearWhenSettled) return;
    this.clearWhenSettled = false;
    this.history = [];
    this.contextTokens = 0;
  }

  private threshold(): number {
    return this.contextWindow * (this.o.compactAt ?? 0.8);
  }

  /**
   * Compaction near the context limit, inside a turn. Interruptible; a failure is a notice, not the
   * end of the turn (the request may still fit). Returns false when the turn was interrupted.
   */
  private async autoCompact(): Promise<boolean> {
    const controller = (this.controller = new AbortController());
    const options = { client: this.o.client, model: this.model, targetTokens: this.threshold() / 2, signal: controller.signal };
    const apply = (result: CompactionResult) => {
      this.countUsage(result.usage, false);
      if (result.clearedResults === 0 && !result.summarised) return;
      this.history = result.history;
      this.checkpoint();
      this.emitEvent({ type: 'compacted', result: { ...result, reason: 'near the context limit' } });
    };
    try {
      apply(await compactHistory(this.history, { ...options, summarise: true }));
    } catch (err) {
      if (this.interrupted) return false;
      this.emitEvent({ type: 'notice', text: `compaction failed (${classify(err, { started: false, stalled: false }).message}); continuing with old tool results cleared only` });
      // The summary failed; the cheap step needs no model call and still helps.
      apply(await compactHistory(this.history, { ...options, summarise: false }));
    }
    return !this.interrupted;
  }

  private async turn(): Promise<void> {
    let reason: 'done' | 'interrupted' | 'error' = 'done';
    try {
      for (;;) {
        if (this.contextTokens > this.threshold() && !(await this.autoCompact())) {
          reason = 'interrupted';
          return;
        }
        const response = await this.request();
        if (response === 'interrupted') {
          reason = 'interrupted';
          return;
        }
        if (response === 'error') {
          reason = 'error';
          return;
        }
        this.history.push({ role: 'assistant', content: response.content as Block[] });
        this.checkpoint();
        const calls = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        if (response.stop_reason !== 'tool_use' || calls.length === 0) return;
        const results = await this.runTools(calls);
        appendUser(this.history, results);
        this.checkpoint();
        if (this.interrupted) {
          reason = 'interrupted';
          return;
        }
      }
    } catch (err) {
      // Nothing here should throw (tools and API errors are results); if something does (an approve
      // callback that rejects, say), the turn ends with an error instead of rejecting send(), and
      // tool calls left unanswered get error results so the next request stays valid.
      reason = 'error';
      this.answerOpenToolCalls(`not run: the agent failed (${err instanceof Error ? err.message : String(err)})`);
      this.emitEvent({ type: 'error', text: `the agent failed: ${err instanceof Error ? err.message : String(err)}` });
    } finally {
      this.settleClear();
      this.checkpoint();
      this.totals.turns++;
      this.setStatus(reason === 'error' ? 'error' : 'idle');
      this.emitEvent({ type: 'turn_end', reason });
    }
  }

  /** Error results for the tool calls of a final assistant message that has no answer yet. */
  private answerOpenToolCalls(text: string): void {
    const last = this.history[this.history.length - 1];
    if (!last || last.role !== 'assistant' || typeof last.content === 'string') return;
    const open = last.content.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
    if (open.length) appendUser(this.history, open.map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: text, is_error: true })));
  }

  /** One request, with whole-response retries for streams that stall or break. */
  private async request(): Promise<Anthropic.Message | 'interrupted' | 'error'> {
    const retries = this.o.streamRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.streamOnce();
      if (outcome.kind === 'ok') return outcome.message;
      if (outcome.kind === 'interrupted') return 'interrupted';
      if (outcome.kind === 'retry' && attempt < retries) {
        const wait = (this.o.retryBaseMs ?? 1000) * 2 ** attempt;
        this.emitEvent({ type: 'notice', text: `${outcome.message}; retrying in ${(wait / 1000).toFixed(1)} s (${attempt + 1}/${retries})` });
        if (!(await this.pause(wait))) return this.settleWith({ finished: [] });
        continue;
      }
      const suffix = outcome.kind === 'retry' ? `. Gave up after ${retries} retries; send your message again to retry.` : '';
      this.emitEvent({ type: 'error', text: `${outcome.message}${suffix}` });
      return 'error';
    }
  }

  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const c = (this.controller = new AbortController());
      const t = setTimeout(() => resolve(true), ms);
      c.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
  }

  private settleWith(p: Parameters<typeof settleInterrupted>[0]): 'interrupted' {
    const { assistant, toolResults } = settleInterrupted(p);
    if (assistant) this.history.push(assistant);
    if (toolResults.length) appendUser(this.history, toolResults);
    return 'interrupted';
  }

  private async streamOnce(): Promise<{ kind: 'ok'; message: Anthropic.Message } | { kind: 'interrupted' } | { kind: 'retry' | 'final'; message: string }> {
    const controller = (this.controller = new AbortController());
    if (this.interrupted) {
      this.settleWith({ finished: [] });
      return { kind: 'interrupted' };
    }
    this.setStatus('thinking');
    const finished: Anthropic.ContentBlock[] = [];
    let started = false;
    let stalled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const idle = this.o.idleTimeoutMs ?? 90_000;
    const pet = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, idle);
    };
    const stream = this.o.client.messages.stream(
      {
        model: this.model,
        max_tokens: this.o.maxTokens ?? 16_000,
        system: [{ type: 'text', text: this.o.system, cache_control: { type: 'ephemeral' } }],
        tools: this.tools.forRequest(),
        messages: withCacheBreakpoint(this.history),
      },
      // Until the headers arrive the SDK's own timeout (per attempt, retried by the SDK) is the
      // watchdog; ours starts with the response, so it never cuts into the SDK's retry waits.
      { signal: controller.signal, timeout: idle },
    );
    stream.on('connect', pet);
    stream.on('streamEvent', () => {
      started = true;
      pet();
    });
    stream.on('text', (delta) => this.emitEvent({ type: 'text', delta }));
    stream.on('contentBlock', (block) => {
      finished.push(block);
      if (block.type === 'text') this.emitEvent({ type: 'text_end' });
    });
    try {
      const message = await stream.finalMessage();
      this.countUsage(message.usage);
      return { kind: 'ok', message };
    } catch (err) {
      const failure = classify(err, { started, stalled: stalled && !this.interrupted });
      const snapshot = stream.currentMessage;
      if (snapshot?.usage) this.countUsage(snapshot.usage);
      if (this.interrupted || failure.kind === 'aborted') {
        const last = snapshot?.content[snapshot.content.length - 1];
        const partialText = last?.type === 'text' && !finished.includes(last) ? last.text : undefined;
        if (partialText) this.emitEvent({ type: 'text_end' });
        this.settleWith({ finished, partialText });
        return { kind: 'interrupted' };
      }
      // A broken response is discarded whole; its retry starts from the same history.
      if (failure.kind === 'retry-stream') this.emitEvent({ type: 'text_end' });
      return { kind: failure.kind === 'retry-stream' ? 'retry' : 'final', message: failure.message };
    } finally {
      clearTimeout(watchdog);
    }
  }

  /** `context`: whether this usage is of a conversation request (it measures the context window). */
  private countUsage(u: UsageCounts | undefined, context = true): void {
    if (!u) return;
    const cost = costOf(this.model, u);
    const t = this.totals;
    t.input += u.input_tokens;
    t.output += u.output_tokens;
    t.cacheRead += u.cache_read_input_tokens ?? 0;
    t.cacheWrite += u.cache_creation_input_tokens ?? 0;
    if (cost === undefined) t.priced = false;
    else t.cost += cost;
    if (context) this.contextTokens = u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + u.output_tokens;
    this.emitEvent({ type: 'usage', usage: u, cost, totals: { ...t }, context: this.contextTokens });
  }

  private async runTools(calls: Anthropic.ToolUseBlock[]): Promise<Block[]> {
    const results: Block[] = [];
    for (const call of calls) {
      if (this.interrupted) {
        results.push({ type: 'tool_result', tool_use_id: call.id, content: INTERRUPTED, is_error: true });
        continue;
      }
      const line = describeCall(call.name, call.input);
      const allowed = await this.permit(call, line);
      if (allowed !== true) {
        results.push({ type: 'tool_result', tool_use_id: call.id, content: allowed, is_error: true });
        this.emitEvent({ type: 'tool_end', id: call.id, name: call.name, result: { content: allowed, isError: true, summary: `${line}: ${allowed}` } });
        continue;
      }
      this.setStatus('tool', line);
      this.emitEvent({ type: 'tool_start', id: call.id, name: call.name, input: call.input, call: line });
      const controller = (this.controller = new AbortController());
      const result = await this.tools.run(call, controller.signal, (e) => this.emitEvent(e));
      const content = this.interrupted ? `${INTERRUPTED}. Partial result:\n${result.content}` : result.content;
      results.push({ type: 'tool_result', tool_use_id: call.id, content, is_error: result.isError || this.interrupted });
      this.emitEvent({ type: 'tool_end', id: call.id, name: call.name, result });
    }
    return results;
  }

  /** True when the call may run; otherwise the text of the refusal for the model. */
  private async permit(call: Anthropic.ToolUseBlock, line: string): Promise<true | string> {
    const kind = this.tools.kindOf(call.name);
    const policy = this.o.policy ?? 'auto-edit';
    if (policy === 'auto' || kind === 'read' || (kind === 'edit' && policy === 'auto-edit') || (kind === 'exec' && this.alwaysExec)) return true;
    if (!this.o.approve) return 'not allowed: this agent may not run that without approval';
    this.setStatus('approval', line);
    this.emitEvent({ type: 'approval', id: call.id, call: line });
    const controller = (this.controller = new AbortController());
    let answer: Approval | 'interrupted';
    try {
      answer = await Promise.race([
        this.o.approve(line, call.id, controller.signal),
        new Promise<'interrupted'>((r) => controller.signal.addEventListener('abort', () => r('interrupted'))),
      ]);
    } catch (err) {
      return `not run: asking for approval failed (${err instanceof Error ? err.message : String(err)})`;
    }
    if (answer === 'interrupted') return INTERRUPTED;
    if (answer === 'always' && kind === 'exec') this.alwaysExec = true;
    return answer === 'no' ? 'the user declined to run this' : true;
  }
}
