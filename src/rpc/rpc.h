/*
 * JSON-RPC 2.0: the one method table behind every door. Each method is
 * declared once, with its parameters as a schema table, who may call it,
 * and optionally its REST endpoints and its difosctl command. The REST
 * routes, the OpenAPI document, docs/api.md and difosctl's commands and
 * --help are all made from these tables; nothing lists methods by hand.
 */
#ifndef DIFOS_RPC_H
#define DIFOS_RPC_H

#include <jansson.h>
#include <stdbool.h>

#include "schema/schema.h"

struct api_req;
struct feature_env;

struct rpc_call {
	const char *method;
	json_t *params;       /* object (never NULL), checked against the method's params */
	const char *author;   /* who asks: "root", a user name, "token:<name>"; "" when nobody
			       * logged in (a public REST method) */
	const char *peer;     /* the REST caller's address, or NULL */
	/* what methods act on: the paths, the system backend, the loop and
	 * the apply engine (apply/feature.h); set once with rpc_set_env */
	const struct feature_env *env;
	json_t *error;        /* set by rpc_fail */
	/* rpc/run.c: where a later answer goes (NULL: the caller needs it now) */
	void (*done)(void *ctx, json_t *result, json_t *error, char *tail);
	void *done_ctx;
	struct rpc_later *later;   /* set by rpc_answer_later */
};

typedef json_t *(*rpc_fn)(struct rpc_call *c);

/* Who may call a method. Over REST an API token reaches a method only when
 * its scope covers the access (auth/scope.c holds that table); a browser
 * session reaches every admin-side one. A method that declares nothing is
 * RPC_ADMIN: only admin tokens, so a new method is never open by mistake. */
enum rpc_access {
	RPC_ADMIN = 0, /* the administrator: difosctl, a session, an admin-scope token */
	RPC_PUBLIC,    /* anyone over REST as well (the handler decides: login, confirm by token) */
	RPC_ROOT,      /* root on the machine only: difosctl (first-run link, password reset) */
	RPC_HOOK,      /* difosd's own helpers on the control socket (the DHCP client's events) */
	RPC_WEB,       /* difosd-web's own plumbing (http.request, events.subscribe): its
			* door, and root's control socket */
	RPC_READ,      /* a read that changes nothing: every token scope too */
	RPC_CONFIG,    /* staging, applying, confirming or rolling back the configuration:
			* config- and admin-scope tokens too */
	RPC_SESSION,   /* an interactive login only, never a token: API tokens themselves,
			* the password, logout (and difosctl) */
};
#define RPC_ACCESS_COUNT (RPC_SESSION + 1)

/* The doors a call arrives through. */
enum rpc_door {
	RPC_DOOR_CONTROL,  /* the control socket: difosctl and local scripts (root): every method */
	RPC_DOOR_WEB,      /* difosd-web's socket */
	RPC_DOOR_REST,     /* a REST request, authenticated (or not, for public methods) */
	RPC_DOOR_INSIDE,   /* the core calling itself (the dashboard gathers others' reads) */
};

/* How a REST request becomes the method's parameters (api/routes.c). */
enum rest_shape {
	REST_ARGS = 0,   /* GET, DELETE: the query (and {name} path segments), each value
			  * read as its parameter's kind; POST, PUT, PATCH: the body object */
	REST_DOC_PATH,   /* the URL below the pattern is a document path ("/dhcp/static_leases/3"
			  * -> param path), the query gives the rest */
	REST_DOC_VALUE,  /* the document path, and the whole body as param value */
	REST_DOC_KEYS,   /* the document path, and the body {key: value} as changes below it */
};

#define REST_WS  0x1   /* a WebSocket upgrade (GET) */

