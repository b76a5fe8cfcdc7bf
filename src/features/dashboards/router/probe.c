/*
 * Is the internet up? A timer of the core asks, every PROBE_PERIOD_MS and
 * when the WAN gets a lease, two questions of the only machines it may
 * ask: an ICMP echo to the WAN's gateway, and a DNS query (the root's NS
 * records) to the first upstream DNS server in use: ok when it answers at
 * all, with its answer code (NOERROR from a resolver that reaches the
 * internet, REFUSED or SERVFAIL from one that cannot serve). Both go out on
 * sockets of the loop and are given PROBE_TIMEOUT_MS; the dashboard shows
 * the last answers and never waits for them. One round at a time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "features/dashboards/router/dashboard.h"
#include "net/addr.h"
#include "net/probe_pkt.h"

struct probe_round {
	uv_poll_t icmp, dns;
	uv_timer_t timeout;
	int icmp_fd, dns_fd;
	int handles;             /* open libuv handles; freed when none is left */
	long long sent_ms;
	uint16_t echo_id, echo_seq, dns_id;
	struct in_addr gw;
	json_t *result;          /* {gateway: {...}|null, dns: {...}|null, at} */
	bool icmp_wait, dns_wait, finished;
};

static uv_loop_t *probe_loop;
static uv_timer_t probe_timer;
static bool probe_timer_ready;
static struct probe_round *probe_busy;
static bool probe_again;         /* asked for while a round was under way */
static json_t *probe_last;
static probe_targets_fn probe_targets;
static void *probe_targets_arg;
static uint16_t probe_seq;

/* DNS answer codes worth a word */
static const char *const probe_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
};

static void probe_handle_closed(uv_handle_t *h)
{
	struct probe_round *r = h->data;

	if (--r->handles == 0) {
		json_decref(r->result);
		free(r);
	}
}

static void probe_finish(struct probe_round *r)
{
	if (r->finished)
		return;
	r->finished = true;
	json_decref(probe_last);
	probe_last = json_incref(r->result);
	if (probe_busy == r)
		probe_busy = NULL;
	uv_timer_stop(&r->timeout);
	uv_close((uv_handle_t *)&r->timeout, probe_handle_closed);
	if (r->icmp_fd >= 0) {
		uv_poll_stop(&r->icmp);
		uv_close((uv_handle_t *)&r->icmp, probe_handle_closed);
		close(r->icmp_fd);
	}
	if (r->dns_fd >= 0) {
		uv_poll_stop(&r->dns);
		uv_close((uv_handle_t *)&r->dns, probe_handle_closed);
		close(r->dns_fd);
	}
	/* the targets may have changed since this round began (a new lease) */
	if (probe_again) {
		probe_again = false;
		probe_run();
	}
}

static void probe_answered(struct probe_round *r, const char *which, bool ok, const char *note)
{
	json_t *o = json_object_get(r->result, which);

	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "rtt_ms", json_integer(now_ms() - r->sent_ms));
	if (note)
		json_object_set_new(o, "answer", json_string(note));
	if (!strcmp(which, "gateway"))
		r->icmp_wait = false;
	else
		r->dns_wait = false;
	if (!r->icmp_wait && !r->dns_wait)
		probe_finish(r);
}

static void probe_icmp_readable(uv_poll_t *h, int status, int events)
{
	struct probe_round *r = h->data;
	uint8_t buf[1500];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	(void)events;
	if (status < 0 || !r->icmp_wait)
		return;
	/* a raw socket sees every ICMP message: ours is the echo reply from
	 * the gateway with our identifier and sequence */
	while ((n = recvfrom(r->icmp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen)) > 0) {
		if (from.sin_addr.s_addr == r->gw.s_addr &&
		    probe_echo_reply(buf, (size_t)n, r->echo_id, r->echo_seq)) {
			probe_answered(r, "gateway", true, "echo reply");
			return;
		}
		flen = sizeof(from);
	}
}

static void probe_dns_readable(uv_poll_t *h, int status, int events)
{
	struct probe_round *r = h->data;
	uint8_t buf[512];
	ssize_t n;

	(void)events;
	if (status < 0 || !r->dns_wait)
		return;
	while ((n = recv(r->dns_fd, buf, sizeof(buf), 0)) >= 0 || errno == ECONNREFUSED) {
		unsigned rcode;
		int rc;

		if (n < 0) {
			/* the port is closed: the server is there but serves no DNS */
			probe_answered(r, "dns", false, "connection refused");
			return;
		}
		if ((rc = probe_dns_rcode(buf, (size_t)n, r->dns_id)) < 0)
			continue;
		rcode = (unsigned)rc;
		/* the upstream is reached and speaks DNS; what it said of the
		 * root (NOERROR from a resolver on the internet) goes with it */
		probe_answered(r, "dns", true,
			       rcode < ARRAY_SIZE(probe_rcodes) ? probe_rcodes[rcode] : "error");
		return;
	}
}

static void probe_timed_out(uv_timer_t *t)
{
	struct probe_round *r = t->data;

	if (r->icmp_wait)
		json_object_set_new(json_object_get(r->result, "gateway"), "answer",
				    json_string("no answer"));
	if (r->dns_wait)
		json_object_set_new(json_object_get(r->result, "dns"), "answer",
				    json_string("no answer"));
	probe_finish(r);
}

