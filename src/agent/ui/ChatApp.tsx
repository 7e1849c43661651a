import { Box, Static, Text } from 'ink';
import { useSyncExternalStore } from 'react';
import type { Theme } from '../../config/theme.js';
import type { ChatStore, ChatView } from './chat-store.js';
import type { Line } from './markdown.js';
import { statusLine, type StatusInput } from './status-line.js';

export interface ChatAppProps {
  store: ChatStore;
  theme: Theme;
  name: string;
  model: () => string;
  contextWindow: () => number;
  /** The pane's width; the app is drawn anew when it changes. */
  columns: number;
  /** The offline demo: model and cost are marked "(simulated)". */
  simulated?: boolean;
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

function StatusLine({ input, theme, columns }: { input: StatusInput; theme: Theme; columns: number }) {
  // Truncation stays as a guard for wide characters in a tool's detail; the layout fits the width.
  return (
    <Text wrap="truncate-end">
      {statusLine(input, columns).map((s, i) => (
        <Text key={i} {...(s.token ? theme.tokens[s.token] : {})}>
          {s.text}
        </Text>
      ))}
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

export function ChatApp({ store, theme, name, model, contextWindow, columns, simulated }: ChatAppProps) {
  const view = useSyncExternalStore(store.subscribe, store.getView);
  return (
    <>
      <Static items={view.entries}>{(e) => <Spans key={e.id} line={e.line} theme={theme} />}</Static>
      <Box flexDirection="column">
        {view.partial && <Spans line={view.partial} theme={theme} />}
        {view.tool && <Text {...theme.tokens['status.busy']}>{`⋯ ${view.tool}`}</Text>}
        {view.approval && (
          <Text>
            <Text {...theme.tokens['status.waiting']}>{`⚑ Allow ${view.approval}? `}</Text>
            <Text {...theme.tokens['dialog.key']}>y</Text>
            <Text> yes · </Text>
            <Text {...theme.tokens['dialog.key']}>n</Text>
            <Text> no · </Text>
            <Text {...theme.tokens['dialog.key']}>a</Text>
            <Text> always</Text>
          </Text>
        )}
        <StatusLine input={{ view, name, model: model(), contextWindow: contextWindow(), simulated }} theme={theme} columns={columns} />
        <Prompt view={view} theme={theme} />
      </Box>
    </>
  );
}
