/*
 * JSON-RPC 2.0 dispatch. One method table for every door: difosctl on
 * the control socket, difosd-web, and tests. A method is written once.
 */
#ifndef DIFOS_RPC_H
#define DIFOS_RPC_H

#include <jansson.h>
#include <stdbool.h>

struct feature_env;

struct rpc_call {
	const char *method;
	json_t *params;       /* object (never NULL) */
	const char *author;   /* who asks: "root", a user name */
	/* what methods act on: the paths, the system backend, the loop and
	 * the apply engine (apply/feature.h); set once with rpc_set_env */
	const struct feature_env *env;
	json_t *error;        /* set by rpc_fail */
};

typedef json_t *(*rpc_fn)(struct rpc_call *c);

struct rpc_method {
	const char *name;
	rpc_fn fn;
	const char *help;
};

/* reasons, mapped to JSON-RPC codes and (by the web door) HTTP statuses */
#define RPC_INVALID   "invalid"      /* a value failed validation (422) */
#define RPC_BAD       "bad_request"  /* malformed call (400) */
#define RPC_NOTFOUND  "not_found"    /* no such path/revision (404) */
#define RPC_CONFLICT  "conflict"     /* state forbids it now (409) */
#define RPC_APPLY     "apply_failed" /* rolled back (500-ish, 422 in web) */
#define RPC_INTERNAL  "internal"

void rpc_register(const struct rpc_method *methods);
/* The environment every call is given (NULL until set: offline tools). */
void rpc_set_env(const struct feature_env *env);
/* Handles one request object; returns the response object (NULL for a notification). */
json_t *rpc_handle(json_t *request, const char *author);
/* Handles one text frame; returns the response text (malloc'd) or NULL.
 * allowed: NULL-terminated method names this door may call (NULL: all). */
char *rpc_handle_text(const char *text, size_t len, const char *author,
		      const char *const *allowed);
/* Calls a method from inside the core. Returns the result, or NULL with
 * *error set to the JSON-RPC error object (caller owns both). */
json_t *rpc_invoke(const char *method, json_t *params, const char *author, json_t **error);

/* Records an error on the call and returns NULL (for `return rpc_fail(...)`). */
json_t *rpc_fail(struct rpc_call *c, const char *reason, const char *path, const json_t *value,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Attach extra data (e.g. the full error list) to the recorded error. */
void rpc_fail_data(struct rpc_call *c, const char *key, json_t *value_stolen);

/* parameter helpers */
const char *rpc_str(struct rpc_call *c, const char *key);
json_t *rpc_methods_list(void);

#endif
