/*
 * The AMI client of the PBX engine: the reader on what Asterisk 22.10
 * (the engine root's) sent to a client, recorded (the fuzz target's seed
 * corpus, tests/fuzz/corpus/ami, given as the argument) fed whole, byte by byte and in random pieces; its caps; the
 * writer's refusal of line breaks; and the client on the loop against a
 * fake manager port in this process: login, answers out of order, lists,
 * timeouts, a dropped connection and the reconnect, events.
 */
#include <signal.h>
#include <stdlib.h>
#include <strings.h>

#include "core/files.h"
#include "features/pbx/asterisk/ami_client.h"
#include "t.h"

static const char *corpus;

static char *transcript(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", corpus, name);
	FILE *f = fopen(path, "rb");
	struct sbuf b;
	char chunk[4096];
	size_t n;

	sbuf_init(&b);
	if (!f) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sbuf_addn(&b, chunk, n);
	fclose(f);
	free(path);
	*len = b.len;
	return sbuf_steal(&b);
}

/* What a reader made of a text: the banner and the messages as JSON. */
struct parsed {
	char *banner;
	json_t *msgs;
	char error[96];
};

static void parsed_free(struct parsed *p)
{
	free(p->banner);
	json_decref(p->msgs);
}

/* Feeds text in pieces of step bytes (0: random pieces from seed). */
static struct parsed parse_pieces(const char *text, size_t len, size_t step, unsigned seed,
				  bool banner)
{
	struct parsed p = { .msgs = json_array() };
	struct ami_reader r;
	size_t off = 0;

	ami_reader_init(&r, banner);
	srand(seed);
	while (off < len) {
		size_t piece = step ? step : (size_t)(rand() % 97) + 1, done = 0;

		if (piece > len - off)
			piece = len - off;
		while (done < piece) {
			struct ami_msg *m;
			size_t used;
			enum ami_read rc = ami_reader_feed(&r, text + off + done, piece - done,
							   &used, &m);

			done += used;
			if (rc == AMI_BANNER)
				p.banner = xstrdup(r.banner);
			if (rc == AMI_MESSAGE) {
				json_array_append_new(p.msgs, ami_msg_json(m));
				ami_msg_free(m);
			}
			if (rc == AMI_ERROR) {
				snprintf(p.error, sizeof(p.error), "%s", r.error);
				ami_reader_free(&r);
				return p;
			}
		}
		off += piece;
	}
	ami_reader_free(&r);
	return p;
}

/* Every way of cutting the text gives what it gives whole. */
static json_t *parse_every_way(const char *name, size_t expect_msgs)
{
	size_t len;
	char *text = transcript(name, &len);
	struct parsed whole = parse_pieces(text, len, len, 0, true);
	char *w = json_dumps(whole.msgs, JSON_SORT_KEYS);
	json_t *msgs;

	T_CHECK_STR(ami_banner_version(whole.banner), "11.0.0");
	T_CHECK(!whole.error[0]);
	T_CHECK(json_array_size(whole.msgs) == expect_msgs);
	for (unsigned i = 0; i < 40; i++) {
		struct parsed p = parse_pieces(text, len, i == 0 ? 1 : 0, i, true);
		char *d = json_dumps(p.msgs, JSON_SORT_KEYS);

		T_CHECK_STR(d, w);
		T_CHECK_STR(p.banner, whole.banner);
		free(d);
		parsed_free(&p);
	}
	/* lines ended by "\n" alone read the same */
	{
		struct sbuf lf;
		struct parsed p;
		char *d;

		sbuf_init(&lf);
		for (size_t i = 0; i < len; i++)
			if (text[i] != '\r')
				sbuf_addn(&lf, text + i, 1);
		p = parse_pieces(lf.s, lf.len, 3, 0, true);
		d = json_dumps(p.msgs, JSON_SORT_KEYS);
		T_CHECK_STR(d, w);
		free(d);
		parsed_free(&p);
		sbuf_free(&lf);
	}
	free(w);
	free(text);
	msgs = json_incref(whole.msgs);
	parsed_free(&whole);
	return msgs;
}

static const char *jget(json_t *msgs, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(msgs, i), key));
}

/* The first message whose key has that value, or NULL. */
static json_t *find_msg(json_t *msgs, const char *key, const char *value)
{
	size_t i;
	json_t *m;

	json_array_foreach(msgs, i, m)
		if (json_string_value(json_object_get(m, key)) &&
		    !strcmp(json_string_value(json_object_get(m, key)), value))
			return m;
	return NULL;
}

static const char *mget(json_t *msg, const char *key)
{
	return json_string_value(json_object_get(msg, key));
}

static void test_parse_login(void)
{
	json_t *m = parse_every_way("login-ok", 3);

	T_CHECK_STR(jget(m, 0, "Response"), "Success");
	T_CHECK_STR(jget(m, 0, "Message"), "Authentication accepted");
	T_CHECK_STR(jget(m, 1, "Event"), "FullyBooted");
	T_CHECK_STR(jget(m, 1, "Status"), "Fully Booted");
	T_CHECK_STR(jget(m, 2, "Event"), "SuccessfulAuth");
	T_CHECK_STR(jget(m, 2, "LocalAddress"), "IPV4/TCP/127.0.0.1/5038");
	json_decref(m);
	m = parse_every_way("login-failed", 1);
	T_CHECK_STR(jget(m, 0, "Response"), "Error");
	T_CHECK_STR(jget(m, 0, "Message"), "Authentication failed");
	json_decref(m);
	m = parse_every_way("ping", 1);
	T_CHECK_STR(jget(m, 0, "Ping"), "Pong");
	json_decref(m);
	/* a whole session, as the client fuzz target's seed */
	m = parse_every_way("session", 10);
	T_CHECK_STR(jget(m, 9, "ActionID"), "difos-4");
	json_decref(m);
}

