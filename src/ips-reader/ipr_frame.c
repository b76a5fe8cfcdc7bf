/*
 * The reader's stream: frames to lines, lines to records. Pure (no I/O,
 * no allocation): the unit test and the fuzz target drive it as the
 * process does.
 */
#include <stdio.h>
#include <string.h>

#include "features/services/ips/ips_parse.h"
#include "ips-reader/ipr.h"

static const char *const ipr_service_names[IPR_SOURCES] = { "ssh", "asterisk", "gui" };

typedef bool (*ipr_parser)(const char *line, size_t len, struct ips_event *ev);
static const ipr_parser ipr_parsers[IPR_SOURCES] = { ips_parse_sshd, ips_parse_asterisk,
						     ips_parse_gui };

void ipr_init(struct ipr *r)
{
	memset(r, 0, sizeof(*r));
	r->source = -1;
}

/*
 * sshd says one failed login in up to three lines: "Invalid user x from A
 * port N", "Failed password for invalid user x from A port N ssh2" (one per
 * password tried), "Connection closed by invalid user x A port N
 * [preauth]". Each failed attempt counts; a connection's own line counts
 * only for a connection with no attempt counted (a key that did not fit,
 * an unknown user probed), and an attempt after it is that count. So N
 * wrong passwords count N whatever the user, and a probe counts 1.
 */
static bool ipr_counts(struct ipr *r, const struct ips_event *ev)
{
	const unsigned char *a = ev->addr.addr;
	size_t alen = ev->addr.family == 4 ? 4 : 16;
	uint32_t h = 2166136261u;
	struct ipr_conn *c;

	if (ev->kind == IPS_SUCCESS || !ev->port)
		return true;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ ev->port) * 16777619u;
	c = &r->conns[h % IPR_CONNS];
	if (c->family != ev->addr.family || c->port != ev->port || memcmp(c->addr, a, alen)) {
		/* a new connection (or an old one pushed out: at worst counted twice) */
		memset(c, 0, sizeof(*c));
		c->family = ev->addr.family;
		c->port = ev->port;
		memcpy(c->addr, a, alen);
	}
	if (ev->kind == IPS_FAILURE)
		return c->attempts++ > 0 || !c->counted;
	if (c->counted || c->attempts)
		return false;
	c->counted = true;
	return true;
}

/* Appends s[0..len) to the record out[0..*n), which with its '\0' must
 * fit IPR_RECORD_MAX. Records are made by hand, not with snprintf: one is
 * made for every failure of a log, and the format was a quarter of the
 * reader's time. */
static bool ipr_put(char *out, size_t *n, const char *s, size_t len)
{
	if (*n + len >= IPR_RECORD_MAX)
		return false;
	memcpy(out + *n, s, len);
	*n += len;
	return true;
}

size_t ipr_record(struct ipr *r, int service, const char *line, size_t len,
		  char out[IPR_RECORD_MAX])
{
	struct ips_event ev;
	char addr[64], reason[64];
	const char *kind;
	size_t i, n = 0;

	if (service < 0 || service >= IPR_SOURCES || !ipr_parsers[service](line, len, &ev))
		return 0;
	if (!ipr_counts(r, &ev))
		return 0;
	net_prefix_text(&ev.addr, false, addr, sizeof(addr));
	for (i = 0; ev.reason[i] && i + 1 < sizeof(reason); i++)
		reason[i] = ev.reason[i] == ' ' ? '_' : ev.reason[i];
	reason[i] = '\0';
	kind = ev.kind == IPS_SUCCESS ? "success " : "failure ";
	/* "ips <service> <failure|success> <address> <reason> <line>\n" */
	if (!ipr_put(out, &n, "ips ", 4) ||
	    !ipr_put(out, &n, ipr_service_names[service], strlen(ipr_service_names[service])) ||
	    !ipr_put(out, &n, " ", 1) || !ipr_put(out, &n, kind, strlen(kind)) ||
	    !ipr_put(out, &n, addr, strlen(addr)) || !ipr_put(out, &n, " ", 1) ||
	    !ipr_put(out, &n, reason, i) || !ipr_put(out, &n, " ", 1) ||
	    !ipr_put(out, &n, ev.line, strlen(ev.line)) || !ipr_put(out, &n, "\n", 1))
		return 0;
	out[n] = '\0';
	return n;
}

static void ipr_line_done(struct ipr *r, struct ipr_source *s, ipr_emit_fn emit, void *arg)
{
	char rec[IPR_RECORD_MAX];
	size_t n;

	r->lines++;
	n = ipr_record(r, r->source, s->line, s->len, rec);
	if (n) {
		r->events++;
		emit(arg, rec, n);
	}
	s->len = 0;
}

/* Payload bytes of the current source. */
static void ipr_bytes(struct ipr *r, const unsigned char *p, size_t n, ipr_emit_fn emit, void *arg)
{
	struct ipr_source *s = &r->src[r->source];

	while (n) {
		const unsigned char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;

		if (s->overlong) {
			/* the rest of a line too long to be a log's */
		} else if (s->len + take > IPR_LINE_MAX) {
			s->overlong = true;
			s->len = 0;
			r->dropped++;
		} else {
			memcpy(s->line + s->len, p, take);
			s->len += take;
		}
		if (!nl)
			return;
		if (!s->overlong)
			ipr_line_done(r, s, emit, arg);
		s->overlong = false;
		p += take + 1;
		n -= take + 1;
	}
}

int ipr_feed(struct ipr *r, const unsigned char *p, size_t n, ipr_emit_fn emit, void *arg)
{
	while (n) {
		if (r->left == 0) {
			size_t want = IPR_HEADER - r->head_len, take = n < want ? n : want;
			uint32_t len = 0;

			memcpy(r->head + r->head_len, p, take);
			r->head_len += take;
			p += take;
			n -= take;
			if (r->head_len < IPR_HEADER)
				return 0;
			r->head_len = 0;
			for (int i = 0; i < 4; i++)
				len |= (uint32_t)r->head[4 + i] << (8 * i);
			if (r->head[0] >= IPR_SOURCES || r->head[1] || r->head[2] || r->head[3] ||
			    len > IPR_FRAME_MAX)
				return -1;
			r->source = r->head[0];
			r->left = len;
			continue;
		}
		size_t take = n < r->left ? n : r->left;
		ipr_bytes(r, p, take, emit, arg);
		r->left -= (uint32_t)take;
		p += take;
		n -= take;
	}
	return 0;
}
