// Renders the visible screen of an @xterm/headless terminal to a standalone SVG: what a person
// would see in a real terminal window. Used by `npm run screenshot` for the README's pictures, and
// usable from tests (pass a Term from test/helpers/term.js or a bare headless Terminal).
//
// Layers, back to front: window, cell backgrounds (one rect per run), box-drawing and block
// characters as vector shapes (so borders join whatever the font), text (one <tspan> per style
// run), then underline/strikethrough/overline lines. The cursor is drawn as a block.

/** Tango, the 16 colours of GNOME Terminal and xterm.js's default theme. */
export const TANGO = [
  '#2e3436', '#cc0000', '#4e9a06', '#c4a000', '#3465a4', '#75507b', '#06989a', '#d3d7cf',
  '#555753', '#ef2929', '#8ae234', '#fce94f', '#729fcf', '#ad7fa8', '#34e2e2', '#eeeeec',
];

/** xterm's own defaults (XTerm*color0..15). */
export const XTERM = [
  '#000000', '#cd0000', '#00cd00', '#cdcd00', '#0000ee', '#cd00cd', '#00cdcd', '#e5e5e5',
  '#7f7f7f', '#ff0000', '#00ff00', '#ffff00', '#5c5cff', '#ff00ff', '#00ffff', '#ffffff',
];

export const DARK_THEME = {
  background: '#171a1c',
  foreground: '#d3d7cf',
  cursor: '#d3d7cf',
  cursorText: '#171a1c',
  palette: TANGO,
  windowTitle: '#8a8f94',
  windowBar: '#2a2e31',
};

// Monospace first; CJK faces after it cover wide characters where the viewer's monospace font lacks them.
export const FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Noto Sans Mono CJK SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', monospace";

const hex2 = (n) => n.toString(16).padStart(2, '0');
const rgbHex = (n) => `#${hex2((n >> 16) & 255)}${hex2((n >> 8) & 255)}${hex2(n & 255)}`;

/** Colour `n` (0-255) of the 256-colour palette: 16 theme colours, the 6x6x6 cube, 24 greys. */
export function color256(n, palette = TANGO) {
  if (n < 16) return palette[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    return `#${hex2(level(Math.floor(i / 36)))}${hex2(level(Math.floor(i / 6) % 6))}${hex2(level(i % 6))}`;
  }
  const g = 8 + (n - 232) * 10;
  return `#${hex2(g)}${hex2(g)}${hex2(g)}`;
}

function mix(a, b, t) {
  const pa = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
  const pb = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
  return `#${pa.map((v, i) => hex2(Math.round(v + (pb[i] - v) * t))).join('')}`;
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v) => String(Math.round(v * 100) / 100);

// ---- box drawing -----------------------------------------------------------------------------
// Each character is four arms (left, right, up, down), each 0 none, 1 light, 2 heavy, 3 double.
const BOX = new Map();
{
  const put = (ch, l, r, u, d) => BOX.set(ch, [l, r, u, d]);
  // U+2500..U+254B in code point order: the table lists LRUD weights.
  const table =
    '1100 2200 0011 0022 1100 2200 0011 0022 1100 2200 0011 0022 ' + // ─━│┃ ┄┅┆┇ ┈┉┊┋
    '0101 0201 0102 0202 1001 2001 1002 2002 0110 0210 0120 0220 1010 2010 1020 2020 ' + // ┌..┛
    '0111 0211 0121 0112 0122 0221 0212 0222 1011 2011 1021 1012 1022 2021 2012 2022 ' + // ├..┫
    '1101 2101 1201 2201 1102 2102 1202 2202 1110 2110 1210 2210 1120 2120 1220 2220 ' + // ┬..┻
    '1111 2111 1211 2211 1121 1112 1122 2121 1221 2112 1212 2221 2212 2122 1222 2222 ' + // ┼..╋
    '1100 2200 0011 0022 ' + // ╌╍╎╏
    '3300 0033 0301 0103 0303 3001 1003 3003 0310 0130 0330 3010 1030 3030 ' + // ═║╒..╝
    '0313 0131 0333 3013 1031 3033 3301 1103 3303 3310 1130 3330 3311 1133 3333'; // ╞..╬
  table.split(' ').filter(Boolean).forEach((w, i) => put(String.fromCharCode(0x2500 + i), ...[...w].map(Number)));
  // Half lines U+2574..U+257F.
  '1000 0010 0100 0001 2000 0020 0200 0002 1200 0012 2100 0021'
    .split(' ')
    .forEach((w, i) => put(String.fromCharCode(0x2574 + i), ...[...w].map(Number)));
}
const ROUND = { '╭': [0, 1, 0, 1], '╮': [1, 0, 0, 1], '╯': [1, 0, 1, 0], '╰': [0, 1, 1, 0] };
const DIAGONAL = { '╱': 1, '╲': 2, '╳': 3 };
const SHADE = { '░': 0.25, '▒': 0.5, '▓': 0.75 };