static void test_parse_list_and_command(void)
{
	json_t *m = parse_every_way("endpoints", 5), *out;

	T_CHECK_STR(jget(m, 0, "EventList"), "start");
	T_CHECK_STR(jget(m, 1, "Event"), "EndpointList");
	T_CHECK_STR(jget(m, 1, "ActionID"), "difos-3");
	T_CHECK_STR(jget(m, 1, "ObjectName"), "100");
	T_CHECK_STR(jget(m, 1, "Transport"), "");        /* an empty value */
	T_CHECK_STR(jget(m, 2, "ObjectName"), "101");
	T_CHECK_STR(jget(m, 3, "ObjectName"), "anon");
	T_CHECK_STR(jget(m, 3, "DeviceState"), "Unavailable");
	T_CHECK_STR(jget(m, 4, "Event"), "EndpointListComplete");
	T_CHECK_STR(jget(m, 4, "EventList"), "Complete");
	T_CHECK_STR(jget(m, 4, "ListItems"), "3");
	json_decref(m);

	/* many Output lines, in order, their indentation kept */
	m = parse_every_way("command", 2);
	out = json_object_get(json_array_get(m, 0), "Output");
	T_CHECK(json_array_size(out) == 2);
	T_CHECK(!strncmp(json_string_value(json_array_get(out, 0)), "System uptime: ", 15));
	out = json_object_get(json_array_get(m, 1), "Output");
	T_CHECK(json_array_size(out) == 27);
	T_CHECK_STR(json_string_value(json_array_get(out, 0)), "");
	T_CHECK_STR(json_string_value(json_array_get(out, 2)),
		    "    I/OAuth:  <AuthId/UserName...........................................................>");
	T_CHECK_STR(json_string_value(json_array_get(out, 13)),
		    "     InAuth:  100-auth/100");
	T_CHECK_STR(json_string_value(json_array_get(out, 25)), "Objects found: 3");
	T_CHECK_STR(json_string_value(json_array_get(out, 26)), "");
	json_decref(m);
}

static void test_parse_events(void)
{
	/* a REGISTER, a call answered and hung up, an outbound registration,
	 * a module reloaded */
	json_t *m = parse_every_way("events", 26), *e;

	e = find_msg(m, "Event", "ContactStatus");
	T_CHECK_STR(mget(e, "URI"), "sip:100@127.0.0.1:5071");
	T_CHECK_STR(mget(e, "EndpointName"), "100");
	e = find_msg(m, "Event", "Registry");
	T_CHECK_STR(mget(e, "Status"), "Registered");
	T_CHECK_STR(mget(e, "Username"), "sip:trunk@127.0.0.1:5099");  /* colons in a value */
	e = find_msg(m, "Event", "Cdr");
	T_CHECK_STR(mget(e, "CallerID"), "\"sipp\" <sipp>");
	T_CHECK_STR(mget(e, "Disposition"), "ANSWERED");
	T_CHECK_STR(mget(e, "Destination"), "600");
	T_CHECK_STR(mget(e, "UserField"), "");
	e = find_msg(m, "Event", "Hangup");
	T_CHECK_STR(mget(e, "Channel"), "PJSIP/anon-00000000");
	T_CHECK_STR(mget(e, "Cause-txt"), "Unknown");
	T_CHECK(find_msg(m, "Event", "Newchannel") != NULL);
	T_CHECK_STR(mget(find_msg(m, "ActionID", "difos-6"), "Message"), "Module Reloaded");
	T_CHECK(find_msg(m, "Event", "Reload") != NULL);
	json_decref(m);
}

static void test_msg_lookup(void)
{
	const char text[] = "Response: Success\r\nactionid: 7\r\nOutput: a\r\nOUTPUT: b\r\n"
			    "raw line\r\nOutput:c\r\n\r\n";
	struct ami_reader r;
	struct ami_msg *m;
	size_t used, pos = 0;

	ami_reader_init(&r, false);
	T_CHECK(ami_reader_feed(&r, text, sizeof(text) - 1, &used, &m) == AMI_MESSAGE);
	T_CHECK(used == sizeof(text) - 1);
	T_CHECK_STR(ami_get(m, "ActionID"), "7");      /* keys are case-insensitive */
	T_CHECK(ami_is(m, "response", "SUCCESS"));
	T_CHECK(!ami_is(m, "Response", "Error"));
	T_CHECK(ami_get(m, "Nothing") == NULL);
	T_CHECK_STR(ami_get_next(m, "output", &pos), "a");
	T_CHECK_STR(ami_get_next(m, "output", &pos), "b");
	T_CHECK_STR(ami_get_next(m, "output", &pos), "c");  /* no space after the colon */
	T_CHECK(ami_get_next(m, "output", &pos) == NULL);
	T_CHECK_STR(ami_get(m, ""), "raw line");        /* a line without a colon */
	ami_msg_free(m);
	ami_reader_free(&r);
	T_CHECK(ami_banner_version("SSH-2.0-OpenSSH_9.2") == NULL);
	T_CHECK(ami_banner_version("Asterisk Call Manager/") == NULL);
}

/* Feeds text and says where the reader broke ("" if it did not). */
static void expect_broken(const char *text, size_t len, size_t step, const char *why)
{
	struct parsed p = parse_pieces(text, len, step, 1, false);

	T_CHECK(strstr(p.error, why) != NULL);
	if (!strstr(p.error, why))
		fprintf(stderr, "  got \"%s\", wanted \"%s\"\n", p.error, why);
	parsed_free(&p);
}

static void test_parse_caps(void)
{
	size_t n = AMI_LINE_MAX + 10;
	char *big = xmalloc(n + 64);
	struct sbuf b;
	struct ami_reader r;
	struct ami_msg *m;
	size_t used;

	/* a line over the cap, whole or in pieces: the reader holds no more */
	memcpy(big, "Output: ", 8);
	memset(big + 8, 'x', n - 8);
	memcpy(big + n, "\r\n\r\n", 4);
	expect_broken(big, n + 4, n + 4, "line over 65536 bytes");
	expect_broken(big, n + 4, 1000, "line over 65536 bytes");
	ami_reader_init(&r, false);
	for (size_t off = 0; off < n; off += used)
		if (ami_reader_feed(&r, big + off, 1, &used, &m) == AMI_ERROR)
			break;
	T_CHECK(r.broken);
	T_CHECK(r.line_cap <= 2 * AMI_LINE_MAX);
	/* broken for good */
	T_CHECK(ami_reader_feed(&r, "\r\n\r\n", 4, &used, &m) == AMI_ERROR);
	ami_reader_free(&r);
	/* exactly at the cap is still a line */
	memset(big, 'y', AMI_LINE_MAX - 1);
	big[0] = 'K';
	big[1] = ':';
	memcpy(big + AMI_LINE_MAX - 1, "\r\n\r\n", 4);
	{
		struct parsed p = parse_pieces(big, AMI_LINE_MAX + 3, 4096, 0, false);

		T_CHECK(!p.error[0]);
		T_CHECK(json_array_size(p.msgs) == 1);
		parsed_free(&p);
	}
	free(big);

	/* a message over 1 MiB in lines under the cap */
	sbuf_init(&b);
	for (int i = 0; i < 20; i++) {
		sbuf_add(&b, "Output: ");
		for (int j = 0; j < 60000 / 50; j++)
			sbuf_add(&b, "01234567890123456789012345678901234567890123456789");
		sbuf_add(&b, "\r\n");
	}
	sbuf_add(&b, "\r\n");
	expect_broken(b.s, b.len, 8192, "message over 1048576 bytes");
	sbuf_free(&b);

	/* too many lines in one message */
	sbuf_init(&b);
	for (long i = 0; i <= AMI_FIELDS_MAX; i++)
		sbuf_add(&b, "Output: x\r\n");
	sbuf_add(&b, "\r\n");
	expect_broken(b.s, b.len, 100000, "message over 16384 lines");
	sbuf_free(&b);

	/* a NUL byte would cut a value short unseen */
	expect_broken("Event: A\r\nKey: a\0b\r\n\r\n", 22, 22, "NUL byte");
}