struct rpc_rest {
	const char *verb;        /* GET, POST, PUT, PATCH, DELETE */
	const char *path;        /* below /api/v1: "/tokens/{id}" */
	enum rest_shape shape;
	unsigned flags;
	int ok_status;           /* 200 unless set */
	const char *summary;     /* NULL: the method's help */
	/* NULL: the method is called; else this answers instead (REST-only
	 * endpoints that set cookies: login, logout, setup) */
	void (*handler)(struct api_req *r);
};

#define RPC_REST_MAX 2

/* What a command of its own gets from difosctl: the calls and the output mode. */
struct rpc_cli_ctx {
	bool json;
	/* Calls a method (params stolen); *result gets the result (owned). An exit code. */
	int (*call)(const char *method, json_t *params, json_t **result);
	/* Calls and prints: JSON with --json, else print (NULL: nothing). An exit code. */
	int (*show)(const char *method, json_t *params, void (*print)(const json_t *res));
};

/* difosctl's exit codes */
enum { CLI_OK = 0, CLI_REJECTED = 1, CLI_USAGE = 2, CLI_UNREACHABLE = 3, CLI_APPLY = 4 };

struct rpc_cli {
	const char *command;     /* "sqm-autofill" */
	/* the command's arguments, in order: names of parameters, each read as
	 * its kind; "name?" may be left out, "name..." takes the rest as a list */
	const char *args;
	const char *usage;       /* what --help shows after the command (NULL: from args) */
	const char *help;        /* NULL: the method's */
	/* prints the result without --json (NULL: nothing, the exit code tells) */
	void (*print)(const json_t *result);
	/* a command that does more than one call with its arguments */
	int (*run)(const struct rpc_cli_ctx *cli, int argc, char **argv);
};

/* When a method may run while an apply is running (rpc/run.c). Reads
 * (RPC_READ) and the login's methods (RPC_SESSION) run at any time; others
 * wait until the apply has finished, in the order they came. */
#define RPC_F_ANYTIME  0x1   /* runs at any time although it is no GET */
#define RPC_F_APPLIES  0x2   /* starts an apply: refused while one runs */

struct rpc_method {
	const char *name;
	rpc_fn fn;                      /* NULL: only the REST handler answers it */
	const char *help;               /* one line: what it does */
	const char *group;              /* the chapter in docs/api.md and difosctl --help */
	const struct sc_field *params;  /* terminated by { .name = NULL }; NULL: none */
	const char *result;             /* what it answers */
	enum rpc_access access;
	struct rpc_rest rest[RPC_REST_MAX];
	struct rpc_cli cli;
	unsigned flags;                 /* RPC_F_* */
};

/* The method tables of the core's parts (daemon/methods.c registers them). */

/* reasons, mapped to JSON-RPC codes and (by the web door) HTTP statuses */
#define RPC_INVALID      "invalid"      /* a value failed validation (422) */
#define RPC_BAD          "bad_request"  /* malformed call (400) */
#define RPC_UNAUTHORIZED "unauthorized" /* nobody logged in (401) */
#define RPC_FORBIDDEN    "forbidden"    /* not with these credentials (403) */
#define RPC_NOTFOUND     "not_found"    /* no such path/revision (404) */
#define RPC_CONFLICT     "conflict"     /* state forbids it now (409) */
#define RPC_APPLY        "apply_failed" /* rolled back (500-ish, 422 in web) */
#define RPC_INTERNAL     "internal"

void rpc_register(const struct rpc_method *methods);
/* The environment every call is given (NULL until set: offline tools). */
void rpc_set_env(const struct feature_env *env);
/* The method called name, or NULL. */
const struct rpc_method *rpc_find(const char *name);
/* Every registered method, in registration order. */
void rpc_each(void (*fn)(const struct rpc_method *m, void *arg), void *arg);

/* Handles one text frame; returns the response text (malloc'd) or NULL. */
char *rpc_handle_text(const char *text, size_t len, const char *author, enum rpc_door door);
/* Calls a method from inside the core (or, with RPC_DOOR_REST, for a REST
 * request from peer). Returns the result, or NULL with *error set to the
 * JSON-RPC error object (caller owns both). */
