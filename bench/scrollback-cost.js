// `node --expose-gc bench/scrollback-cost.js`: what one line of scrollback costs in @xterm/headless
// (the emulator each pane uses), and what a compact form of a line that left the screen would cost.
// Memory is measured, not estimated: JS heap + ArrayBuffer backing stores after a full GC, before and
// after filling four 5000-line scrollbacks, divided by the lines held. The compact forms are built
// 100,000 times each and measured the same way (strings flattened, as stored lines would be).
import xterm from '@xterm/headless';
import unicode11 from '@xterm/addon-unicode11';

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(2);
}
const gc = globalThis.gc;
const mem = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const write = (t, s) => new Promise((r) => t.write(s, r));

async function xtermLine(cols, lineFn) {
  const before = mem();
  const terms = [];
  for (let k = 0; k < 4; k++) {
    const t = new xterm.Terminal({ cols, rows: 19, scrollback: 5000, allowProposedApi: true, logLevel: 'off' });
    t.loadAddon(new unicode11.Unicode11Addon());
    t.unicode.activeVersion = '11';
    terms.push(t);
  }
  const empty = mem();
  for (const t of terms) {
    let s = '';
    for (let i = 1; i <= 20000; i++) {
      s += lineFn(i) + '\r\n';
      if (s.length > 65536) {
        await write(t, s);
        s = '';
      }
    }
    await write(t, s);
  }
  const full = mem();
  const lines = terms[0].buffer.active.length;
  const out = { perLine: (full - empty) / terms.length / lines, emptyTerminal: (empty - before) / terms.length };
  terms.forEach((t) => t.dispose());
  return out;
}

const flat = (s) => Buffer.from(s, 'latin1').toString('latin1');
const logText = (i) => flat(`line ${i} ${(i * 7919) % 32768} some ordinary log text, ${i * 3} ${i * 11}`);
const logAnsi = (i) => `\x1b[3${i % 8}mline ${i} \x1b[1m${(i * 7919) % 32768}\x1b[22m some ordinary log text, ${i * 3} ${i * 11}\x1b[0m`;

function compact(make) {
  const N = 100000;
  const keep = new Array(N);
  const b = mem();
  for (let i = 0; i < N; i++) keep[i] = make(i);
  const a = mem();
  globalThis.keep = keep; // alive until measured
  globalThis.keep = undefined;
  return (a - b) / N;
}

const rows = [];
for (const cols of [59, 120, 244]) {
  const r = await xtermLine(cols, (i) => String(i));
  rows.push([`xterm line, ${cols} cols (seq output)`, r.perLine, `${(r.perLine / cols).toFixed(1)} B/cell; an empty ${cols}x19 terminal ${(r.emptyTerminal / 1024).toFixed(0)} KB`]);
}
const styled = await xtermLine(59, logAnsi);
rows.push(['xterm line, 59 cols (coloured log line)', styled.perLine, '']);
rows.push(['compact: {text} for a seq line', compact((i) => ({ text: String(i + 100000), runs: null })), 'a plain line needs no style runs']);
rows.push(['compact: {text, runs: null}, 45-char log line', compact((i) => ({ text: logText(i), runs: null })), '']);
rows.push(['compact: {text, runs: 12 char codes in a string}', compact((i) => ({ text: logText(i), runs: String.fromCharCode(3, 1, 0, 0, 5, 1, 0, 1, 50, 1, 0, i & 1) })), '3 style runs (length, fg, bg, attrs)']);
rows.push(['compact: {text, runs: Uint32Array(12)}', compact((i) => ({ text: logText(i), runs: new Uint32Array(12) })), 'a typed array per line is the costly part']);
rows.push(['compact: {text, runs: [12 numbers]}', compact((i) => ({ text: logText(i), runs: [3, 1, 0, 0, 5, 1, 0, 1, 50, 1, 0, i & 1] })), '']);
for (const [what, bytes, note] of rows) console.log(`${Math.round(bytes).toString().padStart(6)} B/line  ${what}${note ? `  (${note})` : ''}`);
