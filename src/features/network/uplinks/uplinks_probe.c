/*
 * The rounds of one uplink, on the core's loop, without processes: every
 * interval a round sends one ICMP echo to each icmp target (one raw socket)
 * and one DNS query to each dns target (a connected UDP socket each), all
 * bound to the uplink's device (SO_BINDTODEVICE), so the answer says
 * whether this uplink reaches the target, whatever the routing table says.
 * A target unanswered after the timeout is lost; the round then ends and
 * its result goes to the feature. One round at a time: the timeout is
 * shorter than the interval (the schema's rule).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "features/network/uplinks/uplinks.h"
#include "net/addr.h"
#include "net/probe_pkt.h"

#define UL_MAX_TARGETS 16

struct ul_probe {
	struct ul_round *r;
	uv_poll_t poll;     /* dns: its own socket */
	int fd;
	uint16_t id, seq;   /* icmp: echo id and sequence; dns: query id */
	struct in_addr to;
	bool waiting;
	long long rtt_ms;
	const char *answer;
};

struct ul_round {
	struct ul_uplink *u;
	uv_timer_t timeout;
	uv_poll_t icmp;
	int icmp_fd;
	int handles;        /* open libuv handles; freed when none is left */
	long long sent_ms;
	size_t n, waiting;
	struct ul_probe p[UL_MAX_TARGETS];
	bool finished;
};

struct ul_uplink {
	uv_loop_t *loop;
	uv_timer_t tick;
	char *name, *dev;
	struct in_addr src;        /* 0: the kernel's choice */
	struct ul_config c;
	struct ul_target t[UL_MAX_TARGETS];
	size_t n;
	ul_round_fn done;
	void *arg;
	struct ul_round *busy;
	uint16_t seq;
	bool stopping;
};

static void ul_round_free(uv_handle_t *h)
{
	struct ul_round *r = h->data;

	if (--r->handles == 0)
		free(r);
}

static void ul_uplink_free(uv_handle_t *h)
{
	struct ul_uplink *u = h->data;

	free(u->name);
	free(u->dev);
	free(u);
}

static void ul_close_round(struct ul_round *r)
{
	uv_timer_stop(&r->timeout);
	uv_close((uv_handle_t *)&r->timeout, ul_round_free);
	if (r->icmp_fd >= 0) {
		uv_poll_stop(&r->icmp);
		uv_close((uv_handle_t *)&r->icmp, ul_round_free);
		close(r->icmp_fd);
	}
	for (size_t i = 0; i < r->n; i++) {
		if (r->p[i].fd < 0)
			continue;
		uv_poll_stop(&r->p[i].poll);
		/* its callbacks knew the probe; its close counts for the round */
		r->p[i].poll.data = r;
		uv_close((uv_handle_t *)&r->p[i].poll, ul_round_free);
		close(r->p[i].fd);
	}
}

static void ul_finish(struct ul_round *r)
{
	struct ul_uplink *u = r->u;
	json_t *res, *targets = json_array();
	int answered = 0;
	long long rtt_sum = 0;

	if (r->finished)
		return;
	r->finished = true;
	for (size_t i = 0; i < r->n; i++) {
		struct ul_probe *p = &r->p[i];
		bool ok = !p->waiting && p->rtt_ms >= 0 && !p->answer;

		if (ok) {
			answered++;
			rtt_sum += p->rtt_ms;
		}
		json_array_append_new(targets, json_pack(
			"{s:s, s:s, s:s?, s:b, s:o, s:s}", "kind", u->t[i].kind, "address",
			u->t[i].address, "name", u->t[i].name[0] ? u->t[i].name : NULL, "ok", ok,
			"rtt_ms", ok ? json_integer(p->rtt_ms) : json_null(), "answer",
			ok ? "answered" : p->answer ? p->answer : "no answer"));
	}
	res = json_pack("{s:i, s:i, s:i, s:o, s:o}", "sent", (int)r->n, "answered", answered,
			"loss", r->n ? (int)((r->n - (size_t)answered) * 100 / r->n) : 0,
			"rtt_ms", answered ? json_integer(rtt_sum / answered) : json_null(),
			"targets", targets);
	u->busy = NULL;
	ul_close_round(r);
	if (!u->stopping)
		u->done(u, res, u->arg);
	json_decref(res);
}

