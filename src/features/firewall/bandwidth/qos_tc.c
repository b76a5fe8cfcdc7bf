/*
 * QoS as a tc batch. Download (to the clients) is shaped where it leaves
 * the router: the LAN bridge's egress. Upload (from the clients) can only
 * be shaped on an egress too, so the ingress of each LAN port is
 * redirected to the ifb device QOS_IFB_UP and shaped there. (The ports,
 * not the bridge: a packet redirected from the bridge's own ingress was
 * seen to reach the forward hook without its conntrack entry, and the
 * firewall drops such packets as invalid.)
 * Each direction is one HTB with a class per limited client (rate = ceil
 * = the limit, a pfifo leaf); u32 filters pick the client by IP (protocol
 * ip) or MAC (any protocol, matched in the Ethernet header at negative
 * offsets from the IP header). Traffic within the LAN, whitelisted and
 * unmatched traffic goes to HTB's direct queue (class <handle>:0), which
 * HTB sends at once without shaping: the rest of the LAN keeps its speed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/firewall/bandwidth/qos.h"
#include "net/ipv4.h"
#include "store/doc.h"

/* Each class is its own root: nothing is borrowed, so the quantum only sets
 * how much one class sends in turn; an explicit one keeps HTB from deriving
 * it from r2q (and warning about it) at high rates. */
#define QOS_QUANTUM    60000
/* Packets a limited client may have queued: enough for TCP to keep the
 * class busy, small enough not to add seconds of delay at low rates. */
#define QOS_LEAF_LIMIT 100
/* Length of the direct (unshaped) queue; a bridge has no tx queue length. */
#define QOS_DIRECT_QLEN 1000

/* u32 filter priorities: whitelists first, then MAC limits over IP limits
 * (a MAC is the harder one to change). One protocol per priority. */
enum { QOS_PRIO_WL_IP = 1, QOS_PRIO_WL_MAC, QOS_PRIO_MAC, QOS_PRIO_IP };

/* One shaped direction. */
struct qos_dir {
	const char *dev;      /* device whose egress shapes */
	const char *addr;     /* the client is the "dst" or the "src" */
	const char *peer;     /* the other end: "src" or "dst" */
	const char *rate;     /* "download" or "upload" */
	int mac_off;          /* client MAC's offset from the IP header */
};

void qos_rate_text(double mbps, char out[32])
{
	/* rates are positive: adding a half rounds to the nearest kbit */
	snprintf(out, 32, "%lldkbit", (long long)(mbps * 1000.0 + 0.5));
}

void qos_mac_canon(const char *mac, char out[18])
{
	/* the schema took "aa:bb:..." or "AA-BB-...": the hex pairs sit at the same places */
	for (int i = 0; i < 6; i++) {
		out[i * 3] = (char)tolower((unsigned char)mac[i * 3]);
		out[i * 3 + 1] = (char)tolower((unsigned char)mac[i * 3 + 1]);
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}

/* A MAC as u32 matches: the 6 bytes split at the 4-byte boundaries u32 reads. */
static void qos_mac_match(struct sbuf *b, const char *mac, int off)
{
	unsigned m[6] = { 0 };
	char canon[18];

	qos_mac_canon(mac, canon);
	sscanf(canon, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
	if ((off & 3) == 0)
		sbuf_printf(b, "match u32 0x%02x%02x%02x%02x 0xffffffff at %d "
			    "match u16 0x%02x%02x 0xffff at %d", m[0], m[1], m[2], m[3], off,
			    m[4], m[5], off + 4);
	else
		sbuf_printf(b, "match u16 0x%02x%02x 0xffff at %d "
			    "match u32 0x%02x%02x%02x%02x 0xffffffff at %d", m[0], m[1], off,
			    m[2], m[3], m[4], m[5], off + 2);
}

static void qos_filter_head(struct sbuf *b, const struct qos_dir *d, bool ip, int prio)
{
	sbuf_printf(b, "filter add dev %s parent %s: protocol %s prio %d u32 ", d->dev,
		    QOS_HANDLE, ip ? "ip" : "all", prio);
}

/* Traffic that stays in the LAN (between ports, to and from the router's
 * LAN address) is not what a limit is for: it is never shaped. */
static void qos_render_lan(struct sbuf *b, const json_t *doc, const struct qos_dir *d)
{
	unsigned addr;
	int prefix;
	char cidr[20];

	if (!net_lan_subnet(doc, &addr, &prefix))
		return;
	net_cidr_text(addr, prefix, cidr);
	qos_filter_head(b, d, true, QOS_PRIO_WL_IP);
	sbuf_printf(b, "match ip %s %s flowid %s:0\n", d->peer, cidr, QOS_HANDLE);
}

static void qos_render_whitelist(struct sbuf *b, const json_t *qos, const struct qos_dir *d)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(qos, "whitelist_ips"), i, v) {
		qos_filter_head(b, d, true, QOS_PRIO_WL_IP);
		sbuf_printf(b, "match ip %s %s/32 flowid %s:0\n", d->addr, json_string_value(v),
			    QOS_HANDLE);
	}
	json_array_foreach(json_object_get(qos, "whitelist_macs"), i, v) {
		qos_filter_head(b, d, false, QOS_PRIO_WL_MAC);
		qos_mac_match(b, json_string_value(v), d->mac_off);
		sbuf_printf(b, " flowid %s:0\n", QOS_HANDLE);
	}
}

