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
  // The anchor timed beside each start when there is one (bench/measures.js, startup's nodeAnchor).
  const paired = R.startupNode?.length === R.startup?.length ? R.startupNode : undefined;
  const node = med(paired ?? R.startupAnchors?.node);
  return {
    floodAgents,
    floodTmux,
    floodTmuxAttached: med(R.floodTmuxAttached?.map((r) => r.ms)),
    floor: med(R.floor),
    floodRatio: floodAgents / floodTmux,
    start,
    startInProcess: med(R.startupInProcess),
    startNoCache: med(R.startupNoCache),
    startAttach: med(R.startupAttach),
    node,
    tmuxStart: med(R.startupAnchors?.tmux),
    startRatio: start / node,
    // Best of each: load only ever adds time, so the fastest runs compare two programs best.
    startBestRatio: Math.min(...(R.startup ?? [NaN])) / Math.min(...(paired ?? R.startupAnchors?.node ?? [NaN])),
    // Paired: the median of each start's difference from the node start timed just before it.
    startOverNode: paired ? med(R.startup.map((x, i) => x - paired[i])) : start - node,
    idleCpu: R.idle ? R.idle.cpu.ticks : NaN,
    idleBytes: R.idle ? R.idle.bytes : NaN,
    idleDetachedCpu: R.idleDetached ? R.idleDetached.cpu.sched : NaN,
    // Frames composed with nobody attached, plus what the files it holds open grew by.
    idleDetachedWrites: R.idleDetached ? R.idleDetached.framesComposed - R.idleDetached.framesSeen + R.idleDetached.fileBytes : NaN,
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
    ['  before the window: settling after start (V8 memory reducer)', R.idle?.settleCpuMs !== undefined ? `${Math.round(R.idle.settleCpuMs)} ms of CPU` : 'n/a', '', '', '', ''],
  ];
}

/** Row 5: memory of the workspace server (the client in the terminal beside it). */
export function rssRows(R) {
  const client = R.rss?.clientMB;
  return [['5 RSS, 16 panes with full scrollback', R.rss ? `${mb(R.rss.rssMB)}${Number.isFinite(client) ? ` (client ${mb(client)})` : ''}` : 'n/a', '', '', '<= 150 MB', verdict(R.rss ? R.rss.rssMB <= 150 : undefined)]];
}

