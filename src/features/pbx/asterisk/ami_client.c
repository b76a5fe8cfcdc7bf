/* The AMI client on the loop (ami_client.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/lock.h"
#include "core/util.h"
#include "features/pbx/asterisk/ami_client.h"

/* Our ActionIDs, difos-<n>: never used twice, so a late answer (after its
 * timeout, or from before a reconnect) matches no action waiting. */
#define AMI_ID_PREFIX "difos-"
/* Lists given up (timed out, over the cap) whose remaining events are dropped. */
#define AMI_ABANDONED 16

enum ami_phase { AMI_DOWN, AMI_CONNECTING, AMI_BANNER_WAIT, AMI_LOGIN, AMI_BOOTING, AMI_UP };

static const char *const ami_phase_names[] = {
	[AMI_DOWN] = "disconnected", [AMI_CONNECTING] = "connecting",
	[AMI_BANNER_WAIT] = "connecting", [AMI_LOGIN] = "logging in",
	[AMI_BOOTING] = "waiting for Asterisk to boot", [AMI_UP] = "connected",
};

/* An action waiting for its answer. */
struct ami_pending {
	struct ami_pending *next;
	char id[32];
	char action[40];
	unsigned timeout_ms;
	long long deadline;
	ami_reply_fn fn;
	void *arg;
	struct ami_msg *response, *complete;
	struct ami_msg **items;
	size_t n_items, cap_items;
	bool listing;                 /* "EventList: start": events follow */
};

/* One TCP connection; a new one for each attempt, freed when libuv closed it. */
struct ami_conn {
	uv_tcp_t tcp;
	uv_connect_t connect;
	struct ami_client *c;
	struct ami_reader reader;
	char buf[16384];
};

struct ami_client {
	uv_loop_t *loop;
	struct ami_config cfg;
	char *host, *username, *secret, *events;
	struct sockaddr_storage addr;
	char address[64];             /* "127.0.0.1:5038" for messages */
	ami_state_fn on_state;
	ami_event_fn on_event;
	void *arg;

	struct ami_conn *conn;
	enum ami_phase phase;
	uv_timer_t deadline;          /* connect, banner and login; then the boot */
	bool wait_booted;             /* up at FullyBooted, not at the login */
	uv_timer_t retry;             /* the back-off before connecting again */
	uv_timer_t sweep;             /* actions' timeouts and the idle Ping */
	int handles;                  /* open: the three timers, the connection */
	bool stopped;
	unsigned backoff_ms;

	unsigned long long next_id;
	struct ami_pending *pending;
	unsigned n_pending;
	char abandoned[AMI_ABANDONED][32];
	unsigned abandoned_next;
	long long last_rx;            /* when Asterisk last said something */
	bool ping_out;

	char *version;
	long long since;              /* wall clock of the login */
	unsigned long logins, events_in, dropped;
	char error[256];
};

struct ami_wreq {
	uv_write_t req;
	size_t len;
	char data[];
};

/* A buffer that held an action (the Login's has the secret) is wiped. */
static void ami_sbuf_wipe(struct sbuf *b)
{
	explicit_bzero(b->s, b->len);
	sbuf_free(b);
}

static void ami_connect(struct ami_client *c);
static void ami_deadline_cb(uv_timer_t *t);
static void ami_arm_sweep(struct ami_client *c);
static void ami_retry_arm(struct ami_client *c);

/* One of the client's handles is closed; the last frees it. */
static void ami_release(struct ami_client *c)
{
	if (--c->handles > 0)
		return;
	free(c->host);
	free(c->username);
	explicit_bzero(c->secret, strlen(c->secret));
	free(c->secret);
	free(c->events);
	free(c->version);
	free(c);
}

static void ami_handle_closed(uv_handle_t *h)
{
	ami_release(h->data);
}

static void ami_conn_closed(uv_handle_t *h)
{
	struct ami_conn *conn = h->data;
	struct ami_client *c = conn->c;

	ami_reader_free(&conn->reader);
	free(conn);
	ami_release(c);
}

static void ami_pending_free(struct ami_pending *p)
{
	ami_msg_free(p->response);
	ami_msg_free(p->complete);
	for (size_t i = 0; i < p->n_items; i++)
		ami_msg_free(p->items[i]);
	free(p->items);
	free(p);
}

static void ami_unlink(struct ami_client *c, struct ami_pending *p)
{
	for (struct ami_pending **pp = &c->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			c->n_pending--;
			return;
		}
}

