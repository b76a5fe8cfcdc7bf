/*
 * One rtnetlink dump: a socket of its own (nothing to share or to go stale
 * between reads), one request, every answer read until the kernel says
 * done. A dump is a few system calls; it never waits on anything but the
 * kernel, so the core's loop may call it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/util.h"
#include "net/nl_int.h"

/* what the kernel fills at most per read of a dump */
#define NL_DUMP_BUF 32768

/* Names by index, remembered for one dump only: if_indextoname opens a
 * socket each time, and a dump names the same few devices over and over;
 * a device renamed between two dumps is seen by the next. */
#define NL_NAMES 32
static struct {
	unsigned ifindex;
	char name[IF_NAMESIZE];
} nl_names[NL_NAMES];
static size_t nl_names_n;

struct nl_cb_arg {
	nl_msg_fn fn;
	void *arg;
};

static int nl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_cb_arg *a = data;

	a->fn(nlh, a->arg);
	return MNL_CB_OK;
}

int nl_dump(uint16_t type, const void *hdr, size_t hdrlen, bool strict, nl_msg_fn fn, void *arg)
{
	static unsigned seq_next;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	struct nl_cb_arg a = { fn, arg };
	char *buf;
	struct nlmsghdr *nlh;
	unsigned portid, seq;
	ssize_t n;
	int rc = -1;

	if (!nl)
		return -1;
	nl_names_n = 0;
	/* the kernel filters a dump by the header's fields (a route's protocol)
	 * only when asked to check requests strictly */
	if (strict) {
		int one = 1;
		setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
			   sizeof(one));
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return -1;
	}
	buf = malloc(NL_DUMP_BUF);
	if (!buf) {
		mnl_socket_close(nl);
		return -1;
	}
	seq = (unsigned)time(NULL) + ++seq_next;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, NL_DUMP_BUF)) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, seq, portid, nl_cb, &a);
		if (r == MNL_CB_STOP) {
			rc = 0;
			break;
		}
		if (r < 0)
			break;
	}
out:
	free(buf);
	mnl_socket_close(nl);
	return rc;
}

struct nl_collect_arg {
	void (*parse)(const struct nlmsghdr *, json_t *);
	json_t *out;
};

static void nl_collect(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_collect_arg *c = arg;

	c->parse(nlh, c->out);
}

json_t *nl_dump_parse(uint16_t type, const void *hdr, size_t hdrlen, bool strict,
		      void (*parse)(const struct nlmsghdr *, json_t *))
{
	struct nl_collect_arg c = { parse, json_array() };

	if (nl_dump(type, hdr, hdrlen, strict, nl_collect, &c) < 0) {
		json_decref(c.out);
		return NULL;
	}
	return c.out;
}

/* RT_SCOPE_* that have a name in ip's output */
json_t *nl_scope_name(unsigned scope)
{
	static const struct {
		unsigned scope;
		const char *name;
	} names[] = {
		{ RT_SCOPE_UNIVERSE, "global" }, { RT_SCOPE_SITE, "site" }, { RT_SCOPE_LINK, "link" },
		{ RT_SCOPE_HOST, "host" }, { RT_SCOPE_NOWHERE, "nowhere" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].scope == scope)
			return json_string(names[i].name);
	return json_integer(scope);
}

/* attributes by type, each checked for its size by the caller */
int nl_attr_table(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type < 64)
		tb[type] = attr;
	return MNL_CB_OK;
}

bool nl_attr_u32(const struct nlattr *a, uint32_t *out)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint32_t))
		return false;
	*out = mnl_attr_get_u32(a);
	return true;
}

void nl_set_str(json_t *o, const char *key, const struct nlattr *a)
{
	const char *s;
	size_t len;

	if (!a)
		return;
	s = mnl_attr_get_payload(a);
	len = mnl_attr_get_payload_len(a);
	if (len && memchr(s, '\0', len))
		json_object_set_new(o, key, json_string(s));
}

json_t *nl_lladdr(const void *p, size_t len)
{
	const unsigned char *b = p;
	char text[3 * 32];
	size_t i, n = 0;

	if (!len || len > 32)
		return NULL;
	for (i = 0; i < len; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, i ? ":%02x" : "%02x", b[i]);
	return json_string(text);
}

json_t *nl_inaddr(int family, const void *p, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if ((family == AF_INET && len != 4) || (family == AF_INET6 && len != 16) ||
	    (family != AF_INET && family != AF_INET6) || !inet_ntop(family, p, text, sizeof(text)))
		return NULL;
	return json_string(text);
}

json_t *nl_ifname(unsigned ifindex)
{
	char name[IF_NAMESIZE];

	for (size_t i = 0; i < nl_names_n; i++)
		if (nl_names[i].ifindex == ifindex)
			return json_string(nl_names[i].name);
	if (!if_indextoname(ifindex, name))
		return json_sprintf("if%u", ifindex);
	if (nl_names_n < NL_NAMES) {
		nl_names[nl_names_n].ifindex = ifindex;
		memcpy(nl_names[nl_names_n++].name, name, sizeof(name));
	}
	return json_string(name);
}

json_t *nl_flag_names(uint32_t flags, const char *const *names, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < 32; i++)
		if (names[i] && (flags & (1u << i)))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

json_t *nl_table_name(uint32_t table)
{
	switch (table) {
	case RT_TABLE_MAIN: return json_string("main");
	case RT_TABLE_LOCAL: return json_string("local");
	case RT_TABLE_DEFAULT: return json_string("default");
	default: return json_sprintf("%u", table);
	}
}
