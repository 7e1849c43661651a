// The figures of the bench as table rows, shared by the full bench (bench/run.js) and the quick one
// (bench/quick.js), so both print the same figures and ratios from the same measurements.
import * as L from './lib.js';
import * as M from './measures.js';

export const med = (xs) => (xs && xs.length ? L.median(xs) : NaN);
export const ms = (x, digits = 0) => (Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a');
export const sec = (x) => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : 'n/a');
export const pct = (x, digits = 1) => (Number.isFinite(x) ? `${x.toFixed(digits)}%` : 'n/a');
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
export const mb = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : 'n/a');
export const verdict = (ok) => (ok === undefined ? '?' : ok ? 'yes' : 'NO');

/** The numbers the rows and the quick bench's pass marks are made of (NaN where not measured). */
export function figures(R) {
  const floodAgents = med(R.floodAgents?.map((r) => r.ms));
  const floodTmux = med(R.floodTmux?.map((r) => r.ms));
  const start = med(R.startup);
  const node = med(R.startupAnchors?.node);
  return {
    floodAgents,
    floodTmux,
    floodTmuxAttached: med(R.floodTmuxAttached?.map((r) => r.ms)),
    floor: med(R.floor),
    floodRatio: floodAgents / floodTmux,
    start,
    startInProcess: med(R.startupInProcess),
    startAttach: med(R.startupAttach),
    node,
    tmuxStart: med(R.startupAnchors?.tmux),
    startRatio: start / node,
    // Best of each: load only ever adds time, so the fastest runs compare two programs best.
    startBestRatio: Math.min(...(R.startup ?? [NaN])) / Math.min(...(R.startupAnchors?.node ?? [NaN])),
    startOverNode: start - node,
    idleCpu: R.idle ? R.idle.cpu.ticks : NaN,
    idleBytes: R.idle ? R.idle.bytes : NaN,
  };
}

/** Row 1: the flood, against tmux and the floor; the tail kept at exit. Rows are [figure, agents, anchor, ratio, goal, met]. */
export function floodRows(R, F = figures(R)) {
  const tailRuns = R.tailAgents ?? [];
  const tailOk = tailRuns.filter((n) => n === M.SEQ_N).length;
  const tailWorst = tailRuns.length ? Math.min(...tailRuns) : NaN;
  return [
    ['1 flood: seq 1 2000000 fully shown (median of 3)', sec(F.floodAgents), `tmux ${sec(F.floodTmux)}`, ratio(F.floodAgents, F.floodTmux), '<= 1.2x tmux', verdict(Number.isFinite(F.floodRatio) ? F.floodRatio <= 1.2 : undefined)],
    ['  same, tmux attached and read by the harness', '', `tmux ${sec(F.floodTmuxAttached)}`, ratio(F.floodAgents, F.floodTmuxAttached), '', '', 'floodTmuxAttached'],
    ['  floor: seq 1 2000000 > /dev/null', '', ms(F.floor), ratio(F.floodAgents, F.floor), '', ''],
    [
      '  tail kept when seq exits at once',
      tailRuns.length ? `${tailOk}/${tailRuns.length} runs (worst ${tailWorst})` : 'n/a',
      R.tailTmux !== undefined ? `tmux ${R.tailTmux}${R.tailTmux === M.SEQ_N ? '' : ' (lost the tail)'}` : '',
      '',
      `all ${M.SEQ_N}`,
      verdict(tailRuns.length ? tailOk === tailRuns.length : undefined),
      'tailAgents',
    ],
  ];
}

/** Row 4: idle CPU of the workspace (client and server) and what it wrote. */
export function idleRows(R, F = figures(R)) {
  return [
    ['4 idle CPU, 8 idle panes, 10 s', R.idle ? `${pct(F.idleCpu, 2)} (${pct(R.idle.cpu.sched, 3)})` : 'n/a', '', '', '<= 0.5%', verdict(R.idle ? F.idleCpu <= 0.5 : undefined)],
    ['  bytes written while idle', R.idle ? `${R.idle.bytes} B, ${R.idle.frames} frames` : 'n/a', '', '', '0', verdict(R.idle ? R.idle.bytes === 0 : undefined)],
  ];
}

/** Row 5: memory of the workspace server (the client in the terminal beside it). */
export function rssRows(R) {
  const client = R.rss?.clientMB;
  return [['5 RSS, 16 panes with full scrollback', R.rss ? `${mb(R.rss.rssMB)}${Number.isFinite(client) ? ` (client ${mb(client)})` : ''}` : 'n/a', '', '', '<= 250 MB', verdict(R.rss ? R.rss.rssMB <= 250 : undefined)]];
}

/** Row 6: start to the first complete frame, cold, in-process and attaching; against node and tmux. */
export function startRows(R, F = figures(R)) {
  return [
    ['6 start to first frame, server started (median of 5)', ms(F.start), R.startupAnchors ? `tmux ${ms(F.tmuxStart)}` : '', R.startupAnchors ? ratio(F.start, F.tmuxStart) : '', '', ''],
    ['  over node -e 0', Number.isFinite(F.startOverNode) ? `+${ms(F.startOverNode)}` : 'n/a', `node -e 0 ${ms(F.node)}`, ratio(F.start, F.node), '<= node + 250 ms', verdict(Number.isFinite(F.startOverNode) ? F.startOverNode <= 250 : undefined)],
    ['  in-process (AGENTS_SERVER=0)', ms(F.startInProcess), '', ratio(F.startInProcess, F.node), '', '', 'startupInProcess'],
    ['  agents attach, workspace running', ms(F.startAttach), '', ratio(F.startAttach, F.node), '', '', 'startupAttach'],
  ];
}

/** Drops the rows whose figure this run did not measure (a 7th element names the one it needs). */
export function measuredRows(rows, R) {
  return rows.filter((r) => r[6] === undefined || R[r[6]] !== undefined).map((r) => r.slice(0, 6));
}

export const HEADER = ['figure', 'agents', 'anchor', 'ratio', 'goal', 'met'];

export function textTable(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function mdTable(head, body) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const fig = (c) => esc(c).replace(/^ {2}/, '&nbsp;&nbsp;↳ ');
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${[fig(r[0]), ...r.slice(1).map(esc)].join(' | ')} |`)].join('\n');
}