static void test_write_action(void)
{
	struct sbuf out;
	char *err = NULL;
	const char *kv[] = { "Command", "core show uptime", "Variable", "a=b\tc", NULL };

	sbuf_init(&out);
	T_CHECK(ami_action_write(&out, "Command", "difos-7", kv, &err) == 0);
	T_CHECK_STR(out.s, "Action: Command\r\nActionID: difos-7\r\nCommand: core show uptime\r\n"
			   "Variable: a=b\tc\r\n\r\n");
	T_CHECK(err == NULL);
	T_CHECK(ami_action_write(&out, "Ping", "difos-8", NULL, &err) == 0);
	T_CHECK(strstr(out.s, "Action: Ping\r\nActionID: difos-8\r\n\r\n") != NULL);

	/* what the writer writes, a reader of actions reads back */
	{
		struct parsed p = parse_pieces(out.s, out.len, 5, 0, false);

		T_CHECK(json_array_size(p.msgs) == 2);
		T_CHECK_STR(jget(p.msgs, 0, "Command"), "core show uptime");
		T_CHECK_STR(jget(p.msgs, 1, "Action"), "Ping");
		parsed_free(&p);
	}
	sbuf_free(&out);
}

/* One refused action: nothing written, the error names what and why. */
static void expect_refused(const char *action, const char *const *kv, const char *words)
{
	struct sbuf out;
	char *err = NULL;

	sbuf_init(&out);
	T_CHECK(ami_action_write(&out, action, "difos-1", kv, &err) < 0);
	T_CHECK(out.len == 0);
	T_CHECK(err && strstr(err, words));
	if (!err || !strstr(err, words))
		fprintf(stderr, "  got \"%s\", wanted \"%s\"\n", err ? err : "(none)", words);
	free(err);
	sbuf_free(&out);
}

static void test_write_refusals(void)
{
	/* a line break in a value would start a second action */
	const char *inject[] = { "Command", "core show uptime\r\n\r\nAction: Originate\r\nChannel: PJSIP/x",
				 NULL };
	const char *lf[] = { "Command", "a\nAction: Logoff", NULL };
	const char *cr[] = { "Secret", "a\rb", NULL };
	const char *ctl[] = { "Command", "a\x1b[2Jb", NULL };
	const char *key_colon[] = { "Com: mand", "x", NULL };
	const char *key_crlf[] = { "A\r\nAction", "x", NULL };
	const char *key_id[] = { "actionid", "difos-9", NULL };
	const char *key_action[] = { "Action", "Logoff", NULL };
	const char *no_value[] = { "Command", NULL, NULL };

	expect_refused("Command", inject,
		       "value of 'Command' may not hold a line break (CR or LF): "
		       "\"core show uptime\\r\\n\\r\\nAction: Originate\\r\\nChannel: PJSIP/x\"");
	expect_refused("Command", lf, "value of 'Command' may not hold a line break");
	expect_refused("Login", cr, "value of 'Secret' may not hold a line break");
	expect_refused("Command", ctl, "value of 'Command' may not hold a control character: \"a\\x1b[2Jb\"");
	expect_refused("Command", key_colon, "key must be a word");
	expect_refused("Command", key_crlf, "key must be a word of letters, digits, - and _: \"A\\r\\nAction\"");
	expect_refused("Command", key_id, "key is set by the client: \"actionid\"");
	expect_refused("Command", key_action, "key is set by the client");
	expect_refused("Command", no_value, "value of 'Command' is missing");
	expect_refused("Ping\r\nAction: Logoff", NULL, "action must be a word");
	expect_refused("", NULL, "action must be a word");
	{
		struct sbuf out;
		char *err = NULL;

		sbuf_init(&out);
		T_CHECK(ami_action_write(&out, "Ping", "x\r\nAction: Logoff", NULL, &err) < 0);
		T_CHECK(err && strstr(err, "ActionID of 'Ping' may not hold a line break"));
		free(err);
		sbuf_free(&out);
	}
	/* a value over the line cap */
	{
		char *v = xmalloc(AMI_LINE_MAX + 1);
		const char *kv[] = { "Command", v, NULL };

		memset(v, 'a', AMI_LINE_MAX);
		v[AMI_LINE_MAX] = '\0';
		expect_refused("Command", kv, "value of 'Command' is over 65536 bytes");
		free(v);
	}
}

/* ---- the client against a fake manager port ---- */

struct fake {
	uv_loop_t *loop;
	uv_tcp_t listener;
	int port;
	uv_tcp_t *conn;
	struct ami_reader reader;
	int accepts, logins;
	const char *banner;           /* NULL: say nothing */
	bool refuse_login, mute;      /* mute: answer no action (Ping included) */
	bool booting;                 /* no FullyBooted after the login */
	const char *refusal;          /* the Message of a refused login */
	struct ami_msg *actions[64];  /* every action received, all connections */
	int n_actions;
	struct ami_msg *held[8];      /* actions kept unanswered for the test */
	int n_held;
};

/* What the client saw. */
struct seen {
	int up, down, events, replies;
	char why[256];
	char last_event[64];
	struct ami_client *free_on_event;   /* freed from inside the event callback */
};

struct answer {
	struct seen *seen;
	char err[256];
	int calls;
	json_t *response;
	json_t *items;
	json_t *complete;
	int order;                    /* which reply this was, of all */
};

