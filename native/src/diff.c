/*
 * diffCells: the frame's diff (src/render/diff.ts, diffInto) over the grids' typed arrays, for grids
 * holding no text of several code points (nearly always; the caller checks). Same bytes, same
 * updates to the shown grid and the row marks as the JavaScript, which stays as the fallback and
 * as the oracle of test/render/diff-native.test.ts.
 *
 * Why native: it compares every cell of every changed row (~20,000 a frame of four scrolling
 * panes) and writes ~5,000; bench/frame-cost.js put it at over half of a frame's CPU in V8.
 *
 * diffCells(next, shown, rows, touched, width, height, buf, state) where `next` and `shown` are
 * arrays [codes, widths, fg, bg, attrs] (Uint32Array, Uint8Array, Uint32Array, Uint32Array,
 * Uint16Array, width*height each), `rows` the rows to compare (Uint8Array, cleared as compared),
 * `touched` next's own row marks (an orphaned half of a wide character is blanked and its row marked
 * again, as Grid.set does), `buf` the output and `state` an Int32Array of 8: [end of the bytes, row
 * and column to resume at (-1: from the start), the pen's fg, bg and attrs (-1: unknown), the
 * cursor's column and row (-1: unknown)]. Returns true when done; false when `buf` has no room
 * for another cell, with `state` saved: the caller grows the buffer and calls again.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

#include "diff.h"
#include "escapes.h"

/* The most one cell can add: bytes.ts allows 72 (a move to rows and columns below 100,000); here a
 * move to any two uint32s fits, with the longest SGR (54) and a code point (4). */
#define MAX_CELL_BYTES 96

typedef struct {
  uint32_t *codes;
  uint8_t *widths;
  uint32_t *fg;
  uint32_t *bg;
  uint16_t *attrs;
} grid_t;

/* Unchanged cells written again rather than stepped over, at most (diff.ts's BRIDGE_MAX). */
#define BRIDGE_MAX 4

/* The cursor `gap` cells right on its row, over unchanged cells from `i`: diff.ts's putForward. */
static size_t put_forward(uint8_t *b, size_t n, const grid_t *g, size_t i, uint32_t gap, int64_t fg, int64_t bg,
                          int64_t attrs) {
  if (gap <= BRIDGE_MAX) {
    uint32_t k = 0;
    for (; k < gap; k++) {
      size_t j = i + k;
      uint32_t c = g->codes[j];
      if (g->widths[j] != 1 || (c != 0 && (c < 0x20 || c >= 0x7f)) || (int64_t)g->fg[j] != fg || (int64_t)g->bg[j] != bg ||
          (int64_t)g->attrs[j] != attrs)
        break;
    }
    if (k == gap) {
      for (k = 0; k < gap; k++) b[n++] = (uint8_t)(g->codes[i + k] ? g->codes[i + k] : 0x20);
      return n;
    }
  }
  b[n++] = 0x1b;
  b[n++] = '[';
  if (gap > 1) n = put_int(b, n, gap);
  b[n++] = 'C';
  return n;
}


static void copy_cell(const grid_t *to, const grid_t *from, size_t i) {
  to->codes[i] = from->codes[i];
  to->widths[i] = from->widths[i];
  to->fg[i] = from->fg[i];
  to->bg[i] = from->bg[i];
  to->attrs[i] = from->attrs[i];
}

enum { S_N, S_Y, S_X, S_FG, S_BG, S_ATTRS, S_CURX, S_CURY, S_LEN };

/* The state a call leaves for the caller (and for the next call, when it stopped for room). */
static void save(int32_t *st, size_t n, int32_t y, int32_t x, int64_t fg, int64_t bg, int64_t attrs, int64_t cur_x,
                 int64_t cur_y) {
  st[S_N] = (int32_t)n;
  st[S_Y] = y;
  st[S_X] = x;
  st[S_FG] = (int32_t)fg;
  st[S_BG] = (int32_t)bg;
  st[S_ATTRS] = (int32_t)attrs;
  st[S_CURX] = (int32_t)cur_x;
  st[S_CURY] = (int32_t)cur_y;
}