unsigned qos_class_minor(const json_t *qos, const char *coll, size_t index)
{
	/* MAC entries first, then IP entries: the order of the batch */
	if (!strcmp(coll, "by_mac"))
		return QOS_MINOR_BASE + (unsigned)index;
	return QOS_MINOR_BASE + (unsigned)(json_array_size(json_object_get(qos, "by_mac")) + index);
}

/* The user's description, kept on its one comment line of the batch. */
static void qos_comment(struct sbuf *b, const char *text)
{
	sbuf_add(b, ": ");
	for (const char *c = text; *c; c++)
		sbuf_addn(b, (unsigned char)*c < 0x20 || *c == 0x7f ? " " : c, 1);
}

/* One class per entry of coll, then its filters. */
static void qos_render_entries(struct sbuf *b, const json_t *qos, const char *coll,
			       const struct qos_dir *d, struct sbuf *filters)
{
	double def = json_number_value(json_object_get(qos, d->rate));
	bool by_ip = !strcmp(coll, "by_ip");
	size_t i;
	json_t *el;

	json_array_foreach(json_object_get(qos, coll), i, el) {
		json_t *own = json_object_get(el, d->rate);
		const char *key = json_string_value(json_object_get(el, by_ip ? "ip" : "mac"));
		const char *desc = json_string_value(json_object_get(el, "description"));
		char rate[32];
		unsigned m = qos_class_minor(qos, coll, i);

		qos_rate_text(own ? json_number_value(own) : def, rate);
		sbuf_printf(b, "# %s %s", by_ip ? "IP" : "MAC", key);
		if (desc && *desc)
			qos_comment(b, desc);
		sbuf_add(b, "\n");
		sbuf_printf(b, "class add dev %s parent %s: classid %s:%x htb rate %s ceil %s "
			    "quantum %d\n", d->dev, QOS_HANDLE, QOS_HANDLE, m, rate, rate,
			    QOS_QUANTUM);
		sbuf_printf(b, "qdisc add dev %s parent %s:%x handle %x: pfifo limit %d\n", d->dev,
			    QOS_HANDLE, m, m, QOS_LEAF_LIMIT);
		qos_filter_head(filters, d, by_ip, by_ip ? QOS_PRIO_IP : QOS_PRIO_MAC);
		if (by_ip)
			sbuf_printf(filters, "match ip %s %s/32", d->addr, key);
		else
			qos_mac_match(filters, key, d->mac_off);
		sbuf_printf(filters, " flowid %s:%x\n", QOS_HANDLE, m);
	}
}

static void qos_render_dir(struct sbuf *b, const json_t *doc, const struct qos_dir *d)
{
	const json_t *qos = doc_get(doc, "qos");
	struct sbuf filters;

	sbuf_init(&filters);
	sbuf_printf(b, "qdisc add dev %s root handle %s: htb default 0 direct_qlen %d\n", d->dev,
		    QOS_HANDLE, QOS_DIRECT_QLEN);
	qos_render_entries(b, qos, "by_mac", d, &filters);
	qos_render_entries(b, qos, "by_ip", d, &filters);
	sbuf_add(b, "# traffic within the LAN and whitelisted clients: never shaped\n");
	qos_render_lan(b, doc, d);
	qos_render_whitelist(b, qos, d);
	sbuf_add(b, "# limited clients; everything else is not shaped\n");
	sbuf_add(b, filters.s);
	sbuf_free(&filters);
}

char *qos_tc_render(const json_t *doc)
{
	const char *lan = doc_str(doc, "lan.device");
	/* at the bridge's egress the IP header follows the 14-byte Ethernet
	 * header: the destination MAC is at -14; at a port's ingress (seen on
	 * the ifb) the source MAC is at -8 */
	const struct qos_dir down = { .dev = lan, .addr = "dst", .peer = "src",
				      .rate = "download", .mac_off = -14 };
	const struct qos_dir up = { .dev = QOS_IFB_UP, .addr = "src", .peer = "dst",
				    .rate = "upload", .mac_off = -8 };
	struct sbuf b;
	size_t i;
	json_t *port;

	sbuf_init(&b);
	sbuf_add(&b, "# Bandwidth control (QoS) rendered by difos: a tc batch (tc -batch)\n");
	if (!doc_bool(doc, "qos.enabled", false)) {
		sbuf_add(&b, "# QoS is off: nothing is shaped\n");
		return sbuf_steal(&b);
	}
	sbuf_printf(&b, "# download: shaped on the egress of the LAN bridge %s\n", lan);
	qos_render_dir(&b, doc, &down);
	sbuf_printf(&b, "# upload: what the LAN ports receive goes through %s and is shaped there\n",
		    QOS_IFB_UP);
	json_array_foreach(doc_get(doc, "lan.interfaces"), i, port) {
		const char *dev = json_string_value(port);
		sbuf_printf(&b, "qdisc add dev %s handle ffff: ingress\n", dev);
		sbuf_printf(&b, "filter add dev %s parent ffff: protocol all prio 1 u32 match u32 0 0 "
			    "action mirred egress redirect dev %s\n", dev, QOS_IFB_UP);
	}
	qos_render_dir(&b, doc, &up);
	return sbuf_steal(&b);
}