/* Takes p out and calls its callback: the answer, or err. */
static void ami_finish(struct ami_client *c, struct ami_pending *p, const char *err)
{
	struct ami_reply r = { .response = p->response, .items = p->items,
			       .n_items = p->n_items, .complete = p->complete };

	ami_unlink(c, p);
	/* a list given up on: what is still to come of it is nobody's */
	if (err && p->listing) {
		snprintf(c->abandoned[c->abandoned_next], sizeof(c->abandoned[0]), "%s", p->id);
		c->abandoned_next = (c->abandoned_next + 1) % AMI_ABANDONED;
	}
	p->fn(p->arg, err, err ? NULL : &r);
	ami_pending_free(p);
	if (!c->stopped)
		ami_arm_sweep(c);
}

static void ami_fail_all(struct ami_client *c, const char *err)
{
	while (c->pending)
		ami_finish(c, c->pending, err);
}

/* What Asterisk said, made fit for status (JSON text, a log line): no
 * control characters, and no bytes above ASCII unless it is UTF-8 (the
 * text was cut at a byte count, or Asterisk's is not). */
static void ami_clean(char *s)
{
	json_t *j;

	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if ((j = json_string(s))) {
		json_decref(j);
		return;
	}
	for (char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
}

/* The connection is over: every waiting action fails, and unless the
 * client is stopped it connects again after the back-off. */
static void ami_drop(struct ami_client *c, const char *why)
{
	struct ami_conn *conn = c->conn;
	bool was_up = c->phase == AMI_UP;
	char *err;

	if (!conn)
		return;
	c->conn = NULL;
	c->phase = AMI_DOWN;
	c->ping_out = false;
	uv_read_stop((uv_stream_t *)&conn->tcp);
	uv_close((uv_handle_t *)&conn->tcp, ami_conn_closed);
	uv_timer_stop(&c->deadline);
	snprintf(c->error, sizeof(c->error), "%s", why);
	ami_clean(c->error);
	err = xasprintf("connection lost: %s", c->error);
	ami_fail_all(c, err);
	free(err);
	if (was_up && !c->stopped)
		c->on_state(c->arg, false, c->error);
	/* the state callback may have stopped the client */
	if (!c->stopped)
		ami_retry_arm(c);
}

static void ami_retry_cb(uv_timer_t *t)
{
	struct ami_client *c = t->data;

	core_enter();
	if (!c->stopped && !c->conn)
		ami_connect(c);
	core_leave();
}

static void ami_retry_arm(struct ami_client *c)
{
	unsigned wait = c->backoff_ms;

	c->backoff_ms = c->backoff_ms * 2 > c->cfg.backoff_max_ms ? c->cfg.backoff_max_ms
								   : c->backoff_ms * 2;
	uv_timer_start(&c->retry, ami_retry_cb, wait, 0);
}

static void ami_write_done(uv_write_t *req, int status)
{
	struct ami_wreq *w = (struct ami_wreq *)req;

	(void)status;   /* a broken connection shows on the reading side */
	explicit_bzero(w->data, w->len);
	free(w);
}

static struct ami_pending *ami_find(struct ami_client *c, const char *id)
{
	for (struct ami_pending *p = id ? c->pending : NULL; p; p = p->next)
		if (!strcmp(p->id, id))
			return p;
	return NULL;
}

static int ami_send(struct ami_client *c, const char *action, const char *const *kv,
		    unsigned timeout_ms, ami_reply_fn fn, void *arg, char **err)
{
	struct ami_pending *p, **tail;
	struct ami_wreq *w;
	struct sbuf b;
	char id[32];
	uv_buf_t ub;
	int rc;

	if (c->n_pending >= c->cfg.max_pending) {
		*err = xasprintf("too many actions waiting for Asterisk (%u)", c->cfg.max_pending);
		return -1;
	}
	snprintf(id, sizeof(id), AMI_ID_PREFIX "%llu", c->next_id + 1);
	sbuf_init(&b);
	if (ami_action_write(&b, action, id, kv, err) < 0) {
		ami_sbuf_wipe(&b);
		return -1;
	}
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->conn->tcp) + b.len >
	    c->cfg.max_queued_bytes) {
		*err = xasprintf("over %u bytes queued for Asterisk", c->cfg.max_queued_bytes);
		ami_sbuf_wipe(&b);
		return -1;
	}
	w = xmalloc(sizeof(*w) + b.len);
	w->len = b.len;
	memcpy(w->data, b.s, b.len);
	ub = uv_buf_init(w->data, (unsigned)b.len);
	ami_sbuf_wipe(&b);
	if ((rc = uv_write(&w->req, (uv_stream_t *)&c->conn->tcp, &ub, 1, ami_write_done)) < 0) {
		*err = xasprintf("cannot write to Asterisk: %s", uv_strerror(rc));
		explicit_bzero(w->data, w->len);
		free(w);
		return -1;
	}
	c->next_id++;
	p = xcalloc(1, sizeof(*p));
	memcpy(p->id, id, sizeof(id));
	snprintf(p->action, sizeof(p->action), "%s", action);
	p->timeout_ms = timeout_ms ? timeout_ms : c->cfg.action_timeout_ms;
	p->deadline = now_ms() + p->timeout_ms;
	p->fn = fn;
	p->arg = arg;
	/* in sending order: the sweep fails the oldest first */
	for (tail = &c->pending; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	c->n_pending++;
	ami_arm_sweep(c);
	return 0;
}

