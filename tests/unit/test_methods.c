/*
 * The method table is the documentation: every method must say what it
 * does, in which chapter, what it answers, and every parameter what it
 * means; REST endpoints and difosctl commands must be unique and name
 * parameters the method takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "apply/feature.h"
#include "daemon/methods.h"
#include "rpc/rpc.h"

struct seen {
	const struct rpc_method *m[512];
	size_t n;
};

static bool filled(const char *s)
{
	return s && *s;
}

/* Counts what is wrong with m (and tells it): a missing word of
 * documentation, an endpoint or command that is not what it should be. */
static int problems(const struct rpc_method *m, const struct seen *s)
{
	static const char *const verbs[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
	int n = 0;

#define PROBLEM(cond, what) do { \
	if (cond) { \
		fprintf(stderr, "    %s: %s\n", m->name, what); \
		n++; \
	} } while (0)

	PROBLEM(!filled(m->help), "no help");
	PROBLEM(!filled(m->group), "no group");
	PROBLEM(!filled(m->result), "no result described");
	for (const struct sc_field *p = m->params; p && p->name; p++)
		PROBLEM(!filled(p->help), p->name);
	for (size_t i = 0; i < RPC_REST_MAX && m->rest[i].verb; i++) {
		const struct rpc_rest *r = &m->rest[i];
		bool known = false;
		for (const char *const *v = verbs; *v; v++)
			known |= !strcmp(*v, r->verb);
		PROBLEM(!known, r->verb);
		PROBLEM(!r->path || r->path[0] != '/', "a REST path not below /");
		PROBLEM(!m->fn && !r->handler, "an endpoint without a handler");
		/* a {name} segment is a parameter of the method */
		for (const char *b = strchr(r->path, '{'); b; b = strchr(b + 1, '{')) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(b + 1, "}"), b + 1);
			PROBLEM(!rpc_param(m, name), "a path segment that is no parameter");
		}
	}
	if (m->cli.command) {
		const char *a = m->cli.args;
		/* every argument names a parameter */
		while (a && *a) {
			char name[64];
			size_t len = strcspn(a, " ");
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, " ?."), a);
			PROBLEM(!rpc_param(m, name), "a command argument that is no parameter");
			a += len;
			while (*a == ' ')
				a++;
		}
		PROBLEM(m->cli.run && m->cli.args, "both arguments and a command of its own");
	}
	for (size_t i = 0; s && i < s->n; i++) {
		const struct rpc_method *o = s->m[i];
		PROBLEM(!strcmp(o->name, m->name), "declared twice");
		PROBLEM(o->cli.command && m->cli.command && !strcmp(o->cli.command, m->cli.command),
			"a difosctl command taken");
		for (size_t a = 0; a < RPC_REST_MAX && m->rest[a].verb; a++)
			for (size_t b = 0; b < RPC_REST_MAX && o->rest[b].verb; b++)
				PROBLEM(!strcmp(m->rest[a].verb, o->rest[b].verb) &&
					!strcmp(m->rest[a].path, o->rest[b].path), "an endpoint taken");
	}
#undef PROBLEM
	return n;
}

static void check_one(const struct rpc_method *m, void *arg)
{
	struct seen *s = arg;

	T_CHECK(problems(m, s) == 0);
	if (s->n < sizeof(s->m) / sizeof(s->m[0]))
		s->m[s->n++] = m;
}

static void test_every_method_documented(void)
{
	struct seen s = { .n = 0 };

	rpc_each(check_one, &s);
	T_CHECK(s.n > 40);
}

/* What the check finds in a method declared without its documentation. */
static void test_missing_help_found(void)
{
	static const struct sc_field params[] = { { .name = "x", .kind = SC_INT }, { .name = NULL } };
	static const struct rpc_method bad = { "bad", NULL, "", "", params, NULL };

	fprintf(stderr, "  (a method declared without documentation, on purpose:)\n");
	T_CHECK(problems(&bad, NULL) == 4);   /* help, group, result, the parameter's help */
}

