/* The bytes a frame is written in: escapes.c. Each writes at b[n] and returns the new end. */
#ifndef AGENTS_ESCAPES_H
#define AGENTS_ESCAPES_H
#include <stddef.h>
#include <stdint.h>

/* A number in decimal. */
size_t put_int(uint8_t *b, size_t n, uint32_t v);
/* CUP to row y, column x (from 0). */
size_t put_move(uint8_t *b, size_t n, uint32_t y, uint32_t x);
/* One code point as UTF-8 (a lone surrogate as U+FFFD). */
size_t put_code_point(uint8_t *b, size_t n, uint32_t cp);
/* The pen from (pen_fg, pen_bg, pen_attrs) to (fg, bg, attrs): from a reset, or only what changed
 * when that is shorter; an unknown pen (-1) gets the reset form. At most 54 bytes. */
size_t put_style(uint8_t *b, size_t n, int64_t pen_fg, int64_t pen_bg, int64_t pen_attrs, uint32_t fg, uint32_t bg,
                 uint32_t attrs);

#endif