static void ami_ping_done(void *arg, const char *err, const struct ami_reply *r)
{
	struct ami_client *c = arg;

	(void)r;
	c->ping_out = false;
	/* no answer on an open connection: Asterisk hangs or the link is
	 * dead without a reset; a lost connection was dropped already */
	if (err && c->conn && !c->stopped)
		ami_drop(c, err);
}

static void ami_sweep_cb(uv_timer_t *t)
{
	struct ami_client *c = t->data;
	long long now = now_ms();
	struct ami_pending *p;

	core_enter();
	/* one at a time: a callback may send, or stop the client */
	for (p = c->pending; p && !c->stopped;) {
		if (p->deadline > now) {
			p = p->next;
			continue;
		}
		char *err = xasprintf("no answer to %s from Asterisk within %u ms", p->action,
				      p->timeout_ms);

		ami_finish(c, p, err);
		free(err);
		p = c->pending;
	}
	if (!c->stopped && c->phase == AMI_UP && c->cfg.ping_ms && !c->ping_out &&
	    now - c->last_rx >= c->cfg.ping_ms) {
		char *err = NULL;

		if (ami_send(c, "Ping", NULL, 0, ami_ping_done, c, &err) == 0)
			c->ping_out = true;
		free(err);
	}
	if (!c->stopped)
		ami_arm_sweep(c);
	core_leave();
}

/* The sweep wakes at the nearest deadline, or when the idle Ping is due. */
static void ami_arm_sweep(struct ami_client *c)
{
	long long next = -1, now = now_ms();

	for (struct ami_pending *p = c->pending; p; p = p->next)
		if (next < 0 || p->deadline < next)
			next = p->deadline;
	if (c->phase == AMI_UP && c->cfg.ping_ms && !c->ping_out &&
	    (next < 0 || c->last_rx + c->cfg.ping_ms < next))
		next = c->last_rx + c->cfg.ping_ms;
	if (next < 0)
		uv_timer_stop(&c->sweep);
	else
		uv_timer_start(&c->sweep, ami_sweep_cb, next > now ? (uint64_t)(next - now) : 0, 0);
}

static void ami_up(struct ami_client *c)
{
	char *why;

	c->phase = AMI_UP;
	uv_timer_stop(&c->deadline);
	c->backoff_ms = c->cfg.backoff_min_ms;
	c->since = (long long)time(NULL);
	c->logins++;
	c->error[0] = '\0';
	c->last_rx = now_ms();
	ami_arm_sweep(c);
	why = xasprintf("logged in to Asterisk at %s (AMI %s)", c->address, c->version);
	c->on_state(c->arg, true, why);
	free(why);
}

static void ami_login_done(void *arg, const char *err, const struct ami_reply *r)
{
	struct ami_client *c = arg;
	char *why;

	if (!c->conn || c->stopped)
		return;   /* the connection went first */
	if (err) {
		ami_drop(c, err);
		return;
	}
	if (!ami_reply_ok(r)) {
		const char *msg = ami_get(r->response, "Message");

		why = xasprintf("login as '%s' refused: %.120s", c->username,
				msg ? msg : "no reason given");
		ami_drop(c, why);
		free(why);
		return;
	}
	/* Asterisk takes logins while its modules still load, and refuses
	 * their actions meanwhile ("Permission denied"): up when it says it
	 * has booted (at once after the login if it had) */
	if (c->wait_booted) {
		c->phase = AMI_BOOTING;
		uv_timer_start(&c->deadline, ami_deadline_cb, c->cfg.boot_timeout_ms, 0);
		return;
	}
	ami_up(c);
}

