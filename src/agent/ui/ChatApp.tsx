import { Box, Static, Text } from 'ink';
import { useSyncExternalStore } from 'react';
import type { Theme } from '../../config/theme.js';
import { formatCost, formatTokens } from '../prices.js';
import type { ChatStore, ChatView } from './chat-store.js';
import type { Line } from './markdown.js';

export interface ChatAppProps {
  store: ChatStore;
  theme: Theme;
  name: string;
  model: () => string;
  contextWindow: () => number;
  notice?: string;
}

function Spans({ line, theme }: { line: Line; theme: Theme }) {
  return (
    <Text wrap="wrap">
      {line.length === 0 ? ' ' : line.map((s, i) => (
        <Text key={i} {...(s.token ? theme.tokens[s.token] : {})} bold={s.bold || (s.token ? theme.tokens[s.token].bold : undefined)}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

const STATUS_TEXT: Record<ChatView['status'], string> = {
  idle: 'ready',
  thinking: 'thinking',
  tool: 'running a tool',
  approval: 'waiting for your approval',
  error: 'error',
};

function StatusLine({ view, theme, model, contextWindow }: { view: ChatView; theme: Theme; model: string; contextWindow: number }) {
  const t = view.totals;
  const pct = contextWindow ? Math.round((view.context / contextWindow) * 100) : 0;
  const tokens = t ? t.input + t.output + t.cacheRead + t.cacheWrite : 0;
  const cost = t ? (t.priced ? formatCost(t.cost) : `${formatCost(t.cost)}+?`) : '$0';
  const statusToken = view.status === 'error' ? 'text.error' : view.status === 'approval' ? 'status.waiting' : view.status === 'idle' ? 'status.idle' : 'status.busy';
  return (
    <Text wrap="truncate-end">
      <Text {...theme.tokens['text.muted']}>{`${model} · ctx ${pct}% · ${formatTokens(tokens)} tok · ${cost} · `}</Text>
      <Text {...theme.tokens[statusToken]}>{view.status === 'tool' && view.statusDetail ? view.statusDetail : STATUS_TEXT[view.status]}</Text>
      {view.busy && <Text {...theme.tokens['text.muted']}> · esc interrupts</Text>}
    </Text>
  );
}

function Prompt({ view, theme }: { view: ChatView; theme: Theme }) {
  const { text, cursor } = view.input;
  const lines = text.split('\n');
  let at = 0;
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => {
        const start = at;
        at += l.length + 1;
        const here = cursor >= start && cursor <= start + l.length;
        const col = cursor - start;
        return (
          <Text key={i} wrap="wrap">
            <Text {...theme.tokens['chat.user']}>{i === 0 ? '› ' : '  '}</Text>
            {here ? (
              <>
                {l.slice(0, col)}
                <Text inverse>{l[col] ?? ' '}</Text>
                {l.slice(col + 1)}
              </>
            ) : (
              l
            )}
          </Text>
        );
      })}
    </Box>
  );
}

export function ChatApp({ store, theme, name, model, contextWindow, notice }: ChatAppProps) {
  const view = useSyncExternalStore(store.subscribe, store.getView);
  return (
    <>
      <Static items={view.entries}>{(e) => <Spans key={e.id} line={e.line} theme={theme} />}</Static>
      <Box flexDirection="column">
        {notice && view.entries.length === 0 && <Text {...theme.tokens['text.muted']}>{notice}</Text>}
        {view.partial && <Spans line={view.partial} theme={theme} />}
        {view.tool && <Text {...theme.tokens['status.busy']}>{`⋯ ${view.tool}`}</Text>}
        {view.approval && (
          <Text>
            <Text {...theme.tokens['status.waiting']}>{`Allow ${view.approval}? `}</Text>
            <Text {...theme.tokens['dialog.key']}>y</Text>
            <Text> yes · </Text>
            <Text {...theme.tokens['dialog.key']}>n</Text>
            <Text> no · </Text>
            <Text {...theme.tokens['dialog.key']}>a</Text>
            <Text> always</Text>
          </Text>
        )}
        <StatusLine view={view} theme={theme} model={`${name} · ${model()}`} contextWindow={contextWindow()} />
        <Prompt view={view} theme={theme} />
      </Box>
    </>
  );
}