/** Row 6: start to the first complete frame, cold, in-process and attaching; against node and tmux. */
export function startRows(R, F = figures(R)) {
  return [
    ['6 start to first frame, server started (median of 5)', ms(F.start), R.startupAnchors ? `tmux ${ms(F.tmuxStart)}` : '', R.startupAnchors ? ratio(F.start, F.tmuxStart) : '', '', ''],
    ['  over node -e 0 (timed before each start; median of the differences)', Number.isFinite(F.startOverNode) ? `+${ms(F.startOverNode)}` : 'n/a', `node -e 0 ${ms(F.node)}`, ratio(F.start, F.node), '<= node + 250 ms', verdict(Number.isFinite(F.startOverNode) ? F.startOverNode <= 250 : undefined)],
    ['  in-process (AGENTS_SERVER=0)', ms(F.startInProcess), '', ratio(F.startInProcess, F.node), '', '', 'startupInProcess'],
    ['  first start after an install (no code cache yet)', ms(F.startNoCache), '', ratio(F.startNoCache, F.node), '', '', 'startupNoCache'],
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

const p50max = (xs) => (xs && xs.length ? `${L.median(xs).toFixed(1)} / ${Math.max(...xs).toFixed(1)} ms` : 'n/a');
const cpu3 = (c) => (c ? `${pct(c.sched, 3)} (ticks ${pct(c.ticks, 2)})` : 'n/a');

/** Rows 11-13: the workspace server (attach when busy, client against in-process, idle detached). */
export function serverRows(R) {
  const attach = med(R.attachBusy);
  const C = R.clientVsInProcess;
  const fC = med(C?.floodClientMs);
  const fI = med(C?.floodInProcessMs);
  const k = (xs, q) => (xs && xs.length ? L.quantile(xs, q) : NaN);
  const kc = { p50: k(C?.keysClientMs, 0.5), p99: k(C?.keysClientMs, 0.99) };
  const ki = { p50: k(C?.keysInProcessMs, 0.5), p99: k(C?.keysInProcessMs, 0.99) };
  const within = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? a / b <= 1.1 : undefined);
  const D = R.idleDetached;
  const quietOk = D ? D.framesComposed === D.framesSeen && D.fileBytes === 0 : undefined;
  return [
    ['11 agents attach, 244x85, 4 busy panes (~20 lines/s each), median of 5', ms(attach), R.startupAttach ? `idle pane ${ms(med(R.startupAttach))}` : '', R.startupAttach ? ratio(attach, med(R.startupAttach)) : '', '<= 150 ms', verdict(Number.isFinite(attach) ? attach <= 150 : undefined)],
    ['12 flood through the client vs in-process (median of 5 each, interleaved)', sec(fC), `in-process ${sec(fI)}`, ratio(fC, fI), '<= 1.10x', verdict(within(fC, fI))],
    [
      '  keystroke to screen, 3 panes flooding, p50 / p99 (200 each, 4 rounds)',
      C ? `${ms(kc.p50, 1)} / ${ms(kc.p99, 1)}` : 'n/a',
      C ? `in-process ${ms(ki.p50, 1)} / ${ms(ki.p99, 1)}` : '',
      C ? `${ratio(kc.p50, ki.p50)} / ${ratio(kc.p99, ki.p99)}` : 'n/a',
      '<= 1.10x',
      verdict(C ? within(kc.p50, ki.p50) && within(kc.p99, ki.p99) : undefined),
    ],
    ['13 idle detached server, 8 idle panes, 10 s: CPU (schedstat)', cpu3(D?.cpu), '', '', '<= 0.1%', verdict(D ? D.cpu.sched <= 0.1 : undefined)],
    ['  frames composed / bytes to its files while detached', D ? `${Number.isFinite(D.framesComposed) ? D.framesComposed - D.framesSeen : '?'} frames / ${D.fileBytes} B` : 'n/a', '', '', '0 / 0 B', verdict(quietOk)],
    ['  write(2) while detached (/proc/PID/io)', D ? `${D.wchar} B in ${D.writes} call${D.writes === 1 ? '' : 's'}` : 'n/a', '', '', '', ''],
    ['  agents stop: server and panes gone', D?.stop ? (D.stop.clean ? 'yes, nothing left' : `${D.stop.leftBehind} left (killed)`) : 'n/a', '', '', 'nothing left', verdict(D?.stop ? D.stop.clean : undefined)],
  ];
}

/** Rows 14-16: the task board (handover latency, a board of 200 tasks, the supervisor at rest). */
export function boardRows(R) {
  const H = R.delivery;
  const B = R.board;
  const S = R.supervisor;
  const hand = med(H?.fromResult);
  const bound = med(H?.fromCall);
  const frameMax = B?.stats?.maxFrameMs;
  const diff = S ? S.withTasks.sched - S.without.sched : NaN;
  return [
    ['14 task handover: complete_task result to next instruction, median of 5', ms(hand), '', '', '<= 500 ms', verdict(Number.isFinite(hand) ? hand <= 500 : undefined)],
    ['  from the answer calling complete_task (check included) median / max', H ? `${ms(bound)} / ${ms(Math.max(...H.fromCall))}` : 'n/a', '', '', '<= 500 ms', verdict(Number.isFinite(bound) ? bound <= 500 : undefined)],
    ['15 board, 200 tasks: frame cost max (mean), renderer stats', B?.stats ? `${ms(frameMax, 1)} (${ms(B.stats.totalFrameMs / B.stats.frames, 2)})${B.stats.maxFrameNumber ? `, max at frame ${B.stats.maxFrameNumber} of ${B.stats.frames}` : ''}` : 'n/a', '', '', '<= 16 ms', verdict(Number.isFinite(frameMax) ? frameMax <= 16 : undefined)],
    ['  keystroke to screen, j/k (50) p50 / max', p50max(B?.moveMs), '', '', '', ''],
    ['  open / close, prefix+t (10 each) p50 / max', B ? `${p50max(B.openMs)}; ${p50max(B.closeMs)}` : 'n/a', '', '', '', ''],
    ['16 supervisor, 20 tasks in flight, detached 10 s: server CPU', S ? pct(S.withTasks.sched, 3) : 'n/a', S ? `no tasks ${pct(S.without.sched, 3)}` : '', S ? `${diff >= 0 ? '+' : ''}${diff.toFixed(3)} points` : '', '0 (<= +0.01)', verdict(S ? diff <= 0.01 && S.requestsDuring === 0 : undefined)],
  ];
}