static void ami_login(struct ami_client *c)
{
	const char *kv[] = { "Username", c->username, "Secret", c->secret,
			     "Events", c->events, NULL };
	char *err = NULL;

	c->phase = AMI_LOGIN;
	if (ami_send(c, "Login", kv, c->cfg.connect_timeout_ms, ami_login_done, c, &err) < 0) {
		ami_drop(c, err);
		free(err);
	}
}

static bool ami_was_abandoned(struct ami_client *c, const char *id)
{
	for (unsigned i = 0; id && i < AMI_ABANDONED; i++)
		if (!strcmp(c->abandoned[i], id))
			return true;
	return false;
}

/* One whole message from Asterisk: an answer, part of a list, or an event. */
static void ami_dispatch(struct ami_client *c, struct ami_msg *m)
{
	const char *id = ami_get(m, "ActionID");
	struct ami_pending *p = ami_find(c, id);

	c->last_rx = now_ms();
	if (c->phase == AMI_BOOTING && ami_is(m, "Event", "FullyBooted")) {
		ami_up(c);
		/* the state callback may have stopped the client */
		if (c->phase != AMI_UP) {
			ami_msg_free(m);
			return;
		}
	}
	if (ami_get(m, "Response")) {
		if (!p || p->response) {
			c->dropped++;        /* late (timed out) or answered twice */
			ami_msg_free(m);
			return;
		}
		p->response = m;
		if (ami_reply_ok(&(struct ami_reply){ .response = m }) &&
		    ami_is(m, "EventList", "start"))
			p->listing = true;
		else
			ami_finish(c, p, NULL);
		return;
	}
	if (p && p->listing) {
		if (ami_is(m, "EventList", "Complete")) {
			p->complete = m;
			ami_finish(c, p, NULL);
		} else if (p->n_items >= c->cfg.max_list_items) {
			char *err = xasprintf("%s: list answer over %u events", p->action,
					      c->cfg.max_list_items);

			ami_msg_free(m);
			c->dropped++;
			ami_finish(c, p, err);
			free(err);
		} else {
			if (p->n_items == p->cap_items) {
				p->cap_items = p->cap_items ? p->cap_items * 2 : 16;
				p->items = xrealloc(p->items, p->cap_items * sizeof(*p->items));
			}
			p->items[p->n_items++] = m;
		}
		return;
	}
	if (ami_was_abandoned(c, id)) {
		c->dropped++;
		ami_msg_free(m);
		return;
	}
	/* any other event, also one that follows an answered action
	 * (OriginateResponse carries the Originate's ActionID) */
	c->events_in++;
	c->on_event(c->arg, m);
	ami_msg_free(m);
}

static void ami_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ami_conn *conn = h->data;

	(void)suggested;
	*buf = uv_buf_init(conn->buf, sizeof(conn->buf));
}

static void ami_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ami_conn *conn = s->data;
	struct ami_client *c = conn->c;
	size_t off = 0;

	core_enter();
	if (c->conn != conn) {
		core_leave();
		return;
	}
	if (nread < 0) {
		char *why = nread == UV_EOF ? xstrdup("Asterisk closed the connection")
					    : xasprintf("read: %s", uv_strerror((int)nread));

		ami_drop(c, why);
		free(why);
	}
	/* a message's callback may drop the connection or stop the client:
	 * what is left of the buffer is then nobody's */
	while (nread > 0 && off < (size_t)nread && c->conn == conn) {
		struct ami_msg *m;
		size_t used;
		enum ami_read rc = ami_reader_feed(&conn->reader, buf->base + off,
						   (size_t)nread - off, &used, &m);

		off += used;
		if (rc == AMI_BANNER) {
			const char *v = ami_banner_version(conn->reader.banner);

			if (!v) {
				char *why = xasprintf("%s is no Asterisk manager port (it said \"%.60s\")",
						      c->address, conn->reader.banner);

				ami_drop(c, why);
				free(why);
				break;
			}
			free(c->version);
			c->version = xstrdup(v);
			ami_clean(c->version);
			ami_login(c);
		} else if (rc == AMI_MESSAGE) {
			ami_dispatch(c, m);
		} else if (rc == AMI_ERROR) {
			char *why = xasprintf("unreadable answer from Asterisk: %s",
					      conn->reader.error);

			ami_drop(c, why);
			free(why);
		}
	}
	core_leave();
}