static void test_params_checked(void)
{
	const struct rpc_method *diff = rpc_find("diff");
	struct rpc_call c = { .method = "diff" };

	c.params = json_pack("{s:i, s:s}", "from", 1, "to", "x");
	T_CHECK(rpc_params_check(diff, &c) < 0);
	T_CHECK_STR(json_string_value(json_object_get(c.error, "message")), "to: x is not an integer");
	json_decref(c.error);
	json_decref(c.params);
	c.error = NULL;
	c.params = json_pack("{s:i}", "from", 1);
	T_CHECK(rpc_params_check(diff, &c) < 0);
	T_CHECK_STR(json_string_value(json_object_get(c.error, "message")), "to: is required");
	json_decref(c.error);
	json_decref(c.params);
	c.error = NULL;
	c.params = json_pack("{s:i, s:i, s:i}", "from", 1, "to", 2, "nope", 3);
	T_CHECK(rpc_params_check(diff, &c) < 0);
	T_CHECK_STR(json_string_value(json_object_get(c.error, "message")),
		    "nope: is not a parameter of diff");
	json_decref(c.error);
	json_decref(c.params);
	c.error = NULL;
	/* a secret is never quoted */
	c.params = json_pack("{s:i}", "password", 5);
	T_CHECK(rpc_params_check(rpc_find("auth.passwd"), &c) < 0);
	T_CHECK(strstr(json_string_value(json_object_get(c.error, "message")), "5") == NULL);
	json_decref(c.error);
	json_decref(c.params);
}

/* The doors: difosd-web's reaches only its own methods, the REST API not root's. */
/* What an API token's scope reaches follows the access each method
 * declares: every method whose REST endpoints only read is declared a read
 * (else a read-only token could not call it), and no read has an endpoint
 * that writes (else a read-only token could). */
static void check_access(const struct rpc_method *m, void *arg)
{
	bool gets = m->rest[0].verb != NULL, writes = false;

	(void)arg;
	for (int i = 0; i < RPC_REST_MAX && m->rest[i].verb; i++) {
		gets &= !strcmp(m->rest[i].verb, "GET");
		writes |= !strcmp(m->rest[i].verb, "PUT") || !strcmp(m->rest[i].verb, "PATCH") ||
			  !strcmp(m->rest[i].verb, "DELETE");
	}
	if (gets && m->access != RPC_READ && m->access != RPC_PUBLIC &&
	    m->access != RPC_SESSION) {
		fprintf(stderr, "  %s reads (GET) but is not declared RPC_READ\n", m->name);
		t_cur_failed++;
	}
	if (writes && m->access == RPC_READ) {
		fprintf(stderr, "  %s is declared RPC_READ but writes\n", m->name);
		t_cur_failed++;
	}
}

static void test_reads_declared(void)
{
	rpc_each(check_access, NULL);
	T_CHECK(rpc_find("config.set")->access == RPC_CONFIG);
	T_CHECK(rpc_find("apply")->access == RPC_CONFIG);
	T_CHECK(rpc_find("auth.token_create")->access == RPC_SESSION);
	T_CHECK(rpc_find("auth.password")->access == RPC_SESSION);
}

static void test_doors(void)
{
	const char *ask = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"config.changes\"}";
	char *a = rpc_handle_text(ask, strlen(ask), "web", RPC_DOOR_WEB);
	json_t *err = NULL, *r = rpc_invoke_from(RPC_DOOR_REST, "auth.setup_link", NULL, "admin",
						 "192.0.2.1", &err);

	T_CHECK(a && strstr(a, "not available on this channel"));
	T_CHECK(!r && err && strstr(json_string_value(json_object_get(err, "message")),
				    "not available on this channel"));
	free(a);
	json_decref(err);
}

/* A kept answer's text is written once and stays the answer's; any other
 * answer is written each time, as it is then. */
static void test_kept_answers(void)
{
	json_t *kept = rpc_kept(json_pack("{s:i}", "n", 1)), *fresh = json_pack("{s:i}", "n", 1);
	char *a = rpc_answer_text(kept, NULL), *b;
	size_t len = 0;

	T_CHECK_STR(a, "{\"n\":1}");
	b = rpc_answer_text(kept, &len);
	T_CHECK_STR(b, a);
	T_CHECK(b != a && len == strlen(a));
	free(b);
	/* not registered: written as it is now */
	json_object_set_new(fresh, "n", json_integer(2));
	b = rpc_answer_text(fresh, NULL);
	T_CHECK_STR(b, "{\"n\":2}");
	free(b);
	/* a kept answer outlives its keeper's reference (the registry holds one) */
	json_decref(kept);
	b = rpc_answer_text(kept, NULL);
	T_CHECK_STR(b, a);
	free(b);
	/* pushed out by newer ones: its slot is freed, nothing leaks */
	for (int i = 0; i < 16; i++)
		json_decref(rpc_kept(json_pack("{s:i}", "i", i)));
	free(a);
	json_decref(fresh);
}

int main(void)
{
	feature_schema_init();
	methods_register_all();
	T_RUN(test_every_method_documented);
	T_RUN(test_missing_help_found);
	T_RUN(test_params_checked);
	T_RUN(test_doors);
	T_RUN(test_reads_declared);
	T_RUN(test_kept_answers);
	return t_done("unit-methods");
}
