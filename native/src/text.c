/*
 * The workspace server's words in agents-attach (attach.c): just enough JSON to read a welcome, a
 * refusal and a bye and to quote a version, and the escaped form a message is shown in.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/*
 * Just enough JSON for a welcome, a refusal and a bye, as the server writes them (JSON.stringify of
 * a flat object): the top-level members, strings decoded to code points, true and false; anything
 * else is skipped whole. Malformed input ends the walk with an error.
 */

/* Whether `t` is exactly the ASCII word `word`. */
int text_is(const struct text *t, const char *word) {
  size_t len = strlen(word);
  if (t->n != len) return 0;
  for (size_t k = 0; k < len; k++)
    if (t->cp[k] != (unsigned char)word[k]) return 0;
  return 1;
}

void text_push(struct text *t, uint32_t c) {
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 64;
    t->cp = realloc(t->cp, t->cap * sizeof *t->cp);
    if (!t->cp) abort();
  }
  t->cp[t->n++] = c;
}

struct json {
  const unsigned char *s, *end;
};

static void skip_ws(struct json *j) {
  while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r')) j->s++;
}

static int hex4(const unsigned char *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return 0;
  }
  *out = v;
  return 1;
}

/* One UTF-8 character at *p (advanced past it); an invalid sequence reads as U+FFFD, as Node decodes. */
static uint32_t utf8_next(const unsigned char **p, const unsigned char *end) {
  const unsigned char *s = *p;
  unsigned char c = *s;
  int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
  if (len == 1) {
    *p = s + 1;
    return c;
  }
  if (len == 0 || end - s < len) {
    *p = s + 1;
    return 0xfffd;
  }
  uint32_t v = c & (0x7f >> len);
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) {
      *p = s + i;
      return 0xfffd;
    }
    v = (v << 6) | (s[i] & 0x3f);
  }
  *p = s + len;
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0xfffd;
  return v;
}

/* A string at j->s (its opening quote), decoded into `out` (which may be NULL: skipped). */
static int json_string(struct json *j, struct text *out) {
  if (j->s >= j->end || *j->s != '"') return 0;
  j->s++;
  while (j->s < j->end) {
    unsigned char c = *j->s;
    if (c == '"') {
      j->s++;
      return 1;
    }
    if (c < 0x20) return 0;
    if (c != '\\') {
      uint32_t cp = utf8_next(&j->s, j->end);
      if (out) text_push(out, cp);
      continue;
    }
    if (j->end - j->s < 2) return 0;
    unsigned char e = j->s[1];
    uint32_t cp;
    j->s += 2;
    switch (e) {
      case '"': cp = '"'; break;
      case '\\': cp = '\\'; break;
      case '/': cp = '/'; break;
      case 'b': cp = '\b'; break;
      case 'f': cp = '\f'; break;
      case 'n': cp = '\n'; break;
      case 'r': cp = '\r'; break;
      case 't': cp = '\t'; break;
      case 'u':
        if (j->end - j->s < 4 || !hex4(j->s, &cp)) return 0;
        j->s += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t lo;
          if (j->end - j->s >= 6 && j->s[0] == '\\' && j->s[1] == 'u' && hex4(j->s + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            j->s += 6;
          } else {
            cp = 0xfffd; /* a lone surrogate, written to a terminal by Node as U+FFFD */
          }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          cp = 0xfffd;
        }
        break;
      default: return 0;
    }
    if (out) text_push(out, cp);
  }
  return 0;
}

static int json_skip_value(struct json *j, int depth);

static int json_skip_container(struct json *j, int depth, unsigned char close) {
  j->s++;
  skip_ws(j);
  if (j->s < j->end && *j->s == close) {
    j->s++;
    return 1;
  }
  for (;;) {
    skip_ws(j);
    if (close == '}') {
      if (!json_string(j, NULL)) return 0;
      skip_ws(j);
      if (j->s >= j->end || *j->s != ':') return 0;
      j->s++;
    }
    if (!json_skip_value(j, depth + 1)) return 0;
    skip_ws(j);
    if (j->s >= j->end) return 0;
    if (*j->s == ',') {
      j->s++;
      continue;
    }
    if (*j->s != close) return 0;
    j->s++;
    return 1;
  }
}

static int json_skip_value(struct json *j, int depth) {
  skip_ws(j);
  if (j->s >= j->end || depth > 32) return 0;
  unsigned char c = *j->s;
  if (c == '"') return json_string(j, NULL);
  if (c == '{') return json_skip_container(j, depth, '}');
  if (c == '[') return json_skip_container(j, depth, ']');
  /* A number or a literal: up to the next delimiter. */
  const unsigned char *start = j->s;
  while (j->s < j->end && !strchr(",}] \t\r\n", *j->s)) j->s++;
  return j->s > start;
}

