/*
 * A method's parameters are a schema table, like a section of the
 * configuration: each has a kind, limits, flags and help. A call is
 * checked against it before the handler runs, text from the command line
 * or a query string is read by the same kinds, and the table describes
 * the method in docs/api.md and the OpenAPI document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "rpc/rpc.h"

static const char *const rpc_access_names[] = {
	[RPC_ADMIN] = "admin", [RPC_PUBLIC] = "public", [RPC_ROOT] = "root",
	[RPC_HOOK] = "hook", [RPC_WEB] = "web", [RPC_READ] = "read", [RPC_CONFIG] = "config",
	[RPC_SESSION] = "session",
};

const char *rpc_access_name(enum rpc_access a)
{
	return (unsigned)a < ARRAY_SIZE(rpc_access_names) ? rpc_access_names[a] : "?";
}

const struct sc_field *rpc_param(const struct rpc_method *m, const char *name)
{
	for (const struct sc_field *p = m->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* The value as it is quoted in a message: a string bare, others as JSON. */
static char *rpc_value_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static bool rpc_param_ok(const struct sc_field *p, const json_t *v, char *why, size_t len)
{
	size_t i;
	json_t *item;

	if (!sc_check_scalar(p, p->kind, v, why, len))
		return false;
	if (p->kind != SC_LIST)
		return true;
	json_array_foreach(v, i, item)
		if (!sc_check_scalar(p, p->item, item, why, len))
			return false;
	return true;
}

int rpc_params_check(const struct rpc_method *m, struct rpc_call *c)
{
	const char *name;
	json_t *v;
	char why[256];

	json_object_foreach(c->params, name, v) {
		const struct sc_field *p = rpc_param(m, name);
		if (!p) {
			rpc_fail(c, RPC_BAD, name, NULL, "%s: is not a parameter of %s", name,
				 m->name);
			return -1;
		}
		if (!rpc_param_ok(p, v, why, sizeof(why))) {
			char *text;
			/* a secret is never quoted back */
			if (p->flags & SC_F_SECRET) {
				rpc_fail(c, RPC_INVALID, name, NULL, "%s: %s", name, why);
				return -1;
			}
			text = rpc_value_text(v);
			rpc_fail(c, RPC_INVALID, name, v, "%s: %s %s", name, text ? text : "?", why);
			free(text);
			return -1;
		}
	}
	for (const struct sc_field *p = m->params; p && p->name; p++)
		if ((p->flags & SC_F_REQUIRED) && !json_object_get(c->params, p->name)) {
			rpc_fail(c, RPC_BAD, p->name, NULL, "%s: is required", p->name);
			return -1;
		}
	return 0;
}

json_t *rpc_param_from_text(const struct sc_field *p, const char *text, char *why, size_t len)
{
	return sc_coerce_text(p, text, why, len);
}

json_t *rpc_method_json(const struct rpc_method *m)
{
	struct sc_field params = { .name = "params", .kind = SC_OBJECT, .fields = m->params,
				   .title = "parameters" };
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", m->name, "help",
			      m->help ? m->help : "", "group", m->group ? m->group : "",
			      "access", rpc_access_name(m->access), "result",
			      m->result ? m->result : "");
	json_t *rest = json_array();

	json_object_set_new(o, "params", m->params ? schema_export_of(&params) :
					 json_pack("{s:s}", "type", "object"));
	for (size_t i = 0; i < RPC_REST_MAX && m->rest[i].verb; i++) {
		const struct rpc_rest *r = &m->rest[i];
		json_array_append_new(rest, json_pack("{s:s, s:s, s:i, s:s}", "verb", r->verb,
			"path", r->path, "status", r->ok_status ? r->ok_status : 200, "summary",
			r->summary ? r->summary : m->help ? m->help : ""));
	}
	json_object_set_new(o, "rest", rest);
	if (m->cli.command)
		json_object_set_new(o, "cli", json_pack("{s:s, s:s}", "command", m->cli.command,
			"help", m->cli.help ? m->cli.help : m->help ? m->help : ""));
	if (!m->fn)
		json_object_set_new(o, "rest_only", json_true());
	return o;
}