static void ami_connect_cb(uv_connect_t *req, int status)
{
	struct ami_conn *conn = req->data;
	struct ami_client *c = conn->c;

	core_enter();
	if (c->conn == conn) {
		if (status < 0) {
			char *why = xasprintf("cannot connect to %s: %s", c->address,
					      uv_strerror(status));

			ami_drop(c, why);
			free(why);
		} else {
			c->phase = AMI_BANNER_WAIT;
			uv_read_start((uv_stream_t *)&conn->tcp, ami_alloc_cb, ami_read_cb);
		}
	}
	core_leave();
}

static void ami_deadline_cb(uv_timer_t *t)
{
	struct ami_client *c = t->data;
	char *why;

	core_enter();
	if (c->phase == AMI_BOOTING)
		why = xasprintf("Asterisk at %s did not finish booting within %u ms", c->address,
				c->cfg.boot_timeout_ms);
	else
		why = xasprintf("%s: no %s within %u ms", c->address,
				c->phase == AMI_CONNECTING ? "connection" :
				c->phase == AMI_BANNER_WAIT ? "banner" : "login answer",
				c->cfg.connect_timeout_ms);
	ami_drop(c, why);
	free(why);
	core_leave();
}

static void ami_connect(struct ami_client *c)
{
	struct ami_conn *conn = xcalloc(1, sizeof(*conn));
	int rc;

	conn->c = c;
	ami_reader_init(&conn->reader, true);
	uv_tcp_init(c->loop, &conn->tcp);
	conn->tcp.data = conn;
	conn->connect.data = conn;
	uv_unref((uv_handle_t *)&conn->tcp);
	c->handles++;
	c->conn = conn;
	c->phase = AMI_CONNECTING;
	uv_tcp_nodelay(&conn->tcp, 1);
	uv_timer_start(&c->deadline, ami_deadline_cb, c->cfg.connect_timeout_ms, 0);
	rc = uv_tcp_connect(&conn->connect, &conn->tcp, (struct sockaddr *)&c->addr,
			    ami_connect_cb);
	if (rc < 0) {
		char *why = xasprintf("cannot connect to %s: %s", c->address, uv_strerror(rc));

		ami_drop(c, why);
		free(why);
	}
}

/* Does the Login's event filter let FullyBooted through (the "system"
 * class)? Only then can the client wait for it. */
static bool ami_events_system(const char *events)
{
	char *copy = xstrdup(events), *save = NULL;
	bool yes = !strcasecmp(events, "on");

	for (char *t = strtok_r(copy, ",", &save); t && !yes; t = strtok_r(NULL, ",", &save))
		yes = !strcasecmp(t, "system") || !strcasecmp(t, "all");
	free(copy);
	return yes;
}

static void ami_default(unsigned *v, unsigned def)
{
	if (!*v)
		*v = def;
}

