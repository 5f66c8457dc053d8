// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * term.c - the refresh loop shared by watch and top: one tick per interval,
 * 'q' (terminal without line buffering, restored on every way out),
 * Ctrl-C, SIGTERM or --count end it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "ringctl.h"

static volatile sig_atomic_t rc_stop;
static struct termios saved_tio;
static bool tio_saved;

/* SIGINT, SIGTERM: ask the loop to end (it restores the terminal). */
static void on_signal(int sig)
{
	(void)sig;
	rc_stop = 1;
}

/**
 * rc_catch_signals() - make SIGINT and SIGTERM end loops and holds cleanly
 *
 * No SA_RESTART: a sleeping poll() returns EINTR at once.
 */
void rc_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/** rc_stop_requested() - has a signal asked us to stop? */
bool rc_stop_requested(void)
{
	return rc_stop != 0;
}

/* Put the terminal back as we found it; safe to call twice. */
static void term_restore(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = false;
	}
}

/* Read keys one at a time, unechoed; output and signals stay as they were. */
static void term_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio))
		return;
	t = saved_tio;
	t.c_lflag &= (tcflag_t)~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t))
		return;
	tio_saved = true;
	atexit(term_restore);
}

/*
 * Wait up to @ms for a key or a signal.
 * Return: true when the loop must end ('q', Ctrl-C, end of input on a tty).
 */
static bool wait_key(unsigned int ms, bool keys)
{
	__u64 deadline = rc_now_ns() + (__u64)ms * 1000000ull;

	while (!rc_stop) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		__u64 now = rc_now_ns();
		int n;
		char c;

		if (now >= deadline)
			return false;
		n = poll(&pfd, keys ? 1 : 0, (int)((deadline - now + 999999) / 1000000));
		if (n < 0 && errno != EINTR)
			return false;
		if (n <= 0)
			continue;
		if (read(STDIN_FILENO, &c, 1) != 1)
			return true;	/* the terminal went away */
		if (c == 'q' || c == 'Q' || c == 3 /* ^C without ISIG */)
			return true;
	}
	return true;
}

/**
 * rc_refresh_loop() - call @tick every @interval_ms until told to stop
 * @count: ticks to run; 0 for no limit
 * @interval_ms: time between ticks
 * @tick: prints one refresh; a non-zero return ends the loop with it
 * @arg: for @tick
 *
 * When stdin is a terminal, keys are read unbuffered and 'q' quits; the
 * terminal is restored on every exit (including SIGINT and SIGTERM).  When
 * stdout is a terminal @tick is told so (it clears the screen first);
 * otherwise it prints one block per refresh.
 *
 * Return: RC_OK when stopped by 'q', a signal or @count; else @tick's code.
 */
int rc_refresh_loop(unsigned int count, unsigned int interval_ms, rc_tick_fn tick,
		    void *arg)
{
	bool tty = isatty(STDOUT_FILENO) && !rc_g.json;
	bool keys = isatty(STDIN_FILENO);
	unsigned int iter;
	int rc = RC_OK;

	rc_catch_signals();
	if (keys)
		term_raw();
	for (iter = 0; !count || iter < count; iter++) {
		rc = tick(arg, iter, tty);
		fflush(stdout);
		if (rc || (count && iter + 1 == count))
			break;
		if (wait_key(interval_ms, keys))
			break;
	}
	term_restore();
	return rc;
}
