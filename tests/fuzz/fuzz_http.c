/*
 * libFuzzer target: the web door, end to end without sockets. An input is
 * a request (method, path, headers, query and body, one per line) that
 * difosd-web frames as JSON-RPC; the frame is parsed back as the core
 * does and run through authentication, CSRF, routing and body parsing;
 * the answer is framed back and parsed by the web side; the Host header
 * goes through the core's Host parser. The first input
 * byte picks the mode; mode 'R' feeds the bytes to the web side's parser
 * of core frames directly (the terminal's notifications among them), mode
 * 'T' to its parser of a terminal's control message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "apply/feature.h"
#include "auth/auth.h"
#include "core/util.h"
#include "schema/schema.h"
#include "store/store.h"
#include "web/web.h"

static char session_cookie[AUTH_TOKEN_HEX + 1];
static struct auth_session *session;
static struct store *test_store;

static void fuzz_init(void)
{
	char dir[] = "/tmp/difos-fuzz-http-XXXXXX", *db;
	json_t *defaults;

	feature_schema_init();
	/* the REST layer's own methods and those that need no daemon */
	rpc_register(api_methods);
	rpc_register(api_auth_methods);
	rpc_register(api_openapi_methods);
	rpc_register(auth_methods);
	if (!mkdtemp(dir))
		abort();
	db = xasprintf("%s/config.db", dir);
	if (store_open(db, &test_store) < 0)
		abort();
	defaults = schema_defaults();
	store_init(test_store, defaults);
	json_decref(defaults);
	auth_init(test_store, NULL);
	session = auth_session_create(AUTH_ADMIN, session_cookie);
	free(db);
}

/* the next line of the input, or NULL when none is left */
static char *next_line(const char **p, const char *end)
{
	const char *nl;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		nl = end;
	char *s = xstrndup(*p, (size_t)(nl - *p));
	*p = nl < end ? nl + 1 : end;
	return s;
}

static void fuzz_request(const char *data, size_t size)
{
	const char *p = data, *end = data + size;
	char *f[8] = { 0 };
	struct web_request rq = { 0 };
	struct web_response wr;
	json_t *frame, *resp;
	const char *err;
	char *text, *line;

	for (int i = 0; i < 8; i++)
		f[i] = next_line(&p, end);
	rq.method = f[0] ? f[0] : "GET";
	rq.path = f[1] ? f[1] : "/api/v1/session";
	/* "S" stands for the live session's cookie and CSRF token */
	rq.cookie = f[2] && !strcmp(f[2], "S") ? xasprintf("a=b; %s=%s", AUTH_COOKIE, session_cookie) : f[2];
	rq.csrf = f[3] && !strcmp(f[3], "S") ? session->csrf : f[3];
	rq.authorization = f[4];
	rq.origin = f[5];
	rq.host = f[6];
	rq.peer = "192.0.2.1";
	rq.query = json_object();
	if (f[7] && strchr(f[7], '='))
		json_object_set_new(rq.query, f[7], json_string("1"));
	rq.body = p;
	rq.body_len = (size_t)(end - p);

	/* the Host header against the router's names and addresses, and the
	 * gate's frame for it (GUI files, the redirect) */
	{
		static const char *const names[] = { "localhost", "difos", "difos.lan" };
		json_t *n = json_array(), *a = json_pack("[s, s]", "192.168.1.1", "2001:db8::1");
		struct api_host h;
		char *g;
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			json_array_append_new(n, json_string(names[i]));
		if (api_host_parse(rq.host, &h) == 0)
			(void)api_host_match(&h, n, a);
		g = web_frame_gate(8, rq.host, rq.path, f[7] != NULL);
		free(g);
		json_decref(n);
		json_decref(a);
	}
	text = web_frame_request(7, &rq, &err);
	if (text) {
		frame = json_loads(text, 0, NULL);
		if (!frame)
			abort();    /* what the web side frames, the core must parse */
		resp = api_handle(NULL, json_object_get(frame, "params"));
		if (!json_is_integer(json_object_get(resp, "status")))
			abort();
		char *body = json_dumps(resp, JSON_COMPACT);
		line = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":%s}", body);
		free(body);
		if (web_frame_response(line, strlen(line), &wr) < 0 || wr.id != 7)
			abort();
		web_response_free(&wr);
		free(line);
		json_decref(resp);
		json_decref(frame);
		free(text);
	}
	if (rq.cookie != f[2])
		free((char *)rq.cookie);
	json_decref(rq.query);
	for (int i = 0; i < 8; i++)
		free(f[i]);
	/* a session ended by a fuzzed logout or password change comes back */
	if (!auth_session_find(session_cookie))
		session = auth_session_create(AUTH_ADMIN, session_cookie);
	auth_throttle_reset();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct web_response r;

	if (!ready) {
		fuzz_init();
		ready = 1;
	}
	if (size && data[0] == 'R') {
		if (web_frame_response((const char *)data + 1, size - 1, &r) == 0)
			web_response_free(&r);
		return 0;
	}
	if (size && data[0] == 'T') {
		int cols, rows;
		if (web_term_resize_parse((const char *)data + 1, size - 1, &cols, &rows) &&
		    (cols < 1 || cols > WEB_TERM_SIZE_MAX || rows < 1 || rows > WEB_TERM_SIZE_MAX))
			abort();
		return 0;
	}
	fuzz_request((const char *)data + (size ? 1 : 0), size ? size - 1 : 0);
	return 0;
}