struct ami_client *ami_client_new(uv_loop_t *loop, const struct ami_config *cfg,
				  ami_state_fn on_state, ami_event_fn on_event, void *arg,
				  char **err)
{
	struct ami_client *c;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	const char *host = cfg->host ? cfg->host : "127.0.0.1";
	const char *events = cfg->events ? cfg->events : "on";
	int port = cfg->port ? cfg->port : 5038;
	const char *why;

	*err = NULL;
	if (port < 1 || port > 65535) {
		*err = xasprintf("AMI port %d is out of 1-65535", port);
		return NULL;
	}
	if (!cfg->username || !*cfg->username || (why = ami_value_bad(cfg->username))) {
		*err = xasprintf("AMI username '%.64s' %s", cfg->username ? cfg->username : "",
				 cfg->username && *cfg->username ? why : "is missing");
		return NULL;
	}
	/* a secret is never shown, not even in the error that refuses it */
	if (!cfg->secret || (why = ami_value_bad(cfg->secret))) {
		*err = xasprintf("AMI secret %s", cfg->secret ? why : "is missing");
		return NULL;
	}
	if ((why = ami_value_bad(events))) {
		*err = xasprintf("AMI events filter '%.64s' %s", events, why);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	if (uv_ip4_addr(host, port, &v4) == 0) {
		memcpy(&c->addr, &v4, sizeof(v4));
		snprintf(c->address, sizeof(c->address), "%s:%d", host, port);
	} else if (uv_ip6_addr(host, port, &v6) == 0) {
		memcpy(&c->addr, &v6, sizeof(v6));
		snprintf(c->address, sizeof(c->address), "[%s]:%d", host, port);
	} else {
		*err = xasprintf("AMI host '%.64s' is no IP address", host);
		free(c);
		return NULL;
	}
	c->loop = loop;
	c->cfg = *cfg;
	c->cfg.port = port;
	c->host = xstrdup(host);
	c->username = xstrdup(cfg->username);
	c->secret = xstrdup(cfg->secret);
	c->events = xstrdup(events);
	c->wait_booted = ami_events_system(events);
	c->cfg.host = c->host;
	c->cfg.username = c->username;
	c->cfg.secret = c->secret;
	c->cfg.events = c->events;
	ami_default(&c->cfg.connect_timeout_ms, 5000);
	ami_default(&c->cfg.action_timeout_ms, 10000);
	ami_default(&c->cfg.boot_timeout_ms, 60000);
	ami_default(&c->cfg.backoff_min_ms, 500);
	ami_default(&c->cfg.backoff_max_ms, 30000);
	ami_default(&c->cfg.ping_ms, 20000);
	ami_default(&c->cfg.max_pending, 256);
	ami_default(&c->cfg.max_list_items, 20000);
	ami_default(&c->cfg.max_queued_bytes, 1024 * 1024);
	if (c->cfg.backoff_max_ms < c->cfg.backoff_min_ms)
		c->cfg.backoff_max_ms = c->cfg.backoff_min_ms;
	c->backoff_ms = c->cfg.backoff_min_ms;
	c->on_state = on_state;
	c->on_event = on_event;
	c->arg = arg;
	c->stopped = true;    /* until started */
	uv_timer_t *timers[] = { &c->deadline, &c->retry, &c->sweep };
	for (size_t i = 0; i < ARRAY_SIZE(timers); i++) {
		uv_timer_init(loop, timers[i]);
		timers[i]->data = c;
		uv_unref((uv_handle_t *)timers[i]);
		c->handles++;
	}
	return c;
}

void ami_client_start(struct ami_client *c)
{
	if (!c->stopped || c->conn)
		return;
	c->stopped = false;
	ami_connect(c);
}

void ami_client_free(struct ami_client *c)
{
	uv_timer_t *timers[] = { &c->deadline, &c->retry, &c->sweep };

	if (!c || uv_is_closing((uv_handle_t *)&c->sweep))
		return;
	c->stopped = true;
	ami_drop(c, "client stopped");
	ami_fail_all(c, "client stopped");
	for (size_t i = 0; i < ARRAY_SIZE(timers); i++) {
		uv_timer_stop(timers[i]);
		uv_close((uv_handle_t *)timers[i], ami_handle_closed);
	}
}

bool ami_client_connected(const struct ami_client *c)
{
	return c->phase == AMI_UP;
}

int ami_client_send(struct ami_client *c, const char *action, const char *const *kv,
		    unsigned timeout_ms, ami_reply_fn fn, void *arg, char **err)
{
	*err = NULL;
	if (c->stopped || c->phase != AMI_UP) {
		*err = xasprintf("not connected to Asterisk at %s%s%s", c->address,
				 c->error[0] ? ": " : "", c->error);
		return -1;
	}
	return ami_send(c, action, kv, timeout_ms, fn, arg, err);
}

bool ami_reply_ok(const struct ami_reply *r)
{
	return r && r->response &&
	       (ami_is(r->response, "Response", "Success") ||
		ami_is(r->response, "Response", "Follows"));
}

json_t *ami_client_status(const struct ami_client *c)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
			      "state", c->stopped ? "stopped" : ami_phase_names[c->phase],
			      "address", c->address,
			      "logins", (json_int_t)c->logins,
			      "pending", (json_int_t)c->n_pending,
			      "events", (json_int_t)c->events_in,
			      "dropped", (json_int_t)c->dropped);

	json_object_set_new(o, "version", c->version ? json_string(c->version) : json_null());
	json_object_set_new(o, "since", c->phase == AMI_UP ? json_integer(c->since) : json_null());
	json_object_set_new(o, "error", c->error[0] ? json_string(c->error) : json_null());
	return o;
}