static int probe_icmp_send(struct probe_round *r, const char *gw, const char *dev)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[64];
	size_t len;
	struct net_prefix a;

	if (net_prefix_parse(gw, 4, false, &a) != NET_OK)
		return -1;
	memcpy(&to.sin_addr, a.addr, 4);
	r->gw = to.sin_addr;
	r->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (r->icmp_fd < 0)
		return -1;
	/* out of the WAN only, whatever the routes say */
	if (dev)
		setsockopt(r->icmp_fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev));
	r->echo_id = (uint16_t)(getpid() ^ 0x5a5a);
	r->echo_seq = ++probe_seq;
	len = probe_echo_request(pkt, sizeof(pkt), r->echo_id, r->echo_seq);
	uv_poll_init(probe_loop, &r->icmp, r->icmp_fd);
	r->icmp.data = r;
	r->handles++;
	uv_poll_start(&r->icmp, UV_READABLE, probe_icmp_readable);
	if (sendto(r->icmp_fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		json_object_set_new(json_object_get(r->result, "gateway"), "answer",
				    json_string(strerror(errno)));
		return 0;
	}
	r->icmp_wait = true;
	return 0;
}

static int probe_dns_send(struct probe_round *r, const char *server)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(53) };
	uint8_t q[32];
	size_t len;
	struct net_prefix a;

	if (net_prefix_parse(server, 4, false, &a) != NET_OK)
		return -1;
	memcpy(&to.sin_addr, a.addr, 4);
	r->dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->dns_fd < 0)
		return -1;
	r->dns_id = (uint16_t)(now_ms() ^ (probe_seq << 8));
	/* ". NS IN": the root's servers */
	len = probe_dns_query(q, sizeof(q), r->dns_id, NULL, PROBE_DNS_NS);
	uv_poll_init(probe_loop, &r->dns, r->dns_fd);
	r->dns.data = r;
	r->handles++;
	uv_poll_start(&r->dns, UV_READABLE, probe_dns_readable);
	/* connected: only the server's answers reach the socket */
	if (connect(r->dns_fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    send(r->dns_fd, q, len, 0) < 0) {
		json_object_set_new(json_object_get(r->result, "dns"), "answer",
				    json_string(strerror(errno)));
		return 0;
	}
	r->dns_wait = true;
	return 0;
}

void probe_run(void)
{
	struct probe_round *r;
	char *gw = NULL, *dns = NULL, *dev = NULL;

	if (!probe_loop || !probe_targets)
		return;
	if (probe_busy) {
		probe_again = true;
		return;
	}
	probe_targets(probe_targets_arg, &gw, &dns, &dev);
	r = xcalloc(1, sizeof(*r));
	r->icmp_fd = r->dns_fd = -1;
	r->sent_ms = now_ms();
	r->result = json_pack("{s:n, s:n, s:I}", "gateway", "dns", "at", (json_int_t)time(NULL));
	if (gw) {
		json_object_set_new(r->result, "gateway", json_pack("{s:s, s:b, s:n}", "address", gw,
								    "ok", 0, "rtt_ms"));
		if (probe_icmp_send(r, gw, dev) < 0)
			json_object_set_new(json_object_get(r->result, "gateway"), "answer",
					    json_string("cannot send"));
	}
	if (dns) {
		json_object_set_new(r->result, "dns", json_pack("{s:s, s:b, s:n}", "server", dns,
								"ok", 0, "rtt_ms"));
		if (probe_dns_send(r, dns) < 0)
			json_object_set_new(json_object_get(r->result, "dns"), "answer",
					    json_string("cannot send"));
	}
	free(gw);
	free(dns);
	free(dev);
	uv_timer_init(probe_loop, &r->timeout);
	r->timeout.data = r;
	r->handles++;
	probe_busy = r;
	if (!r->icmp_wait && !r->dns_wait)
		probe_finish(r);
	else
		uv_timer_start(&r->timeout, probe_timed_out, PROBE_TIMEOUT_MS, 0);
}

static void probe_tick(uv_timer_t *t)
{
	(void)t;
	probe_run();
}

void probe_start(uv_loop_t *loop, probe_targets_fn fn, void *arg)
{
	if (!loop || probe_timer_ready)
		return;
	probe_loop = loop;
	probe_targets = fn;
	probe_targets_arg = arg;
	uv_timer_init(loop, &probe_timer);
	uv_unref((uv_handle_t *)&probe_timer);
	uv_timer_start(&probe_timer, probe_tick, PROBE_FIRST_MS, PROBE_PERIOD_MS);
	probe_timer_ready = true;
}

void probe_stop(void)
{
	probe_again = false;
	if (probe_busy)
		probe_finish(probe_busy);
	if (probe_timer_ready) {
		uv_timer_stop(&probe_timer);
		uv_close((uv_handle_t *)&probe_timer, NULL);
		probe_timer_ready = false;
	}
	json_decref(probe_last);
	probe_last = NULL;
	probe_loop = NULL;
}

json_t *probe_result(void)
{
	return probe_last ? json_incref(probe_last) : json_null();
}