static void ul_answered(struct ul_probe *p, const char *failure)
{
	struct ul_round *r = p->r;

	if (!p->waiting)
		return;
	p->waiting = false;
	p->rtt_ms = now_ms() - r->sent_ms;
	p->answer = failure;
	if (--r->waiting == 0)
		ul_finish(r);
}

static void ul_icmp_readable(uv_poll_t *h, int status, int events)
{
	struct ul_round *r = h->data;
	uint8_t buf[1500];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	(void)events;
	if (status < 0 || r->finished)
		return;
	/* a raw socket sees every ICMP message of the device: ours are the
	 * echo replies from a target with its identifier and sequence */
	while (!r->finished && (n = recvfrom(r->icmp_fd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &flen)) > 0) {
		for (size_t i = 0; i < r->n; i++) {
			struct ul_probe *p = &r->p[i];
			if (p->waiting && p->fd < 0 && from.sin_addr.s_addr == p->to.s_addr &&
			    probe_echo_reply(buf, (size_t)n, p->id, p->seq)) {
				ul_answered(p, NULL);
				break;
			}
		}
		flen = sizeof(from);
	}
}

static void ul_dns_readable(uv_poll_t *h, int status, int events)
{
	struct ul_probe *p = h->data;
	uint8_t buf[512];
	ssize_t n;
	int rc;

	(void)events;
	if (status < 0 || !p->waiting)
		return;
	while (p->waiting && ((n = recv(p->fd, buf, sizeof(buf), 0)) >= 0 || errno == ECONNREFUSED)) {
		if (n < 0) {
			ul_answered(p, "connection refused");
			return;
		}
		if ((rc = probe_dns_rcode(buf, (size_t)n, p->id)) < 0)
			continue;
		/* the resolver answered through this uplink: a name it knows
		 * (NOERROR) or knows not to exist (NXDOMAIN); SERVFAIL or
		 * REFUSED say it cannot serve */
		ul_answered(p, rc == 0 || rc == 3 ? NULL : rc == 2 ? "SERVFAIL" :
			    rc == 5 ? "REFUSED" : "DNS error");
		return;
	}
}

static void ul_timed_out(uv_timer_t *t)
{
	ul_finish(t->data);
}

static int ul_bound_socket(const struct ul_uplink *u, int type, int proto)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	/* out of this uplink only, whatever the routes say */
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_addr = u->src };

	if (fd >= 0 && u->dev &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, u->dev, (socklen_t)strlen(u->dev)) < 0) {
		close(fd);
		return -1;
	}
	/* from the uplink's address: its table's rule routes what leaves from it */
	if (fd >= 0 && u->src.s_addr && bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void ul_send_icmp(struct ul_round *r, struct ul_probe *p)
{
	struct ul_uplink *u = r->u;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = p->to };
	uint8_t pkt[64];
	size_t len;

	if (r->icmp_fd < 0) {
		r->icmp_fd = ul_bound_socket(u, SOCK_RAW, IPPROTO_ICMP);
		if (r->icmp_fd < 0) {
			p->answer = "cannot open a socket on the device";
			return;
		}
		uv_poll_init(u->loop, &r->icmp, r->icmp_fd);
		r->icmp.data = r;
		r->handles++;
		uv_poll_start(&r->icmp, UV_READABLE, ul_icmp_readable);
	}
	p->id = (uint16_t)(getpid() ^ 0x6c75);
	p->seq = ++u->seq;
	len = probe_echo_request(pkt, sizeof(pkt), p->id, p->seq);
	if (sendto(r->icmp_fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		p->answer = "cannot send (no route on the device)";
		return;
	}
	p->waiting = true;
}

static void ul_send_dns(struct ul_round *r, struct ul_probe *p, const char *name)
{
	struct ul_uplink *u = r->u;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(53), .sin_addr = p->to };
	uint8_t q[300];
	size_t len;

	p->id = (uint16_t)(now_ms() ^ (++u->seq << 4));
	len = probe_dns_query(q, sizeof(q), p->id, name, name && *name ? PROBE_DNS_A :
			      PROBE_DNS_NS);
	if (!len) {
		p->answer = "cannot ask that name";
		return;
	}
	p->fd = ul_bound_socket(u, SOCK_DGRAM, 0);
	if (p->fd < 0) {
		p->answer = "cannot open a socket on the device";
		return;
	}
	uv_poll_init(u->loop, &p->poll, p->fd);
	p->poll.data = p;
	r->handles++;
	uv_poll_start(&p->poll, UV_READABLE, ul_dns_readable);
	/* connected: only the server's answers reach the socket */
	if (connect(p->fd, (struct sockaddr *)&to, sizeof(to)) < 0 || send(p->fd, q, len, 0) < 0) {
		p->answer = "cannot send (no route on the device)";
		return;
	}
	p->waiting = true;
}