/** Block elements as [x0, y0, x1, y1] fractions of the cell (U+2580..U+259F, minus shades). */
function blockRects(ch) {
  const c = ch.codePointAt(0);
  if (c === 0x2580) return [[0, 0, 1, 0.5]];
  if (c >= 0x2581 && c <= 0x2588) return [[0, 1 - (c - 0x2580) / 8, 1, 1]];
  if (c >= 0x2589 && c <= 0x258f) return [[0, 0, (0x2590 - c) / 8, 1]];
  if (c === 0x2590) return [[0.5, 0, 1, 1]];
  if (c === 0x2594) return [[0, 0, 1, 1 / 8]];
  if (c === 0x2595) return [[7 / 8, 0, 1, 1]];
  const q = { 0x2596: 4, 0x2597: 8, 0x2598: 1, 0x2599: 13, 0x259a: 9, 0x259b: 7, 0x259c: 11, 0x259d: 2, 0x259e: 6, 0x259f: 14 }[c];
  if (q === undefined) return undefined;
  const quads = [[0, 0, 0.5, 0.5], [0.5, 0, 1, 0.5], [0, 0.5, 0.5, 1], [0.5, 0.5, 1, 1]];
  return quads.filter((_, i) => q & (1 << i));
}

/** Whether the character is drawn as shapes rather than font glyphs. */
export function isGraphic(ch) {
  return BOX.has(ch) || ch in ROUND || ch in DIAGONAL || ch in SHADE || blockRects(ch) !== undefined;
}

// ---- reading the screen ----------------------------------------------------------------------

/** Whether the program hid the cursor (DECTCEM); not in xterm's public API, so read from its core. */
export function cursorHidden(termOrWrapper) {
  const term = termOrWrapper.term ?? termOrWrapper;
  return Boolean(term._core?.coreService?.isCursorHidden);
}

/**
 * The visible screen as rows of resolved cells: {ch, width, fg, bg (undefined = default), bold,
 * italic, underline, strike, overline, invisible}. Colours are '#rrggbb'.
 */
export function readScreen(termOrWrapper, opts = {}) {
  const term = termOrWrapper.term ?? termOrWrapper;
  const theme = { ...DARK_THEME, ...opts.theme };
  const palette = theme.palette;
  const buf = term.buffer.active;
  const resolve = (mode, value, isRGB, isPalette) => {
    if (isRGB) return rgbHex(value);
    if (isPalette) return color256(value, palette);
    return undefined;
  };
  const showCursor = opts.cursor ?? (!cursorHidden(term) && buf.viewportY === buf.baseY);
  const rows = [];
  let cell;
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    const row = [];
    for (let x = 0; x < term.cols; x++) {
      cell = line?.getCell(x, cell);
      if (!cell) {
        row.push({ ch: ' ', width: 1, fg: theme.foreground });
        continue;
      }
      let fgIndex = cell.isFgPalette() ? cell.getFgColor() : -1;
      if (opts.boldIsBright && cell.isBold() && fgIndex >= 0 && fgIndex < 8) fgIndex += 8;
      let fg = fgIndex >= 0 ? color256(fgIndex, palette) : resolve(cell.getFgColorMode(), cell.getFgColor(), cell.isFgRGB(), false);
      let bg = resolve(cell.getBgColorMode(), cell.getBgColor(), cell.isBgRGB(), cell.isBgPalette());
      if (cell.isInverse()) [fg, bg] = [bg ?? theme.background, fg ?? theme.foreground];
      fg ??= theme.foreground;
      if (cell.isDim()) fg = mix(fg, bg ?? theme.background, 0.5);
      row.push({
        ch: cell.getChars() || ' ',
        width: cell.getWidth(),
        fg,
        bg,
        bold: Boolean(cell.isBold()),
        italic: Boolean(cell.isItalic()),
        underline: Boolean(cell.isUnderline()),
        strike: Boolean(cell.isStrikethrough()),
        overline: Boolean(cell.isOverline()),
        invisible: Boolean(cell.isInvisible()),
      });
    }
    rows.push(row);
  }
  if (showCursor && buf.cursorY < rows.length) {
    const row = rows[buf.cursorY];
    let x = Math.min(buf.cursorX, term.cols - 1);
    if (row[x].width === 0 && x > 0) x--;
    for (let i = x; i < x + Math.max(1, row[x].width) && i < row.length; i++) {
      row[i] = { ...row[i], fg: theme.cursorText, bg: theme.cursor };
    }
  }
  return rows;
}

