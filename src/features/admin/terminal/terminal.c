/*
 * Administration › Utilities › Terminal: a root shell in the browser. The
 * admin re-enters the password (terminal.open, a logged-in browser's
 * session only, throttled like a login) and gets a one-time ticket; the
 * browser opens wss://<router>/api/v1/terminal?ticket=... (subprotocol
 * difos-terminal) and difosd-web, having checked that the Origin is the
 * router's own, attaches with it (terminal.attach) and relays: keystrokes
 * in, the shell's output out as notifications, with acknowledgements
 * that hold the output back while the browser is slow.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "auth/auth.h"
#include "core/print.h"
#include "core/util.h"
#include "rpc/rpc.h"
#include "store/doc.h"
#include "terminal_int.h"

static const struct sc_field terminal_fields[] = {
	{ .name = "enabled", .kind = SC_BOOL, .def = "true", .title = "Enabled",
	  .help = "The web terminal may be opened (with the admin password)." },
	{ .name = "idle_timeout", .kind = SC_INT, .min = 5, .max = 86400, .def = "900",
	  .title = "Idle timeout (s)",
	  .help = "A terminal that gets no keystroke for this many seconds is closed.",
	  .when = { "enabled", (const char *const[]){ "true", NULL } } },
	{ .name = NULL }
};

static const struct sc_field terminal_section = {
	.name = "terminal", .kind = SC_OBJECT, .fields = terminal_fields, .title = "Terminal",
	.help = "The web terminal: a root shell in the browser.",
};

static const struct sc_field *const terminal_sections[] = { &terminal_section, NULL };

static bool terminal_enabled(struct rpc_call *c)
{
	const json_t *doc = c->env && c->env->engine ? c->env->engine->running : NULL;

	return !doc || doc_bool(doc, "terminal.enabled", true);
}

static json_t *terminal_open(struct rpc_call *c)
{
	const char *pw = rpc_str(c, "password");
	char ticket[TERM_TICKET_BYTES * 2 + 1];
	long long wait;

	if (!c->peer)
		return rpc_fail(c, RPC_FORBIDDEN, NULL, NULL,
				"the terminal opens in the web GUI; on the router, use its console");
	if (!terminal_enabled(c))
		return rpc_fail(c, RPC_CONFLICT, "terminal.enabled", NULL,
				"terminal.enabled: the web terminal is turned off");
	if ((wait = auth_throttle_wait(c->peer)) > 0)
		return rpc_fail(c, RPC_FORBIDDEN, "password", NULL,
				"too many failed attempts from %s; try again in %lld s", c->peer, wait);
	if (!auth_check_password(c->author, pw)) {
		auth_throttle_failed(c->peer, c->author);
		return rpc_fail(c, RPC_FORBIDDEN, "password", NULL,
				"password: not the password of %s", c->author);
	}
	auth_throttle_passed(c->peer);
	if (term_ticket_new(c->author, c->peer, ticket) < 0)
		return rpc_fail(c, RPC_CONFLICT, NULL, NULL,
				"%d terminals are open already: close one first", TERM_MAX_SESSIONS);
	return json_pack("{s:s, s:i, s:s, s:s}", "ticket", ticket, "expires_in",
			 TERM_TICKET_MS / 1000, "path", "/api/v1/terminal", "protocol",
			 "difos-terminal");
}

/* "https://" + host, exactly: a page of another site may open a WebSocket
 * to the router with the browser's cookies (cross-site WebSocket hijacking) */
static bool terminal_same_origin(const char *origin, const char *host)
{
	return origin && host && !strncmp(origin, "https://", 8) && !strcmp(origin + 8, host);
}

