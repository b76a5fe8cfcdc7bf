/*
 * The route table: every /api/v1 endpoint, the core method behind it, and
 * the generic handlers for configuration paths and plain method calls.
 * openapi.c documents the API from this same table.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/util.h"

/* Query values are strings; a method expects numbers and booleans. */
static json_t *api_query_value(json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	long long n;

	if (!s)
		return json_incref(v);
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		return json_boolean(!strcmp(s, "true"));
	n = strtoll(s, &end, 10);
	if (*s && !*end && (isdigit((unsigned char)*s) || *s == '-'))
		return json_integer(n);
	return json_incref(v);
}

void api_rpc(struct api_req *r)
{
	json_t *params;

	if (!strcmp(r->method, "GET")) {
		const char *k;
		json_t *v;
		params = json_object();
		json_object_foreach(r->query, k, v)
			json_object_set_new(params, k, api_query_value(v));
	} else if (!r->body) {
		params = json_object();
	} else if (json_is_object(r->body)) {
		params = json_incref(r->body);
	} else {
		api_error(r, 400, "bad_request", NULL, r->body, "the body must be a JSON object");
		return;
	}
	api_call(r, r->route->rpc, params);
}

/* "/dhcp/static_leases/3/ip" -> "dhcp.static_leases[3].ip"; NULL if a
 * segment is not a key or an id. "" or "/" -> "". */
char *api_config_path(const char *tail)
{
	struct sbuf b;
	const char *p = tail;

	sbuf_init(&b);
	while (*p) {
		size_t n;
		bool digits = true, key = true;
		if (*p == '/') {
			p++;
			continue;
		}
		n = strcspn(p, "/");
		for (size_t i = 0; i < n; i++) {
			digits &= isdigit((unsigned char)p[i]) != 0;
			key &= islower((unsigned char)p[i]) || isdigit((unsigned char)p[i]) || p[i] == '_';
		}
		if (digits && b.len && n < 12) {
			sbuf_printf(&b, "[%.*s]", (int)n, p);
		} else if (key && !digits && n < 64) {
			sbuf_printf(&b, "%s%.*s", b.len ? "." : "", (int)n, p);
		} else {
			sbuf_free(&b);
			return NULL;
		}
		p += n;
	}
	return sbuf_steal(&b);
}

static char *api_config_target(struct api_req *r, bool need_path)
{
	char *path = api_config_path(r->tail ? r->tail : "");

	if (!path) {
		api_error(r, 404, "not_found", NULL, NULL, "not a configuration path: %s", r->path);
		return NULL;
	}
	if (need_path && !*path) {
		free(path);
		api_error(r, 405, "method_not_allowed", NULL, NULL,
			  "%s needs a path below /config", r->method);
		return NULL;
	}
	return path;
}

static void api_config_get(struct api_req *r)
{
	char *path = api_config_target(r, false);
	json_t *running = json_object_get(r->query, "running");

	if (!path)
		return;
	api_call(r, "config.get", json_pack("{s:s, s:b}", "path", path, "running",
					     running && strcmp(json_string_value(running), "0") &&
					     strcmp(json_string_value(running), "false")));
	free(path);
}

static bool api_need_body(struct api_req *r)
{
	if (!r->body)
		api_error(r, 400, "bad_request", NULL, NULL, "%s needs a JSON body", r->method);
	return r->body != NULL;
}

static void api_config_put(struct api_req *r)
{
	char *path = api_config_target(r, true);

	if (path && api_need_body(r))
		api_call(r, "config.set", json_pack("{s:s, s:O}", "path", path, "value", r->body));
	free(path);
}

static void api_config_patch(struct api_req *r)
{
	char *path = api_config_target(r, false);
	json_t *changes;
	const char *k;
	json_t *v;

	if (!path || !api_need_body(r)) {
		free(path);
		return;
	}
	if (!json_is_object(r->body) || !json_object_size(r->body)) {
		api_error(r, 400, "bad_request", NULL, r->body,
			  "PATCH needs an object of {key: value} to set below %s", *path ? path : "/");
		free(path);
		return;
	}
	changes = json_array();
	json_object_foreach(r->body, k, v) {
		char *p = xasprintf("%s%s%s", path, *path ? "." : "", k);
		json_array_append_new(changes, json_pack("{s:s, s:O}", "path", p, "value", v));
		free(p);
	}
	api_call(r, "config.set", json_pack("{s:o}", "changes", changes));
	free(path);
}

static void api_config_post(struct api_req *r)
{
	char *path = api_config_target(r, true);

	if (path && api_need_body(r))
		api_call(r, "config.add", json_pack("{s:s, s:O}", "path", path, "value", r->body));
	if (r->status == 200)
		r->status = 201;
	free(path);
}

