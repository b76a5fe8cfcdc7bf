/*
 * Changes to the kernel's network state through rtnetlink (libmnl): links,
 * addresses, routes and rules, each one request answered by the kernel's
 * acknowledgement — no process, no text to parse. Appliers describe what
 * they want as a `struct nl_op` and hand it to the system backend
 * (`sys->net`): the linux backend performs it here (nl_op_do), the dry
 * backend records its text (nl_op_text), which reads as the iproute2
 * command doing the same, so a journal stays readable.
 *
 * Reading the kernel lives in net/nl.h; the few reads an applier makes
 * while it changes things (does this device exist, which routes of ours
 * are installed) are ops too, so the dry backend answers them.
 */
#ifndef DIFOS_NET_NL_WRITE_H
#define DIFOS_NET_NL_WRITE_H

#include <jansson.h>

enum nl_op_kind {
	NL_LINK_SHOW,      /* dev: 0 when the device exists */
	NL_LINK_LIST,      /* *out: nl_links() with each link's "linkinfo": {info_kind} */
	NL_LINK_ADD,       /* dev, link_kind ("bridge", "ifb") */
	NL_LINK_DEL,       /* dev */
	NL_LINK_UP,        /* dev */
	NL_LINK_DOWN,      /* dev */
	NL_LINK_MASTER,    /* dev, master (NULL: leaves its master) */
	NL_LINK_MTU,       /* dev, mtu */
	NL_ADDR_ADD,       /* dev, addr ("a/len"), lifetimes for IPv6 */
	NL_ADDR_REPLACE,   /* the same, replacing one that exists */
	NL_ADDR_DEL,       /* dev, addr */
	NL_ADDR_FLUSH,     /* dev, family: every address of that family */
	NL_ROUTE_REPLACE,  /* family, dst ("default" or "a/len"), via?, dev?, table, metric, proto */
	NL_ROUTE_DEL,      /* the same keys */
	NL_ROUTE_LIST,     /* family, proto: *out = nl_routes(family, proto) */
	NL_ROUTE_FLUSH,    /* family, and proto (every table) or table (any protocol), or both */
	NL_RULE_ADD,       /* family, pref, table, and src ("addr[/len]"), or mark and mask,
			    * or neither (every packet) with suppress_prefixlen if has_suppress */
	NL_RULE_DEL,       /* family, pref */
	NL_RULE_LIST,      /* family: *out = nl_rules(family) */
	NL_CT_FORGET,      /* family, addr: the tracked connections translated to addr are
			    * deleted (net/nl_conntrack.h); *out = how many */
};

struct nl_op {
	enum nl_op_kind kind;
	int family;               /* 4 or 6; 0 where the address tells */
	const char *dev;
	const char *master;
	const char *link_kind;
	const char *addr;         /* an address with its length, or a route's destination */
	const char *via;
	const char *src;          /* a rule's source prefix */
	unsigned table;           /* 0: main, without saying so */
	long long metric;         /* a route's metric, when has_metric */
	int has_metric;           /* metric is given (0 is a metric too) */
	int proto;                /* a route's protocol (e.g. 209); 0: "boot", as ip's default */
	unsigned pref, mark, mask;
	int has_suppress;         /* a rule ignores routes of suppress_prefixlen or shorter */
	unsigned suppress_prefixlen;
	unsigned mtu;             /* a link's MTU */
	/* an IPv6 address's lifetimes in seconds; both 0: forever */
	unsigned preferred_lft, valid_lft;
};

/* Performs op; 0 on success, -1 with "<text>: <the kernel's reason>" in
 * *err (err may be NULL). For NL_LINK_SHOW, 1 when the device does not
 * exist. The list ops put their array in *out. */
int nl_op_do(const struct nl_op *op, json_t **out, char **err);

/* The op as iproute2's command line would say it, e.g. "ip link set dev
 * br-lan up" (malloc'd). */
char *nl_op_text(const struct nl_op *op);

/* Whether op only reads. */
int nl_op_reads(const struct nl_op *op);

#endif