static void fake_written(uv_write_t *w, int status)
{
	(void)status;
	free(w);
}

static void fake_send(struct fake *f, const char *text)
{
	size_t n = strlen(text);
	uv_write_t *w = xmalloc(sizeof(*w) + n);
	uv_buf_t b = uv_buf_init((char *)(w + 1), (unsigned)n);

	memcpy(w + 1, text, n);
	if (!f->conn || uv_write(w, (uv_stream_t *)f->conn, &b, 1, fake_written) < 0)
		free(w);
}

static void fake_sendf(struct fake *f, const char *fmt, const char *id)
{
	char *t = xasprintf(fmt, id);

	fake_send(f, t);
	free(t);
}

static void fake_conn_closed(uv_handle_t *h)
{
	free(h);
}

static void fake_drop(struct fake *f)
{
	if (!f->conn)
		return;
	uv_close((uv_handle_t *)f->conn, fake_conn_closed);
	f->conn = NULL;
	ami_reader_free(&f->reader);
}

static void fake_action(struct fake *f, struct ami_msg *a)
{
	const char *id = ami_get(a, "ActionID");

	if (f->n_actions < (int)ARRAY_SIZE(f->actions))
		f->actions[f->n_actions++] = a;
	if (ami_is(a, "Action", "Login")) {
		f->logins++;
		if (f->refuse_login) {
			char *t = xasprintf("Response: Error\r\nActionID: %s\r\nMessage: %s\r\n\r\n",
					    id, f->refusal ? f->refusal : "Authentication failed");

			fake_send(f, t);
			free(t);
			return;
		}
		fake_sendf(f, "Response: Success\r\nActionID: %s\r\n"
			      "Message: Authentication accepted\r\n\r\n", id);
		if (!f->booting)
			fake_send(f, "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 2\r\n"
				     "LastReload: 2\r\nStatus: Fully Booted\r\n\r\n");
		return;
	}
	if (f->mute)
		return;
	if (ami_is(a, "Action", "Ping")) {
		fake_sendf(f, "Response: Success\r\nActionID: %s\r\nPing: Pong\r\n"
			      "Timestamp: 1764417600.000000\r\n\r\n", id);
		return;
	}
	if (ami_is(a, "Action", "PJSIPShowEndpoints")) {
		/* an unsolicited event in the middle of the list */
		fake_sendf(f, "Response: Success\r\nActionID: %s\r\nEventList: start\r\n"
			      "Message: A listing of Endpoints follows, presented as EndpointList events\r\n\r\n", id);
		fake_sendf(f, "Event: EndpointList\r\nActionID: %s\r\nObjectType: endpoint\r\n"
			      "ObjectName: 100\r\nDeviceState: Not in use\r\n\r\n", id);
		fake_send(f, "Event: ContactStatus\r\nPrivilege: system,all\r\nURI: sip:100@10.201.0.2:5061\r\n"
			     "ContactStatus: Reachable\r\nAOR: 100\r\nEndpointName: 100\r\n\r\n");
		fake_sendf(f, "Event: EndpointList\r\nActionID: %s\r\nObjectType: endpoint\r\n"
			      "ObjectName: 101\r\nDeviceState: Unavailable\r\n\r\n", id);
		fake_sendf(f, "Event: EndpointListComplete\r\nActionID: %s\r\nEventList: Complete\r\n"
			      "ListItems: 2\r\n\r\n", id);
		return;
	}
	/* everything else waits for the test to answer it */
	if (f->n_held < (int)ARRAY_SIZE(f->held))
		f->held[f->n_held++] = a;
}

static void fake_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = xmalloc(suggested);
	buf->len = suggested;
}

static void fake_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct fake *f = s->data;
	size_t off = 0;

	if (nread < 0 && (uv_tcp_t *)s == f->conn)
		fake_drop(f);
	while (nread > 0 && off < (size_t)nread && (uv_tcp_t *)s == f->conn) {
		struct ami_msg *m;
		size_t used;
		enum ami_read rc = ami_reader_feed(&f->reader, buf->base + off, (size_t)nread - off,
						   &used, &m);

		off += used;
		if (rc == AMI_MESSAGE)
			fake_action(f, m);
		else if (rc == AMI_ERROR)
			fake_drop(f);
	}
	free(buf->base);
}

static void fake_accept(uv_stream_t *server, int status)
{
	struct fake *f = server->data;
	uv_tcp_t *c = xcalloc(1, sizeof(*c));

	uv_tcp_init(f->loop, c);
	c->data = f;
	if (status < 0 || uv_accept(server, (uv_stream_t *)c) < 0) {
		uv_close((uv_handle_t *)c, fake_conn_closed);
		return;
	}
	fake_drop(f);          /* one client at a time */
	f->conn = c;
	f->accepts++;
	f->n_held = 0;
	ami_reader_init(&f->reader, false);
	uv_read_start((uv_stream_t *)c, fake_alloc, fake_read);
	if (f->banner) {
		fake_send(f, f->banner);
		fake_send(f, "\r\n");
	}
}

static void fake_start(struct fake *f, uv_loop_t *loop)
{
	struct sockaddr_in a;
	struct sockaddr_storage got;
	int len = sizeof(got);

	memset(f, 0, sizeof(*f));
	f->loop = loop;
	f->banner = "Asterisk Call Manager/11.0.0";
	uv_ip4_addr("127.0.0.1", 0, &a);
	uv_tcp_init(loop, &f->listener);
	f->listener.data = f;
	uv_tcp_bind(&f->listener, (struct sockaddr *)&a, 0);
	uv_listen((uv_stream_t *)&f->listener, 8, fake_accept);
	uv_tcp_getsockname(&f->listener, (struct sockaddr *)&got, &len);
	f->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
}

static void fake_stop(struct fake *f)
{
	fake_drop(f);
	if (!uv_is_closing((uv_handle_t *)&f->listener))
		uv_close((uv_handle_t *)&f->listener, NULL);
	for (int i = 0; i < f->n_actions; i++)
		ami_msg_free(f->actions[i]);
}

static void on_state(void *arg, bool connected, const char *why)
{
	struct seen *s = arg;

	if (connected)
		s->up++;
	else
		s->down++;
	snprintf(s->why, sizeof(s->why), "%s", why);
}

static void on_event(void *arg, const struct ami_msg *ev)
{
	struct seen *s = arg;

	s->events++;
	snprintf(s->last_event, sizeof(s->last_event), "%s", ami_get(ev, "Event"));
	if (s->free_on_event) {
		ami_client_free(s->free_on_event);
		s->free_on_event = NULL;
	}
}