static void api_config_delete(struct api_req *r)
{
	char *path = api_config_target(r, true);

	if (path)
		api_call(r, "config.delete", json_pack("{s:s}", "path", path));
	free(path);
}

const struct api_route api_routes[] = {
	{ "GET", "/session", api_session, API_PUBLIC, NULL,
	  "who is logged in; the CSRF token; whether the first-run setup is due" },
	{ "POST", "/auth/setup", api_setup, API_PUBLIC, NULL,
	  "first run: set the admin password with the one-time setup token" },
	{ "POST", "/auth/login", api_login, API_PUBLIC, NULL, "log in; sets the session cookie" },
	{ "POST", "/auth/logout", api_logout, 0, NULL, "end this session" },
	{ "POST", "/auth/password", api_password, 0, NULL,
	  "change the admin password (and root's); other sessions end" },
	{ "GET", "/tokens", api_tokens_list, 0, NULL, "list API tokens" },
	{ "POST", "/tokens", api_tokens_create, 0, NULL, "create an API token (shown once)", 201 },
	{ "DELETE", "/tokens/{id}", api_tokens_revoke, 0, NULL, "revoke an API token" },

	{ "GET", "/schema", api_rpc, 0, "schema", "the configuration schema (JSON Schema)" },
	{ "GET", "/openapi.json", api_openapi_route, API_PUBLIC, NULL, "this API as OpenAPI 3.1" },
	{ "GET", "/config", api_config_get, API_TAIL, "config.get",
	  "read a configuration path (staged value; ?running=1 for the running one)" },
	{ "PUT", "/config", api_config_put, API_TAIL, "config.set", "replace the value at a path" },
	{ "PATCH", "/config", api_config_patch, API_TAIL, "config.set",
	  "set several keys below a path in one step" },
	{ "POST", "/config", api_config_post, API_TAIL, "config.add",
	  "add an entry to a collection", 201 },
	{ "DELETE", "/config", api_config_delete, API_TAIL, "config.delete",
	  "remove a path or a collection entry" },
	{ "GET", "/changes", api_rpc, 0, "config.changes", "staged changes against the running revision" },
	{ "DELETE", "/changes", api_rpc, 0, "config.discard", "drop the staged changes" },
	{ "POST", "/validate", api_rpc, 0, "config.validate", "validate a whole document" },

	{ "POST", "/apply", api_apply, 0, "apply", "apply the staged changes" },
	{ "POST", "/confirm", api_confirm, API_PUBLIC, "confirm",
	  "confirm the pending revision (session, or the apply's confirm_token)" },
	{ "GET", "/history", api_rpc, 0, "history", "revisions, newest first" },
	{ "GET", "/diff", api_rpc, 0, "diff", "changes between two revisions" },
	{ "POST", "/rollback", api_apply, 0, "rollback", "apply an earlier revision again" },
	{ "GET", "/status", api_rpc, 0, "status", "state of each feature; the pending confirm" },

	{ "GET", "/system", api_rpc, 0, "system", "hostname, uptime, load, memory" },
	{ "GET", "/interfaces", api_rpc, 0, "interfaces", "interfaces with addresses and MAC" },
	{ "GET", "/leases", api_rpc, 0, "leases", "active and static DHCP leases" },
	{ "GET", "/dashboard", api_rpc, 0, "dashboard", "everything the router dashboard shows" },
	{ "GET", "/firewall/countries", api_rpc, 0, "firewall.countries",
	  "countries an automated alias can hold, with the entries of their lists" },
	{ "POST", "/firewall/update-lists", api_rpc, 0, "firewall.update_lists",
	  "start fetching every country list in use again (body: {countries: [...]} adds more); applied when done" },
	{ "GET", "/firewall/update-lists", api_rpc, 0, "firewall.lists_status",
	  "the country list update: running, or the result of the last one" },
	{ "GET", "/qos/sqm", api_rpc, 0, "qos.sqm_status",
	  "SQM: whether this kernel provides cake (and why not), the speeds set" },
	{ "GET", "/qos/sqm/autofill", api_rpc, 0, "qos.sqm_autofill",
	  "SQM speeds from ?advertised_download=&advertised_upload= (Mbps): 92 %" },
	{ "GET", "/qos/counters", api_rpc, 0, "qos.counters",
	  "traffic and drops of each client QoS limits" },
	{ "GET", "/routes/domain-lists", api_rpc, 0, "routes.domain_lists",
	  "premade domain lists for policy routes: name, number of domains, description" },
	{ "GET", "/events", api_rpc, API_WS, "events.check",
	  "WebSocket (subprotocol difos-events): dashboard updates every 2 s" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};
