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

#include "core/rpc.h"

#define API_PREFIX     "/api/v1"
#define API_MAX_BODY   (1024 * 1024)

struct auth_session;
struct api_route;
struct feature_env;

struct api_req {
	/* request */
	const char *method;        /* GET, POST, PUT, PATCH, DELETE */
	const char *path;          /* below /api/v1, e.g. "/config/lan" */
	const char *tail;          /* for prefix routes: the rest, e.g. "/lan/dhcp" */
	json_t *query;             /* {name: "value"} */
	const char *body_text;     /* as received; parsed once the caller is known */
	json_t *body;              /* parsed body or NULL */
	const char *peer, *csrf, *origin, *host;
	char *cookie;              /* the session cookie's value */
	char *bearer;
	const struct api_route *route;
	const struct feature_env *env;  /* as methods get it */
	/* who */
	struct auth_session *session;
	char author[64];
	/* response */
	int status;
	json_t *headers;           /* {name: value} */
	json_t *out;               /* body */
};

typedef void (*api_handler)(struct api_req *r);

#define API_PUBLIC   0x1   /* no login needed */
#define API_LOGIN    0x2   /* no session yet: the CSRF header must be present */
#define API_TAIL     0x4   /* pattern is a prefix; the rest is r->tail */
#define API_WS       0x8   /* WebSocket upgrade (GET) */

struct api_route {
	const char *method;
	const char *pattern;       /* "/tokens/{id}" */
	api_handler fn;
	unsigned flags;
	const char *rpc;           /* the core method it maps to, for api_rpc and docs */
	const char *summary;
	int ok_status;             /* 200 unless set */
};

extern const struct api_route api_routes[];

/* http.c */
extern const struct rpc_method api_methods[];
void api_error(struct api_req *r, int status, const char *code, const char *path,
	       const json_t *value, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Turns a JSON-RPC error object into the HTTP error answer. */
void api_rpc_error(struct api_req *r, json_t *error);
/* Calls a core method and answers with its result (or its error). */
void api_call(struct api_req *r, const char *method, json_t *params_stolen);
void api_header(struct api_req *r, const char *name, const char *value);
/* Runs one request through auth and routing (also the fuzz entry). */
json_t *api_handle(const struct feature_env *env, json_t *params);

/* routes.c */
void api_rpc(struct api_req *r);               /* generic: route->rpc with query/body */
char *api_config_path(const char *tail);       /* "/dhcp/static_leases/3" -> jpath */

/* auth_routes.c */
void api_session(struct api_req *r);
void api_setup(struct api_req *r);
void api_login(struct api_req *r);
void api_logout(struct api_req *r);
void api_password(struct api_req *r);
void api_tokens_list(struct api_req *r);
void api_tokens_create(struct api_req *r);
void api_tokens_revoke(struct api_req *r);
void api_confirm(struct api_req *r);
void api_apply(struct api_req *r);
const char *api_param_str(struct api_req *r, const char *key);

/* openapi.c */
json_t *api_openapi(void);
void api_openapi_route(struct api_req *r);

#endif