static void on_reply(void *arg, const char *err, const struct ami_reply *r)
{
	struct answer *a = arg;

	a->calls++;
	a->order = ++a->seen->replies;
	if (err) {
		snprintf(a->err, sizeof(a->err), "%s", err);
		T_CHECK(r == NULL);
		return;
	}
	a->response = ami_msg_json(r->response);
	a->items = json_array();
	for (size_t i = 0; i < r->n_items; i++)
		json_array_append_new(a->items, ami_msg_json(r->items[i]));
	a->complete = r->complete ? ami_msg_json(r->complete) : NULL;
}

static void answer_free(struct answer *a)
{
	json_decref(a->response);
	json_decref(a->items);
	json_decref(a->complete);
}

static void guard_cb(uv_timer_t *t)
{
	(void)t;
}

/* Runs the loop until *flag is at least want or ms pass; true if it got there. */
static bool run_until(uv_loop_t *loop, const int *flag, int want, int ms)
{
	uv_timer_t guard;
	long long end = now_ms() + ms;

	uv_timer_init(loop, &guard);
	uv_timer_start(&guard, guard_cb, 10, 10);
	while (*flag < want && now_ms() < end)
		uv_run(loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
	return *flag >= want;
}

static void run_for(uv_loop_t *loop, int ms)
{
	int never = 0;

	run_until(loop, &never, 1, ms);
}

struct rig {
	uv_loop_t loop;
	struct fake f;
	struct seen s;
	struct ami_client *c;
};

static void rig_start(struct rig *r, struct ami_config *cfg)
{
	char *err = NULL;

	memset(&r->s, 0, sizeof(r->s));
	uv_loop_init(&r->loop);
	fake_start(&r->f, &r->loop);
	cfg->host = "127.0.0.1";
	cfg->port = r->f.port;
	if (!cfg->username)
		cfg->username = "difos";
	if (!cfg->secret)
		cfg->secret = "s3cret";
	if (!cfg->backoff_min_ms)
		cfg->backoff_min_ms = 20;
	if (!cfg->backoff_max_ms)
		cfg->backoff_max_ms = 80;
	r->c = ami_client_new(&r->loop, cfg, on_state, on_event, &r->s, &err);
	T_CHECK(r->c && !err);
	free(err);
}

/* Frees the client and the fake; nothing may stay open on the loop. */
static void rig_stop(struct rig *r)
{
	if (r->c)
		ami_client_free(r->c);
	fake_stop(&r->f);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	T_CHECK(uv_loop_close(&r->loop) == 0);
}

static const char *status_str(struct ami_client *c, const char *key)
{
	static char buf[256];
	json_t *st = ami_client_status(c);
	const char *v = json_string_value(json_object_get(st, key));

	snprintf(buf, sizeof(buf), "%s", v ? v : "(null)");
	json_decref(st);
	return buf;
}

static long long status_int(struct ami_client *c, const char *key)
{
	json_t *st = ami_client_status(c);
	long long v = json_integer_value(json_object_get(st, key));

	json_decref(st);
	return v;
}

static void test_client_login(void)
{
	struct ami_config cfg = { .events = "system,call" };
	struct rig r;
	json_t *st;

	rig_start(&r, &cfg);
	T_CHECK_STR(status_str(r.c, "state"), "stopped");
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	T_CHECK(ami_client_connected(r.c));
	T_CHECK(strstr(r.s.why, "AMI 11.0.0") != NULL);
	T_CHECK(r.f.n_actions == 1);
	T_CHECK(ami_is(r.f.actions[0], "Action", "Login"));
	T_CHECK_STR(ami_get(r.f.actions[0], "Username"), "difos");
	T_CHECK_STR(ami_get(r.f.actions[0], "Secret"), "s3cret");
	T_CHECK_STR(ami_get(r.f.actions[0], "Events"), "system,call");
	T_CHECK(!strncmp(ami_get(r.f.actions[0], "ActionID"), "difos-", 6));
	/* the event that follows the login is nobody's answer */
	T_CHECK(run_until(&r.loop, &r.s.events, 1, 3000));
	T_CHECK_STR(r.s.last_event, "FullyBooted");
	st = ami_client_status(r.c);
	T_CHECK_STR(json_string_value(json_object_get(st, "state")), "connected");
	T_CHECK_STR(json_string_value(json_object_get(st, "version")), "11.0.0");
	T_CHECK(json_integer_value(json_object_get(st, "logins")) == 1);
	T_CHECK(json_is_integer(json_object_get(st, "since")));
	T_CHECK(json_is_null(json_object_get(st, "error")));
	json_decref(st);
	rig_stop(&r);
}

static void test_client_boot(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer p = { .seen = &r.s };
	char *err = NULL;

	/* logged in while Asterisk still loads its modules: not up yet */
	rig_start(&r, &cfg);
	r.f.booting = true;
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.f.logins, 1, 3000));
	run_for(&r.loop, 100);
	T_CHECK(r.s.up == 0 && !ami_client_connected(r.c));
	T_CHECK_STR(status_str(r.c, "state"), "waiting for Asterisk to boot");
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) < 0);
	free(err);
	err = NULL;
	fake_send(&r.f, "Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n");
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	T_CHECK(r.s.events == 1);     /* still an event for the callback */
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) == 0);
	T_CHECK(run_until(&r.loop, &p.calls, 1, 3000));
	answer_free(&p);
	rig_stop(&r);

	/* an Asterisk that never finishes booting is connected again */
	cfg = (struct ami_config){ .boot_timeout_ms = 100 };
	rig_start(&r, &cfg);
	r.f.booting = true;
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.f.logins, 2, 3000));
	T_CHECK(strstr(status_str(r.c, "error"), "did not finish booting within 100 ms") != NULL);
	T_CHECK(r.s.up == 0);
	rig_stop(&r);

	/* events without the system class: FullyBooted cannot come, the
	 * login is enough */
	cfg = (struct ami_config){ .events = "call,cdr" };
	rig_start(&r, &cfg);
	r.f.booting = true;
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	rig_stop(&r);
	cfg = (struct ami_config){ .events = "off" };
	rig_start(&r, &cfg);
	r.f.booting = true;
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	rig_stop(&r);
}