json_t *rpc_invoke(const char *method, json_t *params, const char *author, json_t **error);
json_t *rpc_invoke_from(enum rpc_door door, const char *method, json_t *params,
			const char *author, const char *peer, json_t **error);

/* Records an error on the call and returns NULL (for `return rpc_fail(...)`). */
json_t *rpc_fail(struct rpc_call *c, const char *reason, const char *path, const json_t *value,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Attach extra data (e.g. the full error list) to the recorded error. */
void rpc_fail_data(struct rpc_call *c, const char *key, json_t *value_stolen);

/*
 * Answers that come later (rpc/run.c). A handler whose work runs off the
 * loop (an apply) calls rpc_answer_later and returns NULL; it answers with
 * rpc_later_finish, on the loop thread, once. Callers that can wait give a
 * continuation; the others (rpc_invoke, rpc_handle) get the answer at once,
 * and rpc_answer_later returns NULL to them, so the handler does its work
 * on the spot.
 */
typedef void (*rpc_done_fn)(void *ctx, json_t *result, json_t *error, char *tail); /* owned */
struct rpc_later;
struct rpc_later *rpc_answer_later(struct rpc_call *c);
/* The later call, to record an error on (rpc_fail) before finishing. */
struct rpc_call *rpc_later_call(struct rpc_later *l);
/* Answers with result (stolen), or with the error recorded on the call. */
void rpc_later_finish(struct rpc_later *l, json_t *result);
/* The same with a tail: JSON text (stolen) the doors write right after the
 * response object, on its line, instead of inside it. A large answer made
 * once goes out as it is, and its reader (difosd-web, which asked for it)
 * does not parse it: http.request's body_follows. */
void rpc_later_finish_tail(struct rpc_later *l, json_t *result, char *tail);

/* Registers answer (kept and handed to every caller for a while, never
 * changed) so its JSON text is written once; returns answer. */
json_t *rpc_kept(json_t *answer);
/* answer's compact JSON text, malloc'd (written once for a kept answer) */
char *rpc_answer_text(const json_t *answer, size_t *len);

/* Calls a method from a door; done runs once, now or later. */
void rpc_invoke_async(enum rpc_door door, const char *method, json_t *params,
		      const char *author, const char *peer, rpc_done_fn done, void *ctx);
/* Handles one text frame; send gets the response text (malloc'd, owned)
 * now or later, once (NULL for a notification). */
void rpc_handle_text_async(const char *text, size_t len, const char *author, enum rpc_door door,
			   void (*send)(void *ctx, char *text), void *ctx);

/* The gate an apply closes while it runs: methods that are no reads wait
 * behind it (those that start an apply are refused with why). */
void rpc_gate_close(const char *why);
/* Opens it and runs the calls that waited, in order, until one closes it again. */
void rpc_gate_open(void);
bool rpc_gate_closed(void);
/* True when m may run while the gate is closed. */
bool rpc_runs_anytime(const struct rpc_method *m);

/* parameter helpers */
const char *rpc_str(struct rpc_call *c, const char *key);

/* params.c: parameters by their schema */
/* Checks params against m's table: unknown names, missing required ones and
 * values not of their kind are refused. 0, or -1 with the error on c. */
int rpc_params_check(const struct rpc_method *m, struct rpc_call *c);
/* The parameter called name of m, or NULL. */
const struct sc_field *rpc_param(const struct rpc_method *m, const char *name);
/* Text (a command-line argument, a query value) read as the parameter's
 * kind; NULL with a reason in why when it is not one. */
json_t *rpc_param_from_text(const struct sc_field *p, const char *text, char *why, size_t len);
/* The method's parameters and result as JSON (for methods, docs and OpenAPI). */
json_t *rpc_method_json(const struct rpc_method *m);
/* "admin", "public", ... */
const char *rpc_access_name(enum rpc_access a);

#endif
