/*
 * A modem's AT control port on the loop: the serial device opened raw
 * (termios), one command in flight at a time and a queue behind it, each
 * with a timeout, answered exactly once with its final result code and
 * its information lines. Unsolicited result codes (+CEREG, +CGEV, RING,
 * vendor "^..." ones) go to a callback of their own; a line that is the
 * command's echo (before ATE0) is skipped. When the device goes (hangup,
 * read error: the modem reset or was unplugged) every command waiting
 * fails at once and the gone callback says why. Callbacks run on the
 * loop thread inside the core (core_enter).
 */
#ifndef DIFOS_AT_PORT_H
#define DIFOS_AT_PORT_H

#include <stdbool.h>
#include <uv.h>

#include "features/network/wwan/at_parse.h"

#define AT_PORT_QUEUE_MAX 32
#define AT_ANSWER_LINES_MAX 32

struct at_port;

struct at_answer {
	const char *err;         /* NULL: answered; else "timeout", "port closed"... */
	enum at_kind final;      /* AT_OK, AT_ERROR, AT_CME_ERROR, AT_CMS_ERROR */
	int code;                /* the +CME/+CMS error's number, -1 none */
	char *const *lines;      /* the information lines, in order */
	size_t n_lines;
};

typedef void (*at_done_fn)(void *arg, const struct at_answer *a);
typedef void (*at_urc_fn)(void *arg, const char *line);
typedef void (*at_gone_fn)(void *arg, const char *why);

/* Opens path (a tty, or NULL with *err set, which the caller frees). */
struct at_port *at_port_open(uv_loop_t *loop, const char *path, at_urc_fn on_urc,
			     at_gone_fn on_gone, void *arg, char **err);
/* Queues cmd ("AT+CSQ", without the CR); prefix ("+CSQ") marks its
 * answer lines that could also be unsolicited ones. secret: the log shows
 * the command without its arguments. -1 when the queue is full or the
 * port is gone (fn not called). */
int at_port_send(struct at_port *p, const char *cmd, const char *prefix, unsigned timeout_ms,
		 bool secret, at_done_fn fn, void *arg);
/* Fails what waits ("port closed", callbacks run), closes the device; the
 * memory goes when libuv has closed the handles. Callable from a callback. */
void at_port_close(struct at_port *p);

#endif