static void test_client_login_refused(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	char *dump;

	rig_start(&r, &cfg);
	r.f.refuse_login = true;
	ami_client_start(r.c);
	/* refused, then tried again after the back-off */
	T_CHECK(run_until(&r.loop, &r.f.logins, 3, 3000));
	T_CHECK(r.s.up == 0 && r.s.down == 0);
	T_CHECK(!ami_client_connected(r.c));
	T_CHECK(strstr(status_str(r.c, "error"), "login as 'difos' refused: Authentication failed"));
	/* the secret shows nowhere */
	{
		json_t *st = ami_client_status(r.c);

		dump = json_dumps(st, 0);
		T_CHECK(strstr(dump, "s3cret") == NULL);
		free(dump);
		json_decref(st);
	}
	/* once accepted, it is up */
	r.f.refuse_login = false;
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	rig_stop(&r);

	/* what Asterisk says is shown clean: no control characters, UTF-8 */
	rig_start(&r, &cfg);
	r.f.banner = "Asterisk Call Manager/11\x1b[2J\xff";
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	T_CHECK_STR(status_str(r.c, "version"), "11?[2J?");
	rig_stop(&r);
	rig_start(&r, &cfg);
	r.f.refuse_login = true;
	r.f.refusal = "Authentication failed \xe2\x9c\x93 \x07\xc3";
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.f.logins, 2, 3000));
	T_CHECK(strstr(status_str(r.c, "error"), "refused: Authentication failed ??? ??") != NULL);
	r.f.refusal = "Authentication failed \xe2\x9c\x93";
	T_CHECK(run_until(&r.loop, &r.f.logins, 4, 3000));
	T_CHECK(strstr(status_str(r.c, "error"), "refused: Authentication failed \xe2\x9c\x93") != NULL);
	rig_stop(&r);
}

static void test_client_out_of_order(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer a = { .seen = &r.s }, b = { .seen = &r.s };
	const char *kv[] = { "Command", "core show uptime", NULL };
	char *err = NULL;
	struct ami_msg *ha, *hb;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	T_CHECK(ami_client_send(r.c, "Command", kv, 0, on_reply, &a, &err) == 0);
	T_CHECK(ami_client_send(r.c, "CoreStatus", NULL, 0, on_reply, &b, &err) == 0);
	T_CHECK(run_until(&r.loop, &r.f.n_held, 2, 3000));
	ha = r.f.held[0];
	hb = r.f.held[1];
	T_CHECK(ami_is(ha, "Action", "Command") && ami_is(hb, "Action", "CoreStatus"));
	T_CHECK(strcmp(ami_get(ha, "ActionID"), ami_get(hb, "ActionID")) != 0);
	/* the second is answered first, in pieces of one write each */
	fake_sendf(&r.f, "Response: Success\r\nActionID: %s\r\nCoreStartupDate: 2026-11-29\r\n"
			 "CoreCurrentCalls: 0\r\n\r\n", ami_get(hb, "ActionID"));
	fake_sendf(&r.f, "Response: Success\r\nActionID: %s\r\nMessage: Command output follows\r\n"
			 "Output: System uptime: 1 minute, 5 seconds\r\n", ami_get(ha, "ActionID"));
	fake_send(&r.f, "Output: Last reload: 1 minute, 5 seconds\r\n\r\n");
	T_CHECK(run_until(&r.loop, &r.s.replies, 2, 3000));
	T_CHECK(a.calls == 1 && b.calls == 1);
	T_CHECK(b.order == 1 && a.order == 2);
	T_CHECK_STR(json_string_value(json_object_get(b.response, "CoreCurrentCalls")), "0");
	T_CHECK_STR(json_string_value(json_array_get(json_object_get(a.response, "Output"), 1)),
		    "Last reload: 1 minute, 5 seconds");
	T_CHECK(json_array_size(a.items) == 0 && a.complete == NULL);
	answer_free(&a);
	answer_free(&b);
	rig_stop(&r);
}

static void test_client_list(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer a = { .seen = &r.s };
	char *err = NULL;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.events, 1, 3000));   /* FullyBooted */
	T_CHECK(ami_client_send(r.c, "PJSIPShowEndpoints", NULL, 0, on_reply, &a, &err) == 0);
	T_CHECK(run_until(&r.loop, &a.calls, 1, 3000));
	T_CHECK(a.err[0] == '\0');
	T_CHECK_STR(json_string_value(json_object_get(a.response, "EventList")), "start");
	T_CHECK(json_array_size(a.items) == 2);
	T_CHECK_STR(json_string_value(json_object_get(json_array_get(a.items, 0), "ObjectName")), "100");
	T_CHECK_STR(json_string_value(json_object_get(json_array_get(a.items, 1), "ObjectName")), "101");
	T_CHECK_STR(json_string_value(json_object_get(a.complete, "ListItems")), "2");
	/* the event in the middle of the list went to the event callback */
	T_CHECK(r.s.events == 2);
	T_CHECK_STR(r.s.last_event, "ContactStatus");
	answer_free(&a);
	rig_stop(&r);
}

static void test_client_list_cap(void)
{
	struct ami_config cfg = { .max_list_items = 1 };
	struct rig r;
	struct answer a = { .seen = &r.s }, p = { .seen = &r.s };
	char *err = NULL;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.events, 1, 3000));
	T_CHECK(ami_client_send(r.c, "PJSIPShowEndpoints", NULL, 0, on_reply, &a, &err) == 0);
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) == 0);
	T_CHECK(run_until(&r.loop, &p.calls, 1, 3000));
	T_CHECK(strstr(a.err, "PJSIPShowEndpoints: list answer over 1 events") != NULL);
	/* the rest of the list given up on reaches nobody */
	T_CHECK(r.s.events == 2);      /* FullyBooted, ContactStatus */
	T_CHECK(status_int(r.c, "dropped") == 2);    /* the last item and the closing event */
	answer_free(&a);
	answer_free(&p);
	rig_stop(&r);
}

