/*
 * A terminal handed from the Node client to agents-attach (addon.c handOver, attach.c --adopt): the
 * raw mode both set, and the person's own modes carried across the exec as hex, to be restored at
 * the end. Both sides are built together, so the struct's layout is the same on each.
 */
#ifndef AGENTS_TTY_H
#define AGENTS_TTY_H

#include <signal.h>
#include <stddef.h>
#include <termios.h>

/* The signals agents-attach takes as events (its signalfd), and handOver holds blocked across the exec. */
static inline void agents_attach_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGWINCH);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGHUP);
}

/* libuv's raw mode (uv_tty_set_mode UV_TTY_MODE_RAW), which the Node client gets from setRawMode. */
static inline struct termios agents_raw(struct termios t) {
  t.c_iflag &= ~(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  t.c_oflag |= ONLCR;
  t.c_cflag |= CS8;
  t.c_lflag &= ~(ECHO | ICANON | IEXTEN | ISIG);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  return t;
}

#define AGENTS_TERMIOS_HEX (2 * sizeof(struct termios) + 1)

static inline void agents_termios_to_hex(const struct termios *t, char out[AGENTS_TERMIOS_HEX]) {
  static const char digits[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)t;
  for (size_t i = 0; i < sizeof *t; i++) out[2 * i] = digits[p[i] >> 4], out[2 * i + 1] = digits[p[i] & 15];
  out[2 * sizeof *t] = 0;
}

/* 0 when `hex` is not exactly one struct termios. */
static inline int agents_termios_from_hex(const char *hex, struct termios *t) {
  unsigned char *p = (unsigned char *)t;
  for (size_t i = 0; i < sizeof *t; i++) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[2 * i + k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return 0;
      v = v * 16 + d;
    }
    p[i] = (unsigned char)v;
  }
  return hex[2 * sizeof *t] == 0;
}

#endif