// ---- drawing ---------------------------------------------------------------------------------

/**
 * @param {object} term a Term (test/helpers/term.js) or an @xterm/headless Terminal
 * @param {object} [opts]
 * @param {number} [opts.fontSize] px, default 14
 * @param {number} [opts.cellWidth] px, default the advance of DejaVu Sans Mono (0.602em)
 * @param {number} [opts.cellHeight] px, default 1.2em rounded
 * @param {string} [opts.fontFamily]
 * @param {object} [opts.theme] {background, foreground, cursor, cursorText, palette (16 colours)}
 * @param {boolean} [opts.cursor] draw the cursor; default: when the terminal shows it
 * @param {boolean} [opts.boldIsBright] bold text in colours 0-7 uses 8-15, as old xterms did
 * @param {false | {title?: string}} [opts.window] a window frame with a title bar around the screen
 * @param {number} [opts.padding] px between the window's edge and the cells, default 0 (12 with a window)
 * @returns {string} the SVG document
 */
export function screenToSvg(term, opts = {}) {
  const theme = { ...DARK_THEME, ...opts.theme };
  const fontSize = opts.fontSize ?? 14;
  const cw = opts.cellWidth ?? Math.round(fontSize * 0.6021 * 100) / 100;
  const ch = opts.cellHeight ?? Math.round(fontSize * 1.2);
  const fontFamily = opts.fontFamily ?? FONT_FAMILY;
  const rows = readScreen(term, opts);
  const nRows = rows.length;
  const nCols = rows[0]?.length ?? 0;
  const win = opts.window ? { title: '', ...opts.window } : undefined;
  const pad = opts.padding ?? (win ? 12 : 0);
  const bar = win ? 30 : 0;
  const width = Math.ceil(nCols * cw + pad * 2);
  const height = Math.ceil(nRows * ch + pad * 2 + bar);
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${fontFamily}" font-size="${fontSize}">`,
  );
  if (win) {
    out.push(`<rect width="${width}" height="${height}" rx="8" fill="${theme.background}"/>`);
    out.push(`<path d="M0 ${bar}V8a8 8 0 0 1 8-8H${width - 8}a8 8 0 0 1 8 8V${bar}Z" fill="${theme.windowBar}"/>`);
    ['#ff5f57', '#febc2e', '#28c840'].forEach((c, i) => out.push(`<circle cx="${18 + i * 20}" cy="${bar / 2}" r="6" fill="${c}"/>`));
    if (win.title) {
      out.push(
        `<text x="${width / 2}" y="${bar / 2 + 4.5}" text-anchor="middle" font-size="13" fill="${theme.windowTitle}">${esc(win.title)}</text>`,
      );
    }
  } else {
    out.push(`<rect width="${width}" height="${height}" fill="${theme.background}"/>`);
  }
  out.push(`<g transform="translate(${pad} ${pad + bar})">`);

  // Backgrounds: one rect per run of equal colour on a row, merged down while the next row's run
  // has the same extent.
  const bgRuns = [];
  const open = new Map();
  for (let y = 0; y < nRows; y++) {
    const row = rows[y];
    const here = new Map();
    for (let x = 0; x < nCols; ) {
      const bg = row[x].bg;
      let e = x + 1;
      while (e < nCols && row[e].bg === bg) e++;
      if (bg !== undefined) {
        const key = `${x},${e},${bg}`;
        const prev = open.get(key);
        if (prev && prev.y + prev.h === y) {
          prev.h++;
          here.set(key, prev);
        } else {
          const run = { x, e, y, h: 1, bg };
          bgRuns.push(run);
          here.set(key, run);
        }
      }
      x = e;
    }
    open.clear();
    for (const [k, v] of here) open.set(k, v);
  }
  for (const r of bgRuns) {
    out.push(`<rect x="${num(r.x * cw)}" y="${num(r.y * ch)}" width="${num((r.e - r.x) * cw)}" height="${num(r.h * ch)}" fill="${r.bg}"/>`);
  }

  out.push(...drawGraphics(rows, cw, ch, fontSize));

  // Text.
  const ascent = 0.928 * fontSize; // DejaVu Sans Mono's ascender; the descender is 0.236em
  const baseline = (ch - 1.164 * fontSize) / 2 + ascent;
  const lines = [];
  const deco = [];
  out.push(`<g fill="${theme.foreground}">`);
  for (let y = 0; y < nRows; y++) {
    const row = rows[y];
    const spans = [];
    let span;
    const styleOf = (c) => `${c.fg}|${c.bold ? 'b' : ''}${c.italic ? 'i' : ''}`;
    for (let x = 0; x < nCols; x++) {
      const c = row[x];
      if (c.width === 0) continue;
      const blank = c.invisible || c.ch === ' ' || isGraphic(c.ch);
      const text = blank ? ' '.repeat(Math.max(1, c.width)) : c.ch;
      const style = styleOf(c);
      // Anything outside ASCII gets its own x, so a glyph from a fallback font (other advance)
      // cannot push the rest of the run out of its cells.
      const alone = text.length > 1 || text.charCodeAt(0) > 126 || c.width > 1;
      if (span && !blank && (span.style !== style || alone || span.alone)) span = undefined;
      if (!span && blank) continue;
      if (!span) {
        span = { x, style, cell: c, text: '', cells: 0, alone };
        spans.push(span);
      }
      span.text += text;
      // Blanks ride along in the current run (they take any style); trailing ones are trimmed.
      span.cells += Math.max(1, c.width);
    }
    let t = '';
    for (const s of spans) {
      const trimmed = s.text.replace(/ +$/, '');
      if (!trimmed) continue;
      const cells = s.cells - (s.text.length - trimmed.length);
      const c = s.cell;
      // Wide glyphs (CJK fonts are 1em) sit in the middle of their two cells.
      const shift = c.width > 1 ? Math.max(0, (c.width * cw - fontSize) / 2) : 0;
      let attrs = ` x="${num(s.x * cw + shift)}"`;
      if (c.fg !== theme.foreground) attrs += ` fill="${c.fg}"`;
      if (c.bold) attrs += ' font-weight="bold"';
      if (c.italic) attrs += ' font-style="italic"';
      if (!s.alone && trimmed.length > 1) attrs += ` textLength="${num(cells * cw)}"`;
      t += `<tspan${attrs}>${esc(trimmed)}</tspan>`;
    }
    if (t) lines.push(`<text y="${num(y * ch + baseline)}" xml:space="preserve">${t}</text>`);

    // Underline, strikethrough and overline, per run of cells with the same line and colour.
    for (const [prop, pos] of [['underline', baseline + fontSize * 0.12], ['strike', baseline - fontSize * 0.3], ['overline', 0.5]]) {
      for (let x = 0; x < nCols; ) {
        const c = row[x];
        if (!c[prop]) {
          x++;
          continue;
        }
        let e = x + 1;
        while (e < nCols && row[e][prop] && row[e].fg === c.fg) e++;
        deco.push(`<rect x="${num(x * cw)}" y="${num(y * ch + pos)}" width="${num((e - x) * cw)}" height="1" fill="${c.fg}"/>`);
        x = e;
      }
    }
  }
  out.push(...lines, '</g>', ...deco, '</g>', '</svg>');
  return out.join('\n') + '\n';
}