static void test_client_caps(void)
{
	struct ami_config cfg = { .max_pending = 2, .max_queued_bytes = 300 };
	struct rig r;
	struct answer a = { .seen = &r.s }, b = { .seen = &r.s }, c = { .seen = &r.s };
	char big[400];
	const char *kv[] = { "Command", big, NULL };
	char *err = NULL;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	/* no more than max_pending wait for an answer */
	T_CHECK(ami_client_send(r.c, "CoreStatus", NULL, 0, on_reply, &a, &err) == 0);
	T_CHECK(ami_client_send(r.c, "CoreSettings", NULL, 0, on_reply, &b, &err) == 0);
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &c, &err) < 0);
	T_CHECK_STR(err, "too many actions waiting for Asterisk (2)");
	free(err);
	err = NULL;
	T_CHECK(status_int(r.c, "pending") == 2);
	T_CHECK(run_until(&r.loop, &r.f.n_held, 2, 3000));
	fake_sendf(&r.f, "Response: Success\r\nActionID: %s\r\n\r\n", ami_get(r.f.held[0], "ActionID"));
	T_CHECK(run_until(&r.loop, &a.calls, 1, 3000));
	/* one answered: room for one more, but not for more bytes than the
	 * queue may hold */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_CHECK(ami_client_send(r.c, "Command", kv, 0, on_reply, &c, &err) < 0);
	T_CHECK_STR(err, "over 300 bytes queued for Asterisk");
	free(err);
	err = NULL;
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &c, &err) == 0);
	T_CHECK(run_until(&r.loop, &c.calls, 1, 3000));
	T_CHECK(c.err[0] == '\0');
	T_CHECK(b.calls == 0);
	answer_free(&a);
	answer_free(&b);
	answer_free(&c);
	rig_stop(&r);
}

static void test_client_timeout(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer a = { .seen = &r.s }, b = { .seen = &r.s };
	const char *kv[] = { "Command", "core show uptime", NULL };
	char *err = NULL;
	json_t *st;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.events, 1, 3000));
	T_CHECK(ami_client_send(r.c, "Command", kv, 60, on_reply, &a, &err) == 0);
	T_CHECK(ami_client_send(r.c, "CoreStatus", NULL, 5000, on_reply, &b, &err) == 0);
	T_CHECK(run_until(&r.loop, &a.calls, 1, 3000));
	T_CHECK_STR(a.err, "no answer to Command from Asterisk within 60 ms");
	T_CHECK(b.calls == 0);
	/* the late answer is dropped, not taken for an event */
	fake_sendf(&r.f, "Response: Success\r\nActionID: %s\r\nMessage: Command output follows\r\n"
			 "Output: late\r\n\r\n", ami_get(r.f.held[0], "ActionID"));
	fake_sendf(&r.f, "Response: Success\r\nActionID: %s\r\nCoreCurrentCalls: 1\r\n\r\n",
		   ami_get(r.f.held[1], "ActionID"));
	T_CHECK(run_until(&r.loop, &b.calls, 1, 3000));
	T_CHECK(a.calls == 1 && b.err[0] == '\0');
	T_CHECK(r.s.events == 1);
	st = ami_client_status(r.c);
	T_CHECK(json_integer_value(json_object_get(st, "dropped")) == 1);
	T_CHECK(json_integer_value(json_object_get(st, "pending")) == 0);
	json_decref(st);
	answer_free(&a);
	answer_free(&b);
	rig_stop(&r);
}

static void test_client_reconnect(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer a = { .seen = &r.s }, p = { .seen = &r.s };
	const char *kv[] = { "Command", "core show uptime", NULL };
	char *err = NULL;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.events, 1, 3000));
	T_CHECK(ami_client_send(r.c, "Command", kv, 5000, on_reply, &a, &err) == 0);
	T_CHECK(run_until(&r.loop, &r.f.n_held, 1, 3000));
	/* Asterisk restarts: the waiting action fails at once, the state says so */
	fake_drop(&r.f);
	T_CHECK(run_until(&r.loop, &r.s.down, 1, 3000));
	T_CHECK_STR(r.s.why, "Asterisk closed the connection");
	T_CHECK(a.calls == 1);
	T_CHECK_STR(a.err, "connection lost: Asterisk closed the connection");
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) < 0);
	T_CHECK(err && strstr(err, "not connected to Asterisk at 127.0.0.1:"));
	free(err);
	err = NULL;
	/* and comes back: connected again, a new login, actions work */
	T_CHECK(run_until(&r.loop, &r.s.up, 2, 3000));
	T_CHECK(r.f.accepts == 2 && r.f.logins == 2);
	T_CHECK(status_int(r.c, "logins") == 2);
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) == 0);
	T_CHECK(run_until(&r.loop, &p.calls, 1, 3000));
	T_CHECK_STR(json_string_value(json_object_get(p.response, "Ping")), "Pong");
	/* no ActionID was used twice, across connections */
	for (int i = 0; i < r.f.n_actions; i++)
		for (int j = i + 1; j < r.f.n_actions; j++)
			T_CHECK(strcmp(ami_get(r.f.actions[i], "ActionID"),
				       ami_get(r.f.actions[j], "ActionID")) != 0);
	answer_free(&a);
	answer_free(&p);
	rig_stop(&r);
}

static void test_client_injection(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer p = { .seen = &r.s }, q = { .seen = &r.s };
	const char *kv[] = { "Command", "core show uptime\r\n\r\nAction: Originate\r\n"
			     "Channel: PJSIP/100\r\nApplication: Playback", NULL };
	char *err = NULL;
	int before;

	rig_start(&r, &cfg);
	/* not connected yet */
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) < 0);
	T_CHECK(err && strstr(err, "not connected"));
	free(err);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	before = r.f.n_actions;
	T_CHECK(ami_client_send(r.c, "Command", kv, 0, on_reply, &q, &err) < 0);
	T_CHECK(err && strstr(err, "value of 'Command' may not hold a line break"));
	free(err);
	/* a Ping after it is the only thing Asterisk gets */
	T_CHECK(ami_client_send(r.c, "Ping", NULL, 0, on_reply, &p, &err) == 0);
	T_CHECK(run_until(&r.loop, &p.calls, 1, 3000));
	T_CHECK(q.calls == 0);
	T_CHECK(r.f.n_actions == before + 1);
	T_CHECK(ami_is(r.f.actions[before], "Action", "Ping"));
	for (int i = 0; i < r.f.n_actions; i++)
		T_CHECK(!ami_is(r.f.actions[i], "Action", "Originate"));
	answer_free(&p);
	rig_stop(&r);
}

