/**
 * The pane's slash commands (/help, /clear, /compact, /model, /cost, /exit). Each answers in the
 * chat; none throws. `/model` checks the name first (model-check.ts) and says what is known.
 */
import type { Agent } from '../agent.js';
import { formatCost, formatTokens } from '../prices.js';
import type { ChatStore } from './chat-store.js';
import { checkModel, type ListedModel } from './model-check.js';
import { plural } from '../../util/text.js';

export const HELP = `/help this list · /clear forget the conversation · /compact summarise it now · /model NAME switch model · /cost usage so far
Enter sends · Alt+Enter or Ctrl+J new line · ↑↓ earlier inputs · Esc interrupts · Ctrl+O expands the last tool result · Ctrl+D exits`;

export interface CommandDeps {
  agent: Agent;
  store: ChatStore;
  /** The API's model list, when there is a key to ask with. */
  listModels?: () => Promise<ListedModel[]>;
  quit: () => void;
  /** The offline demo: costs are made up. */
  simulated?: boolean;
}

/** Runs `text` when it is a command; false when it is an instruction for the model. */
export function runCommand(text: string, d: CommandDeps): boolean {
  const { agent, store } = d;
  const [cmd, ...rest] = text.trim().split(/\s+/);
  switch (cmd) {
    case '/help':
      store.say('notice', HELP);
      return true;
    case '/clear':
      agent.clear();
      store.say('notice', 'conversation cleared');
      return true;
    case '/compact':
      if (agent.busy) store.say('error', 'wait for the turn to end (or Esc) before compacting');
      else void agent.compact().catch((e: Error) => store.say('error', `compaction failed: ${e.message}`));
      return true;
    case '/model':
      if (rest[0]) switchModel(rest[0], d);
      else store.say('notice', `model: ${agent.model}${d.simulated ? ' (simulated)' : ''}`);
      return true;
    case '/cost': {
      const t = agent.totals;
      const unpriced = t.priced ? '' : ' (some usage has no known price)';
      const sim = d.simulated ? ' (simulated: the demo makes these figures up)' : '';
      store.say('notice', `input ${formatTokens(t.input)} · output ${formatTokens(t.output)} · cache read ${formatTokens(t.cacheRead)} · cache write ${formatTokens(t.cacheWrite)} · ${formatCost(t.cost)}${unpriced} over ${plural(t.turns, 'turn')}${sim}`);
      return true;
    }
    case '/exit':
      d.quit();
      return true;
    default:
      if (cmd.startsWith('/') && !cmd.includes('/', 1)) {
        store.say('error', `unknown command ${cmd}; /help lists them`);
        return true;
      }
      return false;
  }
}

function switchModel(name: string, d: CommandDeps): void {
  void checkModel(name, { list: d.listModels }).then((r) => {
    if (!r.ok) {
      d.store.say('error', `${r.message}; the model stays ${d.agent.model}.\n${r.known}.`);
      return;
    }
    d.agent.setModel(r.model);
    if (r.contextWindow) d.agent.contextWindow = r.contextWindow;
    d.store.say('notice', r.message);
  });
}
