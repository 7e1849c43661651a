/* The server's words in agents-attach: JSON in (text.c), escaped text out. */
#ifndef AGENTS_TEXT_H
#define AGENTS_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A string as code points. */
struct text {
  uint32_t *cp;
  size_t n, cap;
};

/* Whether `t` is exactly the ASCII word `word`. */
int text_is(const struct text *t, const char *word);
void text_push(struct text *t, uint32_t c);

/*
 * The top-level members of the JSON object `body` named in `want` (NULL-terminated): a string into
 * texts[i] (have_text[i] set), or a boolean in bools[i] (1 true, 0 false, -1 absent or a string, -2
 * another value). 0 when the body is not one JSON object.
 */
int json_members(const unsigned char *body, size_t n, const char *const *want, struct text *texts, int *bools, int *have_text);

/* A JSON string literal of `t` into dst (room bytes, NUL-terminated); its length. */
size_t json_quote(char *dst, size_t room, const struct text *t);

/* `prefix` then `t` escaped as src/util/safe-text.ts printable does (newlines kept), trailing blanks trimmed, a newline; one write. */
void say(FILE *f, const char *prefix, const struct text *t);

#endif