/* The diff itself; false when `cap` ran out (state saved). */
static bool diff_cells(const grid_t *next, const grid_t *shown, uint8_t *rows, uint8_t *touched, uint32_t w, uint32_t h,
                       uint8_t *b, size_t cap, int32_t *st) {
  size_t n = (size_t)st[S_N];
  int64_t pen_fg = st[S_FG], pen_bg = st[S_BG], pen_attrs = st[S_ATTRS];
  int64_t cur_x = st[S_CURX], cur_y = st[S_CURY];
  uint32_t y0 = st[S_Y] < 0 ? 0 : (uint32_t)st[S_Y];
  bool resume = st[S_Y] >= 0;
  for (uint32_t y = y0; y < h; y++) {
    uint32_t x = 0;
    if (resume) {
      x = (uint32_t)st[S_X];
      resume = false;
    } else {
      if (!rows[y]) continue;
      rows[y] = 0;
    }
    size_t row = (size_t)y * w;
    for (; x < w; x++) {
      size_t i = row + x;
      if (next->codes[i] == shown->codes[i] && next->fg[i] == shown->fg[i] && next->bg[i] == shown->bg[i] &&
          next->attrs[i] == shown->attrs[i] && next->widths[i] == shown->widths[i])
        continue;
      if (n + MAX_CELL_BYTES > cap) {
        save(st, n, (int32_t)y, (int32_t)x, pen_fg, pen_bg, pen_attrs, cur_x, cur_y);
        return false;
      }
      if (next->widths[i] == 0) {
        if (x > 0 && next->widths[i - 1] == 2) {
          x -= 1;
          i -= 1;
        } else {
          next->codes[i] = 0x20;
          next->widths[i] = 1;
          next->attrs[i] = 0;
          touched[y] = 1;
        }
      }
      if (cur_x != (int64_t)x || cur_y != (int64_t)y)
        n = cur_y == (int64_t)y && cur_x >= 0 && cur_x < (int64_t)x
                ? put_forward(b, n, next, row + (size_t)cur_x, x - (uint32_t)cur_x, pen_fg, pen_bg, pen_attrs)
                : put_move(b, n, y, x);
      uint32_t fg = next->fg[i], bg = next->bg[i], attrs = next->attrs[i];
      if ((int64_t)fg != pen_fg || (int64_t)bg != pen_bg || (int64_t)attrs != pen_attrs) {
        n = put_style(b, n, pen_fg, pen_bg, pen_attrs, fg, bg, attrs);
        pen_fg = fg;
        pen_bg = bg;
        pen_attrs = attrs;
      }
      uint32_t c = next->codes[i];
      n = put_code_point(b, n, c == 0 ? 0x20 : c);
      copy_cell(shown, next, i);
      if (next->widths[i] == 2 && x + 1 < w) {
        x += 1;
        copy_cell(shown, next, i + 1);
      }
      cur_x = x + 1;
      cur_y = y;
      if (cur_x >= w) cur_x = -1;
    }
  }
  save(st, n, -1, 0, pen_fg, pen_bg, pen_attrs, cur_x, cur_y);
  return true;
}

/* The data of a typed array of the given type and at least `len` elements, or NULL. */
static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return NULL;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok) return NULL;
  return type == want && length >= len ? data : NULL;
}

static bool grid_arg(napi_env env, napi_value arr, size_t len, grid_t *g) {
  napi_value v[5];
  for (uint32_t k = 0; k < 5; k++)
    if (napi_get_element(env, arr, k, &v[k]) != napi_ok) return false;
  g->codes = typed(env, v[0], napi_uint32_array, len);
  g->widths = typed(env, v[1], napi_uint8_array, len);
  g->fg = typed(env, v[2], napi_uint32_array, len);
  g->bg = typed(env, v[3], napi_uint32_array, len);
  g->attrs = typed(env, v[4], napi_uint16_array, len);
  return g->codes && g->widths && g->fg && g->bg && g->attrs;
}

static napi_value diff_cells_js(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t w = 0, h = 0;
  grid_t next, shown;
  uint8_t *rows = NULL, *touched = NULL, *buf = NULL;
  int32_t *st = NULL;
  size_t cap = 0;
  bool ok = argc == 8 && napi_get_value_uint32(env, argv[4], &w) == napi_ok &&
            napi_get_value_uint32(env, argv[5], &h) == napi_ok;
  size_t len = (size_t)w * h;
  ok = ok && grid_arg(env, argv[0], len, &next) && grid_arg(env, argv[1], len, &shown) &&
       (rows = typed(env, argv[2], napi_uint8_array, h)) != NULL &&
       (touched = typed(env, argv[3], napi_uint8_array, h)) != NULL &&
       (st = typed(env, argv[7], napi_int32_array, S_LEN)) != NULL;
  if (ok) {
    void *data;
    ok = napi_get_buffer_info(env, argv[6], &data, &cap) == napi_ok && data != NULL && st[S_N] >= 0 &&
         (size_t)st[S_N] <= cap;
    buf = data;
  }
  if (!ok) {
    napi_throw_type_error(env, NULL, "diffCells: bad arguments");
    return NULL;
  }
  napi_value result;
  napi_get_boolean(env, diff_cells(&next, &shown, rows, touched, w, h, buf, cap, st), &result);
  return result;
}

void agents_diff_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"diffCells", NULL, diff_cells_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
