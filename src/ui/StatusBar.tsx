import { Box, Text } from 'ink';
import type { Mode } from '../workspace/workspace.js';
import { useStyle, useUi, useView } from './context.js';
import { formatCost, formatTokens } from '../util/format.js';

const MODE_LABEL: Record<Mode, string> = { normal: 'NORMAL', prefix: 'PREFIX', scroll: 'SCROLL', dialog: 'DIALOG', board: 'BOARD' };

export function StatusBar() {
  const { prefix, key } = useUi();
  const mode = useView((v) => v.mode);
  const cols = useView((v) => v.cols);
  const rows = useView((v) => v.rows);
  const message = useView((v) => v.message);
  const focused = useView((v) => v.focus);
  const count = useView((v) => v.count);
  const zoomed = useView((v) => v.zoomed);
  const totals = useView((v) => v.totals);
  const clients = useView((v) => v.clients);
  // Counted, then named: "⚑ 2 waiting for you: 1:claude 3:codex".
  const waiting = useView((v) => {
    const all = [...v.waiting.map((p) => `${p.number}:${p.name}`), ...v.alerts];
    return all.length ? `${all.length} waiting for you: ${all.join(' ')}` : '';
  });
  const attention = useStyle('status.waiting');
  const modeStyle = useStyle(`statusbar.mode.${mode}`);
  const text = useStyle('statusbar.text');
  const hintStyle = useStyle('statusbar.hint');
  const msgStyle = useStyle('text.warning');
  const hint =
    mode === 'prefix'
      ? `1-9 focus · ${key('pane.zoom')} zoom · ${key('pane.new')} new · ${key('agent.interrupt')} interrupt · ${key('pane.scroll')} scroll · ${key('app.detach')} detach · ${key('app.quit')} quit · ${key('app.help')} help`
      : mode === 'scroll'
        ? `↑↓ line · PgUp/PgDn page · g/G top/bottom · q leave`
        : mode === 'dialog'
          ? 'esc closes'
          : mode === 'board'
            ? `↑↓ select · enter details · ${key('board.add')} add · ${key('board.edit')} edit · ${key('board.retry')} retry · ${key('board.answer')} answer · esc leave`
          : `${prefix} ${key('app.help')} help · ${prefix} ${key('app.quit')} quit`;
  const where = focused ? `${focused.number}:${focused.name}${zoomed ? ' (zoomed)' : ''}` : 'no panes';
  return (
    <Box position="absolute" marginTop={rows - 1} width={cols} height={1}>
      <Text wrap="truncate-end">
        <Text {...modeStyle}> {MODE_LABEL[mode]} </Text>
        <Text {...text}> {where}</Text>
        <Text {...hintStyle}>{count > 1 ? ` of ${count}` : ''} │ </Text>
        {clients > 1 && <Text {...text}>{`${clients} terminals`}</Text>}
        {clients > 1 && <Text {...hintStyle}> │ </Text>}
        {waiting && <Text {...attention}>{`⚑ ${waiting}`}</Text>}
        {waiting && <Text {...hintStyle}> │ </Text>}
        {totals.agents > 0 && <Text {...text}>{`Σ ${formatTokens(totals.tokens)} tok · ${formatCost(totals.cost)}${totals.priced ? '' : '+?'}${totals.simulated ? ' (simulated)' : ''}`}</Text>}
        {totals.agents > 0 && <Text {...hintStyle}> │ </Text>}
        {message ? <Text {...msgStyle}>{message}</Text> : <Text {...hintStyle}>{hint}</Text>}
      </Text>
    </Box>
  );
}