static json_t *terminal_attach(struct rpc_call *c)
{
	const char *why = NULL;
	int id;

	if (!terminal_same_origin(rpc_str(c, "origin"), rpc_str(c, "host")))
		return rpc_fail(c, RPC_FORBIDDEN, "origin", json_object_get(c->params, "origin"),
				"origin: not this router's page");
	if (!terminal_enabled(c))
		return rpc_fail(c, RPC_CONFLICT, "terminal.enabled", NULL,
				"terminal.enabled: the web terminal is turned off");
	id = term_attach(rpc_str(c, "ticket"), rpc_str(c, "peer"),
			 (unsigned)json_integer_value(json_object_get(c->params, "cols")),
			 (unsigned)json_integer_value(json_object_get(c->params, "rows")), &why);
	if (id < 0)
		return rpc_fail(c, RPC_FORBIDDEN, "ticket", NULL, "%s", why);
	return json_pack("{s:i}", "id", id);
}

static int terminal_id(struct rpc_call *c)
{
	return (int)json_integer_value(json_object_get(c->params, "id"));
}

static json_t *terminal_input(struct rpc_call *c)
{
	const char *b64 = rpc_str(c, "data");
	size_t len = strlen(b64), n = 0;
	unsigned char *bin = xmalloc(len / 4 * 3 + 3);

	if (sodium_base642bin(bin, len / 4 * 3 + 3, b64, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) < 0) {
		free(bin);
		return rpc_fail(c, RPC_INVALID, "data", NULL, "data: not base64");
	}
	term_input(terminal_id(c), bin, n);
	free(bin);
	return json_object();
}

static json_t *terminal_resize(struct rpc_call *c)
{
	term_resize(terminal_id(c), (unsigned)json_integer_value(json_object_get(c->params, "cols")),
		    (unsigned)json_integer_value(json_object_get(c->params, "rows")));
	return json_object();
}

static json_t *terminal_ack(struct rpc_call *c)
{
	term_acked(terminal_id(c), (size_t)json_integer_value(json_object_get(c->params, "bytes")));
	return json_object();
}

static json_t *terminal_detach(struct rpc_call *c)
{
	term_end(terminal_id(c), "closed");
	return json_object();
}

static json_t *terminal_sessions(struct rpc_call *c)
{
	(void)c;
	return term_list();
}

static json_t *terminal_close(struct rpc_call *c)
{
	int id = terminal_id(c);

	if (!term_end(id, "closed-by-admin"))
		return rpc_fail(c, RPC_NOTFOUND, "id", json_object_get(c->params, "id"),
				"id: no terminal %d is open", id);
	return json_pack("{s:i, s:b}", "id", id, "closed", 1);
}

static void terminal_print_sessions(const json_t *res)
{
	size_t i;
	json_t *s;

	if (!json_array_size(res)) {
		printf("no terminal is open\n");
		return;
	}
	printf("%-4s %-8s %-16s %-7s %8s %8s %10s %10s\n", "ID", "USER", "PEER", "STATE",
	       "SECONDS", "IDLE", "IN", "OUT");
	json_array_foreach(res, i, s)
		printf("%-4lld %-8s %-16s %-7s %8lld %8lld %10lld %10lld\n",
		       json_integer_value(json_object_get(s, "id")),
		       json_string_value(json_object_get(s, "user")),
		       json_string_value(json_object_get(s, "peer")),
		       json_string_value(json_object_get(s, "state")),
		       json_integer_value(json_object_get(s, "seconds")),
		       json_integer_value(json_object_get(s, "idle_seconds")),
		       json_integer_value(json_object_get(s, "bytes_in")),
		       json_integer_value(json_object_get(s, "bytes_out")));
}

