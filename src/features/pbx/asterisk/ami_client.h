/*
 * The AMI client: one TCP connection to Asterisk's manager port, on the
 * loop. It connects, reads the banner, logs in, waits for Asterisk's
 * FullyBooted (sent at once to a login after the boot; not waited for
 * when the events asked for leave out the "system" class), then sends
 * actions with ActionIDs of its own and hands each answer to the action's
 * callback (a list answer whole: the response, its events, its closing
 * event), and every other event to the event callback. When the connection drops
 * (Asterisk restarted) every waiting action fails at once and the client
 * connects again after a back-off that doubles up to a ceiling.
 *
 * Everything is capped: a message by the reader (ami_parse.h), the actions
 * in flight, a list's events, the bytes queued for writing. A stream over
 * a cap is dropped and connected again. Callbacks run on the loop thread,
 * inside the core (core_enter). The program ignores SIGPIPE (difosd does):
 * Asterisk may go while an action is written, which the reading side
 * then reports.
 */
#ifndef DIFOS_AMI_CLIENT_H
#define DIFOS_AMI_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

#include "features/pbx/asterisk/ami_parse.h"

struct ami_client;

/* Zero fields take the defaults in brackets. */
struct ami_config {
	const char *host;             /* an IP address [127.0.0.1] */
	int port;                     /* [5038] */
	const char *username, *secret;
	const char *events;           /* Login's "Events:": "on", "off", "system,call"... [on] */
	unsigned connect_timeout_ms;  /* TCP connect, banner and login [5000] */
	unsigned boot_timeout_ms;     /* then FullyBooted [60000] */
	unsigned action_timeout_ms;   /* an action's whole answer [10000] */
	unsigned backoff_min_ms;      /* first wait before connecting again [500] */
	unsigned backoff_max_ms;      /* the ceiling of the doubling [30000] */
	unsigned ping_ms;             /* a Ping when idle this long; no answer: reconnect [20000] */
	unsigned max_pending;         /* actions waiting for an answer [256] */
	unsigned max_list_items;      /* events of one list answer [20000] */
	unsigned max_queued_bytes;    /* written but not yet sent [1 MiB] */
};

/* The answer to one action. */
struct ami_reply {
	const struct ami_msg *response;     /* "Response: Success|Error|Goodbye..." */
	struct ami_msg *const *items;       /* a list answer's events, in order */
	size_t n_items;
	const struct ami_msg *complete;     /* its closing event ("EventList: Complete") */
};

/* Exactly once per action sent: err NULL and the reply (whose response
 * may still say "Error": ami_reply_ok), or err saying why there is none
 * (no answer in time, connection lost, client stopped, list over its cap). */
typedef void (*ami_reply_fn)(void *arg, const char *err, const struct ami_reply *reply);
/* An event that answers no action of ours. */
typedef void (*ami_event_fn)(void *arg, const struct ami_msg *event);
/* Logged in (connected true) or no longer (why says what happened). */
typedef void (*ami_state_fn)(void *arg, bool connected, const char *why);

/* NULL with *err (the caller frees it) when the configuration is unusable. */
struct ami_client *ami_client_new(uv_loop_t *loop, const struct ami_config *cfg,
				  ami_state_fn on_state, ami_event_fn on_event, void *arg,
				  char **err);
/* Connects, and keeps connecting until ami_client_free. */
void ami_client_start(struct ami_client *c);
/* Fails every waiting action ("client stopped"), closes the connection;
 * the memory goes when libuv has closed the handles. Callable from any of
 * the client's callbacks. */
void ami_client_free(struct ami_client *c);

bool ami_client_connected(const struct ami_client *c);

/* Sends an action (kv as for ami_action_write) and calls fn(arg, ...)
 * with its answer within timeout_ms (0: the configured default). -1 with
 * *err (the caller frees it) and fn never called: not logged in, too many
 * waiting, too much queued, or refused by the writer (a line break in a
 * value...). */
int ami_client_send(struct ami_client *c, const char *action, const char *const *kv,
		    unsigned timeout_ms, ami_reply_fn fn, void *arg, char **err);

/* "Response: Success" (or "Follows", old Asterisk's Command). */
bool ami_reply_ok(const struct ami_reply *r);

/* For status: {state, address, version, since, reconnects, error,
 * pending, events, dropped}. */
json_t *ami_client_status(const struct ami_client *c);

#endif