/*
 * The members a frame's body may give: `want` names the keys read (NULL-terminated), and for each
 * either a string (into texts[i]) or a boolean (bools[i]: 1 true, 0 false, -1 absent or a string,
 * -2 another value).
 * Returns 0 when the body is not a JSON object.
 */
int json_members(const unsigned char *body, size_t n, const char *const *want, struct text *texts, int *bools, int *have_text) {
  struct json j = {body, body + n};
  for (int i = 0; want[i]; i++) bools[i] = -1, have_text[i] = 0;
  skip_ws(&j);
  if (j.s >= j.end || *j.s != '{') return 0;
  j.s++;
  skip_ws(&j);
  if (j.s < j.end && *j.s == '}') return 1;
  for (;;) {
    struct text key = {0};
    skip_ws(&j);
    if (!json_string(&j, &key)) return free(key.cp), 0;
    skip_ws(&j);
    if (j.s >= j.end || *j.s != ':') return free(key.cp), 0;
    j.s++;
    skip_ws(&j);
    int which = -1;
    for (int i = 0; want[i] && which < 0; i++)
      if (text_is(&key, want[i])) which = i;
    free(key.cp);
    if (which >= 0 && j.s < j.end && *j.s == '"') {
      texts[which].n = 0;
      if (!json_string(&j, &texts[which])) return 0;
      have_text[which] = 1;
    } else if (which >= 0 && j.end - j.s >= 4 && memcmp(j.s, "true", 4) == 0) {
      bools[which] = 1;
      j.s += 4;
    } else if (which >= 0 && j.end - j.s >= 5 && memcmp(j.s, "false", 5) == 0) {
      bools[which] = 0;
      j.s += 5;
    } else if (!json_skip_value(&j, 0)) {
      return 0;
    } else if (which >= 0) {
      bools[which] = -2; /* there, but neither a string asked for nor a boolean */
    }
    skip_ws(&j);
    if (j.s >= j.end) return 0;
    if (*j.s == ',') {
      j.s++;
      continue;
    }
    if (*j.s != '}') return 0;
    j.s++;
    skip_ws(&j);
    return j.s == j.end;
  }
}

/* ---------------------------------------------------------------------------- what is shown */

static void put_utf8(FILE *f, uint32_t c) {
  if (c < 0x80) fputc((int)c, f);
  else if (c < 0x800) fputc(0xc0 | (c >> 6), f), fputc(0x80 | (c & 0x3f), f);
  else if (c < 0x10000) fputc(0xe0 | (c >> 12), f), fputc(0x80 | ((c >> 6) & 0x3f), f), fputc(0x80 | (c & 0x3f), f);
  else fputc(0xf0 | (c >> 18), f), fputc(0x80 | ((c >> 12) & 0x3f), f), fputc(0x80 | ((c >> 6) & 0x3f), f), fputc(0x80 | (c & 0x3f), f);
}

/* src/util/safe-text.ts `printable` with newlines kept: C0, DEL, C1, the line separators and bidi formatting shown escaped. */
static int unsafe(uint32_t c) {
  return (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* `prefix` then the server's words, escaped, trailing blanks trimmed (as trimEnd), and a newline. */
void say(FILE *f, const char *prefix, const struct text *t) {
  size_t n = t->n;
  /* JavaScript's trimEnd: white space and line terminators. */
  while (n > 0) {
    uint32_t c = t->cp[n - 1];
    if (c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff) n--;
    else break;
  }
  /* One write, as the TypeScript client makes (stderr is otherwise unbuffered: a write a character). */
  static char line[1 << 16];
  setvbuf(f, line, _IOFBF, sizeof line);
  fputs(prefix, f);
  for (size_t i = 0; i < n; i++) {
    uint32_t c = t->cp[i];
    if (!unsafe(c)) put_utf8(f, c);
    else if (c == '\t') fputs("\\t", f);
    else if (c == '\r') fputs("\\r", f);
    else if (c <= 0xff) fprintf(f, "\\x%02x", c);
    else fprintf(f, "\\u%04x", c);
  }
  fputc('\n', f);
  fflush(f);
}

/* A JSON string literal of `t` (the version, from package.json) into dst. */
size_t json_quote(char *dst, size_t room, const struct text *t) {
  size_t k = 0;
#define PUT(c) do { if (k + 1 < room) dst[k] = (char)(c); k++; } while (0)
  PUT('"');
  for (size_t i = 0; i < t->n; i++) {
    uint32_t c = t->cp[i];
    if (c == '"' || c == '\\') {
      PUT('\\');
      PUT(c);
    } else if (c < 0x20 || c > 0x7e) {
      char u[16];
      if (c > 0xffff) c = 0xfffd;
      snprintf(u, sizeof u, "\\u%04x", c);
      for (char *p = u; *p; p++) PUT(*p);
    } else {
      PUT(c);
    }
  }
  PUT('"');
#undef PUT
  if (room) dst[k < room ? k : room - 1] = 0;
  return k;
}