/** Box-drawing and block characters as paths and rects, grouped by colour. */
function drawGraphics(rows, cw, ch, fontSize) {
  const light = Math.max(1, Math.round(fontSize / 12 * 10) / 10);
  const heavy = light * 2;
  const gap = light; // half the distance between the two lines of a double line
  const paths = new Map(); // `${colour} ${strokeWidth}` -> path data
  const add = (fg, w, d) => {
    const k = `${fg} ${w}`;
    paths.set(k, (paths.get(k) ?? '') + d);
  };
  const rects = [];
  const P = (x, y) => `${num(x)} ${num(y)}`;
  const nRows = rows.length;
  const nCols = rows[0]?.length ?? 0;
  const armsAt = (x, y) => {
    const c = rows[y]?.[x];
    return c ? (BOX.get(c.ch) ?? ROUND[c.ch]) : undefined;
  };

  // Straight horizontal lines (cells with only left+right arms of one weight) merged along the row,
  // straight vertical lines merged down the column; everything else is drawn cell by cell.
  const done = rows.map((r) => r.map(() => false));
  const straight = (a, horizontal) =>
    a && (horizontal ? a[0] && a[0] === a[1] && !a[2] && !a[3] : a[2] && a[2] === a[3] && !a[0] && !a[1]);
  for (let y = 0; y < nRows; y++) {
    for (let x = 0; x < nCols; ) {
      const a = armsAt(x, y);
      const c = rows[y][x];
      if (!straight(a, true) || ROUND[c.ch]) {
        x++;
        continue;
      }
      let e = x + 1;
      while (e < nCols && rows[y][e].fg === c.fg && !ROUND[rows[y][e].ch] && straight(armsAt(e, y), true) && armsAt(e, y)[0] === a[0]) e++;
      const yc = y * ch + ch / 2;
      for (const off of a[0] === 3 ? [-gap, gap] : [0]) add(c.fg, a[0] === 2 ? heavy : light, `M${P(x * cw, yc + off)}H${num(e * cw)}`);
      for (let i = x; i < e; i++) done[y][i] = true;
      x = e;
    }
  }
  for (let x = 0; x < nCols; x++) {
    for (let y = 0; y < nRows; ) {
      const a = armsAt(x, y);
      const c = rows[y][x];
      if (!straight(a, false) || ROUND[c.ch]) {
        y++;
        continue;
      }
      let e = y + 1;
      while (e < nRows && rows[e][x].fg === c.fg && !ROUND[rows[e][x].ch] && straight(armsAt(x, e), false) && armsAt(x, e)[2] === a[2]) e++;
      const xc = x * cw + cw / 2;
      for (const off of a[2] === 3 ? [-gap, gap] : [0]) add(c.fg, a[2] === 2 ? heavy : light, `M${P(xc + off, y * ch)}V${num(e * ch)}`);
      for (let i = y; i < e; i++) done[i][x] = true;
      y = e;
    }
  }

  // A cell with double lines. Each line of a double arm stops at the nearer line of a
  // perpendicular arm on its side, runs on through the centre when the opposite arm continues it,
  // and otherwise turns the corner (reaching the far line of the other perpendicular arm).
  let fgNow;
  const drawDouble = (a, xc, yc) => {
    const off = (w) => (w === 3 ? gap : 0);
    a.forEach((w, i) => {
      if (!w) return;
      const horizontal = i < 2;
      const opp = a[i ^ 1];
      const sides = horizontal ? [2, 3] : [0, 1];
      const dir = i % 2 === 0 ? -1 : 1;
      const edge = horizontal ? cw / 2 : ch / 2;
      const line = (perp, tEnd) => {
        const t0 = tEnd - light / 2;
        add(
          fgNow,
          w === 2 ? heavy : light,
          horizontal
            ? `M${P(xc + dir * t0, yc + perp)}L${P(xc + dir * edge, yc + perp)}`
            : `M${P(xc + perp, yc + dir * t0)}L${P(xc + perp, yc + dir * edge)}`,
        );
      };
      const [p1, p2] = sides.map((k) => a[k]);
      if (w === 3) {
        [p1, p2].forEach((p, k) => line(k ? gap : -gap, p ? off(p) : opp ? 0 : -off(k ? p1 : p2)));
      } else if (p1 && p2) {
        line(0, opp ? 0 : Math.max(off(p1), off(p2)));
      } else {
        line(0, opp || !(p1 || p2) ? 0 : -off(p1 || p2));
      }
    });
  };

  for (let y = 0; y < nRows; y++) {
    for (let x = 0; x < nCols; x++) {
      const c = rows[y][x];
      if (c.width === 0) continue;
      const x0 = x * cw;
      const y0 = y * ch;
      const x1 = x0 + cw;
      const y1 = y0 + ch;
      const xc = x0 + cw / 2;
      const yc = y0 + ch / 2;
      if (ROUND[c.ch]) {
        const [l, , u] = ROUND[c.ch];
        const hx = l ? x0 : x1;
        const vy = u ? y0 : y1;
        add(c.fg, light, `M${P(hx, yc)}Q${P(xc, yc)} ${P(xc, vy)}`);
        continue;
      }
      if (c.ch in DIAGONAL) {
        const k = DIAGONAL[c.ch];
        if (k & 1) add(c.fg, light, `M${P(x0, y1)}L${P(x1, y0)}`);
        if (k & 2) add(c.fg, light, `M${P(x0, y0)}L${P(x1, y1)}`);
        continue;
      }
      if (c.ch in SHADE) {
        rects.push({ x: x0, y: y0, w: cw, h: ch, fg: c.fg, opacity: SHADE[c.ch], ch: c.ch });
        continue;
      }
      const blocks = blockRects(c.ch);
      if (blocks) {
        for (const [a, b, cx, d] of blocks) rects.push({ x: x0 + a * cw, y: y0 + b * ch, w: (cx - a) * cw, h: (d - b) * ch, fg: c.fg, ch: c.ch });
        continue;
      }
      const a = BOX.get(c.ch);
      if (!a || done[y][x]) continue;
      fgNow = c.fg;
      const [l, r, u, d] = a;
      const arms = [l, r, u, d].filter(Boolean).length;
      const ends = [
        [x0, yc],
        [x1, yc],
        [xc, y0],
        [xc, y1],
      ];
      if (a.includes(3)) {
        drawDouble(a, xc, yc);
        continue;
      }
      // A corner of one weight: one polyline through the centre, so the join is mitred.
      if (arms === 2 && (l || r) && (u || d)) {
        const h = l || r;
        const v = u || d;
        if (h === v && h !== 3) {
          add(c.fg, h === 2 ? heavy : light, `M${P(...ends[l ? 0 : 1])}L${P(xc, yc)}L${P(...ends[u ? 2 : 3])}`);
          continue;
        }
      }
      // Junctions and mixed weights: each arm from the centre to its edge, reaching back across
      // the lines it meets so the join has no notch.
      const thick = (w) => (w === 2 ? heavy : w === 3 ? light + gap * 2 : w ? light : 0);
      const across = [Math.max(thick(u), thick(d)) / 2, Math.max(thick(l), thick(r)) / 2];
      a.forEach((w, i) => {
        if (!w) return;
        const sw = w === 2 ? heavy : light;
        const horizontal = i < 2;
        const dir = i % 2 === 0 ? -1 : 1;
        const back = across[horizontal ? 0 : 1];
        const start = horizontal ? [xc - dir * back, yc] : [xc, yc - dir * back];
        for (const off of w === 3 ? [-gap, gap] : [0]) {
          const s = horizontal ? [start[0], start[1] + off] : [start[0] + off, start[1]];
          const e = horizontal ? [ends[i][0], ends[i][1] + off] : [ends[i][0] + off, ends[i][1]];
          add(c.fg, sw, `M${P(...s)}L${P(...e)}`);
        }
      });
    }
  }

  const out = [];
  for (const [k, d] of paths) {
    const [fg, w] = k.split(' ');
    out.push(`<path d="${d}" fill="none" stroke="${fg}" stroke-width="${w}"/>`);
  }
  // Block characters: neighbours of the same kind and colour become one rect.
  rects.sort((a, b) => a.y - b.y || a.x - b.x);
  let prev;
  const merged = [];
  for (const r of rects) {
    if (prev && prev.ch === r.ch && prev.fg === r.fg && Math.abs(prev.y - r.y) < 0.01 && Math.abs(prev.h - r.h) < 0.01 && Math.abs(prev.x + prev.w - r.x) < 0.01) {
      prev.w += r.w;
      continue;
    }
    prev = { ...r };
    merged.push(prev);
  }
  for (const r of merged) {
    const op = r.opacity ? ` fill-opacity="${r.opacity}"` : '';
    out.push(`<rect x="${num(r.x)}" y="${num(r.y)}" width="${num(r.w)}" height="${num(r.h)}" fill="${r.fg}"${op}/>`);
  }
  return out;
}
