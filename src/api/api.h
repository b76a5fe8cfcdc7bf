/*
 * The REST API, in the core. difosd-web forwards each /api/v1 request as
 * one `http.request` call: method, path, query, body text, cookie, CSRF
 * header, bearer token, Origin, Host and peer address. Here it is
 * authenticated, checked, routed to the same methods difosctl calls, and
 * answered with {status, headers, body}.
 */
#ifndef DIFOS_API_H
#define DIFOS_API_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"

#define API_PREFIX     "/api/v1"
#define API_MAX_BODY   (1024 * 1024)

struct auth_session;
struct feature_env;

struct api_req {
	/* request */
	const char *method;        /* GET, POST, PUT, PATCH, DELETE */
	const char *path;          /* below /api/v1, e.g. "/config/lan" */
	const char *tail;          /* a document path's endpoint: the rest, e.g. "/lan/dhcp" */
	json_t *query;             /* {name: "value"}, with the {name} segments of the path */
	const char *body_text;     /* as received; parsed once the caller is known */
	json_t *body;              /* parsed body or NULL */
	const char *peer, *csrf, *origin, *host;
	char *cookie;              /* the session cookie's value */
	char *bearer;
	const struct rpc_method *rpc;   /* the method the endpoint belongs to */
	const struct rpc_rest *rest;    /* the endpoint */
	const struct feature_env *env;  /* as methods get it */
	/* who */
	struct auth_session *session;
	bool token;                /* an API token, of this scope (enum auth_scope) */
	int scope;
	char author[64];           /* "" when nobody logged in */
	/* response */
	int status;
	json_t *headers;           /* {name: value} */
	json_t *out;               /* body */
	/* a method that answers later (an apply) finishes the request then */
	json_t *params;            /* the http.request parameters the strings point into */
	void (*done)(void *ctx, json_t *resp);   /* NULL: the answer is needed now */
	void *done_ctx;
	void (*finish)(struct api_req *r);       /* answers r with done, and frees it */
	bool waiting, in_call;
};

/* reply.c: answers */
void api_header(struct api_req *r, const char *name, const char *value);
void api_error(struct api_req *r, int status, const char *code, const char *path,
	       const json_t *value, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Turns a JSON-RPC error object into the HTTP error answer. */
void api_rpc_error(struct api_req *r, json_t *error);
/* Calls a method as this request's caller and answers with its result (or its error). */
void api_call(struct api_req *r, const char *method, json_t *params_stolen);

/* routes.c: the endpoints, from the method table */
/* The endpoint of r's verb and path (r->rpc, r->rest, r->tail and the
 * {name} segments set), or NULL; *path_known when another verb has it. */
const struct rpc_rest *api_route_find(struct api_req *r, bool *path_known);
/* Calls r's method with the parameters its endpoint's shape takes from r. */
void api_route_call(struct api_req *r);
/* "/dhcp/static_leases/3/ip" -> "dhcp.static_leases[3].ip"; NULL if a
 * segment is not a key or an id. "" or "/" -> "". */
char *api_config_path(const char *tail);

/* dispatch.c: http.request, the one method difosd-web calls */
extern const struct rpc_method api_methods[];
/* Runs one request through auth and routing (also the fuzz entry). */
json_t *api_handle(const struct feature_env *env, json_t *params);
/* The same for a caller that can wait: done gets {status, headers, body},
 * now or when the method called answers. */
void api_handle_async(const struct feature_env *env, json_t *params,
		      void (*done)(void *ctx, json_t *resp), void *ctx);


/* hosts.c: the Host header, checked against the router's names and addresses */
struct api_host {
	char name[256];            /* lower case, without port or trailing dot */
	int family;                /* 4 or 6 for an address literal, else 0 */
	unsigned char addr[16];
};
/* Splits "name", "name:port", "1.2.3.4:port", "[v6]:port". 0, or -1 when malformed. */
int api_host_parse(const char *host, struct api_host *out);
bool api_host_match(const struct api_host *h, const json_t *names, const json_t *addrs);
/* The router's names for the document in force (features' host_names) and
 * the addresses on its interfaces now. */
json_t *api_host_names(const struct feature_env *env);
json_t *api_host_addresses(void);
/* Does r->host name this router? Else answers 421 and returns false. */
bool api_host_ok(struct api_req *r);
/* http.gate: a GUI file's Host check, or the plain-HTTP redirect's target. */
json_t *api_gate(const struct feature_env *env, json_t *params);

/* auth_routes.c: login, logout, first-run setup, password, the session */
extern const struct rpc_method api_auth_methods[];
const char *api_param_str(struct api_req *r, const char *key);

/* openapi.c */
extern const struct rpc_method api_openapi_methods[];
json_t *api_openapi(void);

#endif