static void test_client_bad_server(void)
{
	struct ami_config cfg = { .connect_timeout_ms = 300 };
	struct rig r;
	struct sbuf big;

	/* no banner at all */
	rig_start(&r, &cfg);
	r.f.banner = NULL;
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.f.accepts, 2, 3000));
	T_CHECK(strstr(status_str(r.c, "error"), ": no banner within 300 ms") != NULL);
	rig_stop(&r);

	/* something else on the port */
	rig_start(&r, &cfg);
	r.f.banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2";
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.f.accepts, 2, 3000));
	T_CHECK(strstr(status_str(r.c, "error"), "is no Asterisk manager port (it said \"SSH-2.0"));
	T_CHECK(r.f.logins == 0);
	rig_stop(&r);

	/* a message over the cap: dropped, and connected again */
	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	sbuf_init(&big);
	sbuf_add(&big, "Event: Flood\r\nData: ");
	while (big.len < AMI_LINE_MAX + 100)
		sbuf_add(&big, "0123456789abcdef");
	fake_send(&r.f, big.s);
	sbuf_free(&big);
	T_CHECK(run_until(&r.loop, &r.s.down, 1, 3000));
	T_CHECK_STR(r.s.why, "unreadable answer from Asterisk: line over 65536 bytes");
	T_CHECK(run_until(&r.loop, &r.s.up, 2, 3000));
	T_CHECK(r.s.events >= 1 && strcmp(r.s.last_event, "Flood") != 0);
	rig_stop(&r);

	/* nobody on the port (a long back-off: it stays down to be looked at) */
	cfg.backoff_min_ms = cfg.backoff_max_ms = 10000;
	rig_start(&r, &cfg);
	uv_close((uv_handle_t *)&r.f.listener, NULL);
	run_for(&r.loop, 5);
	ami_client_start(r.c);
	for (int i = 0; i < 300 && !strcmp(status_str(r.c, "error"), "(null)"); i++)
		run_for(&r.loop, 10);
	T_CHECK(strstr(status_str(r.c, "error"), "cannot connect to 127.0.0.1:") != NULL);
	T_CHECK(strstr(status_str(r.c, "error"), "connection refused") != NULL);
	T_CHECK_STR(status_str(r.c, "state"), "disconnected");
	rig_stop(&r);
}

static void test_client_ping(void)
{
	/* an answer may be slow on a loaded machine: only none at all counts */
	struct ami_config cfg = { .ping_ms = 50, .action_timeout_ms = 1000 };
	struct rig r;

	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.up, 1, 3000));
	/* answered Pings keep the connection (a Login, then Pings) */
	T_CHECK(run_until(&r.loop, &r.f.n_actions, 4, 3000));
	T_CHECK(r.s.down == 0);
	for (int i = 1; i < r.f.n_actions; i++)
		T_CHECK(ami_is(r.f.actions[i], "Action", "Ping"));
	/* an Asterisk that hangs is left for a new connection */
	r.f.mute = true;
	T_CHECK(run_until(&r.loop, &r.s.down, 1, 3000));
	T_CHECK_STR(r.s.why, "no answer to Ping from Asterisk within 1000 ms");
	T_CHECK(run_until(&r.loop, &r.s.up, 2, 3000));
	rig_stop(&r);
}

static void test_client_free_inside(void)
{
	struct ami_config cfg = { 0 };
	struct rig r;
	struct answer a = { .seen = &r.s };
	char *err = NULL;

	/* freed from its own event callback in the middle of a read: the
	 * waiting action hears "client stopped", nothing is touched after */
	rig_start(&r, &cfg);
	ami_client_start(r.c);
	T_CHECK(run_until(&r.loop, &r.s.events, 1, 3000));
	T_CHECK(ami_client_send(r.c, "CoreStatus", NULL, 0, on_reply, &a, &err) == 0);
	T_CHECK(run_until(&r.loop, &r.f.n_held, 1, 3000));
	r.s.free_on_event = r.c;
	fake_send(&r.f, "Event: Shutdown\r\nShutdown: Cleanly\r\nRestart: True\r\n\r\n"
			"Event: Never\r\n\r\n");
	T_CHECK(run_until(&r.loop, &a.calls, 1, 3000));
	T_CHECK_STR(a.err, "connection lost: client stopped");
	T_CHECK_STR(r.s.last_event, "Shutdown");
	T_CHECK(r.s.down == 0);
	r.c = NULL;
	rig_stop(&r);
}

static void test_client_config(void)
{
	uv_loop_t loop;
	struct seen s = { 0 };
	char *err = NULL;
	struct ami_config bad_secret = { .username = "difos", .secret = "a\r\nAction: Logoff" };
	struct ami_config bad_host = { .host = "localhost", .username = "difos", .secret = "x" };
	struct ami_config bad_port = { .port = 70000, .username = "difos", .secret = "x" };
	struct ami_config no_user = { .secret = "x" };

	uv_loop_init(&loop);
	T_CHECK(ami_client_new(&loop, &bad_secret, on_state, on_event, &s, &err) == NULL);
	T_CHECK_STR(err, "AMI secret may not hold a line break (CR or LF)");
	free(err);
	T_CHECK(ami_client_new(&loop, &bad_host, on_state, on_event, &s, &err) == NULL);
	T_CHECK_STR(err, "AMI host 'localhost' is no IP address");
	free(err);
	T_CHECK(ami_client_new(&loop, &bad_port, on_state, on_event, &s, &err) == NULL);
	T_CHECK_STR(err, "AMI port 70000 is out of 1-65535");
	free(err);
	T_CHECK(ami_client_new(&loop, &no_user, on_state, on_event, &s, &err) == NULL);
	T_CHECK_STR(err, "AMI username '' is missing");
	free(err);
	T_CHECK(uv_loop_close(&loop) == 0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	corpus = argv[1];
	/* the fake hangs up while the client may write, as difosd (which
	 * ignores SIGPIPE) sees Asterisk go */
	signal(SIGPIPE, SIG_IGN);
	T_RUN(test_parse_login);
	T_RUN(test_parse_list_and_command);
	T_RUN(test_parse_events);
	T_RUN(test_msg_lookup);
	T_RUN(test_parse_caps);
	T_RUN(test_write_action);
	T_RUN(test_write_refusals);
	T_RUN(test_client_config);
	T_RUN(test_client_login);
	T_RUN(test_client_boot);
	T_RUN(test_client_login_refused);
	T_RUN(test_client_out_of_order);
	T_RUN(test_client_list);
	T_RUN(test_client_list_cap);
	T_RUN(test_client_caps);
	T_RUN(test_client_timeout);
	T_RUN(test_client_reconnect);
	T_RUN(test_client_injection);
	T_RUN(test_client_bad_server);
	T_RUN(test_client_ping);
	T_RUN(test_client_free_inside);
	return t_done("pbx_ami");
}
