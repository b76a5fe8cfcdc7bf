/*
 * The web terminal's sessions (terminal_session.c) as its methods
 * (terminal.c) see them. A session is a ticket until difosd-web attaches
 * to it with its WebSocket, then a shell on a pseudo-terminal until the
 * shell exits, the socket closes, the admin closes it or it idles.
 */
#ifndef DIFOS_TERMINAL_INT_H
#define DIFOS_TERMINAL_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "apply/feature.h"

#define TERM_MAX_SESSIONS   4                 /* tickets and shells together */
#define TERM_TICKET_MS      (60 * 1000)       /* a ticket is used within a minute, once */
#define TERM_TICKET_BYTES   32
#define TERM_READ_MAX       (16 * 1024)       /* the shell's output per message */
#define TERM_UNACKED_MAX    (64 * 1024)       /* sent and not yet passed on by difosd-web */
#define TERM_INPUT_MAX      (256 * 1024)      /* keystrokes the shell has not read yet */
#define TERM_IDLE_DEFAULT   900               /* seconds without input */

void term_init(const struct feature_env *env);
void term_stop(void);
/* A new ticket for user at peer (hex, TERM_TICKET_BYTES*2+1); -1 when
 * TERM_MAX_SESSIONS are open. */
int term_ticket_new(const char *user, const char *peer, char *ticket_out);
/* Attaches difosd-web to the ticket's session and starts the shell.
 * Returns the session's id, or -1 with *why set. */
int term_attach(const char *ticket, const char *peer, unsigned cols, unsigned rows,
		const char **why);
/* What difosd-web passes on; unknown ids are ignored (a session that
 * ended meanwhile). */
void term_input(int id, const unsigned char *data, size_t len);
void term_resize(int id, unsigned cols, unsigned rows);
void term_acked(int id, size_t bytes);
/* Ends a session (the socket closed, the admin asked); false when no such. */
bool term_end(int id, const char *reason);
/* [{id, user, peer, state, opened, idle_seconds, bytes_in, bytes_out}] */
json_t *term_list(void);

#endif