static const struct sc_field open_params[] = {
	{ .name = "password", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the admin password, entered again" },
	{ .name = NULL }
};

static const struct sc_field attach_params[] = {
	{ .name = "ticket", .kind = SC_STRING, .flags = SC_F_REQUIRED | SC_F_SECRET,
	  .help = "the ticket terminal.open gave" },
	{ .name = "origin", .kind = SC_TEXT, .help = "the WebSocket's Origin header" },
	{ .name = "host", .kind = SC_TEXT, .help = "its Host header (:authority)" },
	{ .name = "peer", .kind = SC_TEXT, .flags = SC_F_REQUIRED, .help = "the browser's address" },
	{ .name = "cols", .kind = SC_INT, .min = 1, .max = 1000, .def = "80",
	  .help = "the terminal's width in characters" },
	{ .name = "rows", .kind = SC_INT, .min = 1, .max = 1000, .def = "24",
	  .help = "its height in lines" },
	{ .name = NULL }
};

#define TERM_ID_PARAM { .name = "id", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 1, \
			.max = 2147483647, .help = "the terminal's id (terminal.attach's)" }

static const struct sc_field input_params[] = {
	TERM_ID_PARAM,
	{ .name = "data", .kind = SC_TEXT, .flags = SC_F_REQUIRED,
	  .help = "keystrokes, base64" },
	{ .name = NULL }
};

static const struct sc_field resize_params[] = {
	TERM_ID_PARAM,
	{ .name = "cols", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 1, .max = 1000,
	  .help = "the width in characters" },
	{ .name = "rows", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 1, .max = 1000,
	  .help = "the height in lines" },
	{ .name = NULL }
};

static const struct sc_field ack_params[] = {
	TERM_ID_PARAM,
	{ .name = "bytes", .kind = SC_INT, .flags = SC_F_REQUIRED, .min = 0, .max = 2147483647,
	  .help = "output bytes handed to the browser's socket since the last" },
	{ .name = NULL }
};

static const struct sc_field id_params[] = {
	TERM_ID_PARAM,
	{ .name = NULL }
};

#define ADMIN "Administration"

static const struct rpc_method terminal_methods[] = {
	{ "terminal.open", terminal_open, "a one-time ticket (60 s) for the web terminal, after "
	  "the admin password entered again (throttled like a login); the browser then opens the "
	  "WebSocket wss://<router>/api/v1/terminal?ticket=<ticket>, subprotocol difos-terminal: "
	  "binary frames are keystrokes and output, a text frame {\"resize\":[cols,rows]} sets "
	  "the size", ADMIN, open_params, "{ticket, expires_in, path, protocol}", RPC_SESSION,
	  .rest = { { "POST", "/terminal/open" } } },
	{ "terminal.sessions", terminal_sessions, "the web terminals open, and tickets not yet "
	  "used", ADMIN, NULL,
	  "[{id, user, peer, state (ticket, open), seconds, idle_seconds, bytes_in, bytes_out}]",
	  RPC_READ, .rest = { { "GET", "/terminal/sessions" } },
	  .cli = { "terminal-sessions", .print = terminal_print_sessions } },
	{ "terminal.close", terminal_close, "closes a web terminal (its shell hangs up)", ADMIN,
	  id_params, "{id, closed: true}", RPC_ADMIN,
	  .rest = { { "POST", "/terminal/close" } },
	  .cli = { "terminal-close", "id", .print = print_json } },
	{ "terminal.attach", terminal_attach, "difosd-web's WebSocket takes a ticket: the shell "
	  "starts", "Internal", attach_params, "{id}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ "terminal.input", terminal_input, "keystrokes for a terminal", "Internal", input_params,
	  "{}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ "terminal.resize", terminal_resize, "a terminal's new size", "Internal", resize_params,
	  "{}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ "terminal.ack", terminal_ack, "output passed on to the browser: more may come",
	  "Internal", ack_params, "{}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ "terminal.detach", terminal_detach, "the terminal's WebSocket closed", "Internal",
	  id_params, "{}", RPC_WEB, .flags = RPC_F_ANYTIME },
	{ NULL }
};

static int terminal_init(const struct feature_env *env)
{
	term_init(env);
	return 0;
}

static void terminal_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	term_stop();
}

const struct feature feature_terminal = {
	.name = "terminal",
	.title = "Terminal",
	.sections = terminal_sections,
	.methods = terminal_methods,
	.init = terminal_init,
	.stop = terminal_stop,
};
