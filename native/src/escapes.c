/*
 * The bytes a frame is written in (diff.c): numbers, SGR styles, cursor moves and UTF-8, as
 * src/render/bytes.ts and the SGR writers of src/render/diff.ts write them.
 */
#include <stdbool.h>
#include <string.h>

#include "escapes.h"

/* Colour modes, as grid.ts's COLOR. */
#define COLOR_MODE 0x3000000u
#define COLOR_P16 0x1000000u
#define COLOR_P256 0x2000000u
#define COLOR_RGB 0x3000000u

size_t put_int(uint8_t *b, size_t n, uint32_t v) {
  char tmp[10];
  int k = 0;
  do {
    tmp[k++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (k > 0) b[n++] = (uint8_t)tmp[--k];
  return n;
}

static size_t put_str(uint8_t *b, size_t n, const char *s) {
  size_t len = strlen(s);
  memcpy(b + n, s, len);
  return n + len;
}

static size_t put_colour(uint8_t *b, size_t n, uint32_t c, bool is_bg) {
  uint32_t v = c & 0xffffff;
  switch (c & COLOR_MODE) {
    case COLOR_P16:
      b[n++] = ';';
      return put_int(b, n, (v < 8 ? 30 : 82) + v + (is_bg ? 10 : 0));
    case COLOR_P256:
      return put_int(b, put_str(b, n, is_bg ? ";48;5;" : ";38;5;"), v);
    case COLOR_RGB:
      n = put_int(b, put_str(b, n, is_bg ? ";48;2;" : ";38;2;"), (v >> 16) & 255);
      b[n++] = ';';
      n = put_int(b, n, (v >> 8) & 255);
      b[n++] = ';';
      return put_int(b, n, v & 255);
    default:
      return n;
  }
}

static const char *const SGR_ATTRS[8] = {";1", ";2", ";3", ";4", ";5", ";7", ";8", ";9"};

static size_t put_sgr(uint8_t *b, size_t n, uint32_t fg, uint32_t bg, uint32_t attrs) {
  n = put_str(b, n, "\x1b[0");
  for (int bit = 0; bit < 8; bit++)
    if (attrs & (1u << bit)) n = put_str(b, n, SGR_ATTRS[bit]);
  n = put_colour(b, n, fg, false);
  n = put_colour(b, n, bg, true);
  b[n++] = 'm';
  return n;
}

/* SGR codes that turn an attribute off, by attribute bit (bold and dim share 22: handled apart). */
static const char *const SGR_OFF[8] = {NULL, NULL, ";23", ";24", ";25", ";27", ";28", ";29"};
#define BOLD_DIM 3u

/* Only what changed, into `s` from 0 (diff.ts's putDelta); returns its length. */
static size_t put_delta(uint8_t *s, uint32_t pen_fg, uint32_t pen_bg, uint32_t pen_attrs, uint32_t fg, uint32_t bg,
                        uint32_t attrs) {
  size_t k = 1;
  uint32_t removed = pen_attrs & ~attrs, added = attrs & ~pen_attrs;
  if (removed & BOLD_DIM) {
    k = put_str(s, k, ";22");
    added |= attrs & BOLD_DIM;
  }
  for (int bit = 2; bit < 8; bit++)
    if (removed & (1u << bit)) k = put_str(s, k, SGR_OFF[bit]);
  for (int bit = 0; bit < 8; bit++)
    if (added & (1u << bit)) k = put_str(s, k, SGR_ATTRS[bit]);
  if (fg != pen_fg) k = (fg & COLOR_MODE) == 0 ? put_str(s, k, ";39") : put_colour(s, k, fg, false);
  if (bg != pen_bg) k = (bg & COLOR_MODE) == 0 ? put_str(s, k, ";49") : put_colour(s, k, bg, true);
  s[0] = 0x1b;
  s[1] = '[';
  s[k++] = 'm';
  return k;
}

/* The pen from its style to (fg, bg, attrs): the reset form or, when shorter, the change alone
 * (diff.ts's putStyle). An unknown pen (-1) gets the reset form. */
size_t put_style(uint8_t *b, size_t n, int64_t pen_fg, int64_t pen_bg, int64_t pen_attrs, uint32_t fg, uint32_t bg,
                        uint32_t attrs) {
  size_t end = put_sgr(b, n, fg, bg, attrs);
  if (pen_fg < 0 || pen_bg < 0 || pen_attrs < 0) return end;
  uint8_t s[128];
  size_t len = put_delta(s, (uint32_t)pen_fg, (uint32_t)pen_bg, (uint32_t)pen_attrs, fg, bg, attrs);
  if (len >= end - n) return end;
  memcpy(b + n, s, len);
  return n + len;
}

size_t put_move(uint8_t *b, size_t n, uint32_t y, uint32_t x) {
  b[n++] = 0x1b;
  b[n++] = '[';
  n = put_int(b, n, y + 1);
  b[n++] = ';';
  n = put_int(b, n, x + 1);
  b[n++] = 'H';
  return n;
}

size_t put_code_point(uint8_t *b, size_t n, uint32_t cp) {
  if (cp < 0x80) {
    b[n++] = (uint8_t)cp;
  } else if (cp < 0x800) {
    b[n++] = (uint8_t)(0xc0 | (cp >> 6));
    b[n++] = (uint8_t)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    b[n++] = (uint8_t)(0xe0 | (cp >> 12));
    b[n++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    b[n++] = (uint8_t)(0x80 | (cp & 0x3f));
  } else {
    b[n++] = (uint8_t)(0xf0 | (cp >> 18));
    b[n++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    b[n++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    b[n++] = (uint8_t)(0x80 | (cp & 0x3f));
  }
  return n;
}