static void ul_round_start(struct ul_uplink *u)
{
	struct ul_round *r;

	if (u->busy || u->stopping)
		return;
	r = xcalloc(1, sizeof(*r));
	r->u = u;
	r->icmp_fd = -1;
	r->n = u->n;
	r->sent_ms = now_ms();
	uv_timer_init(u->loop, &r->timeout);
	r->timeout.data = r;
	r->handles++;
	u->busy = r;
	for (size_t i = 0; i < r->n; i++) {
		struct ul_probe *p = &r->p[i];

		p->r = r;
		p->fd = -1;
		p->rtt_ms = -1;
		{
			/* checked by the schema: an IPv4 address */
			struct net_prefix a = { 0 };
			net_prefix_parse(u->t[i].address, 4, false, &a);
			memcpy(&p->to, a.addr, 4);
		}
		if (!strcmp(u->t[i].kind, "dns"))
			ul_send_dns(r, p, u->t[i].name);
		else
			ul_send_icmp(r, p);
		if (p->waiting)
			r->waiting++;
	}
	if (!r->waiting)
		ul_finish(r);
	else
		uv_timer_start(&r->timeout, ul_timed_out, (uint64_t)u->c.timeout_ms, 0);
}

static void ul_tick(uv_timer_t *t)
{
	ul_round_start(t->data);
}

struct ul_uplink *ul_start(uv_loop_t *loop, const char *name, const char *dev, const char *src,
			   const struct ul_config *c, const struct ul_target *t, size_t n,
			   ul_round_fn done, void *arg)
{
	struct ul_uplink *u = xcalloc(1, sizeof(*u));
	struct net_prefix a;

	if (src && *src && net_prefix_parse(src, 4, false, &a) == NET_OK)
		memcpy(&u->src, a.addr, 4);

	u->loop = loop;
	u->name = xstrdup(name);
	u->dev = dev ? xstrdup(dev) : NULL;
	u->c = *c;
	u->n = n < UL_MAX_TARGETS ? n : UL_MAX_TARGETS;
	memcpy(u->t, t, u->n * sizeof(*t));
	u->done = done;
	u->arg = arg;
	uv_timer_init(loop, &u->tick);
	u->tick.data = u;
	/* the loop ends without waiting for the next round */
	uv_unref((uv_handle_t *)&u->tick);
	uv_timer_start(&u->tick, ul_tick, 0, (uint64_t)c->interval_s * 1000);
	return u;
}

void ul_stop(struct ul_uplink *u)
{
	if (!u)
		return;
	u->stopping = true;
	if (u->busy)
		ul_finish(u->busy);
	uv_timer_stop(&u->tick);
	uv_close((uv_handle_t *)&u->tick, ul_uplink_free);
}

const char *ul_name(const struct ul_uplink *u)
{
	return u->name;
}
