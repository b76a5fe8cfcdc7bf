/*
 * An op as the iproute2 command that does the same: what the dry backend
 * records and what an error message starts with. One table says each
 * kind's words; the arguments follow in ip's order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "net/nl_write.h"

static const struct {
	const char *words;    /* after "ip" and the family */
	int reads;
} nl_op_words[] = {
	[NL_LINK_SHOW] = { "link show", 1 },
	[NL_LINK_LIST] = { "-d link show", 1 },
	[NL_LINK_ADD] = { "link add", 0 },
	[NL_LINK_DEL] = { "link del", 0 },
	[NL_LINK_UP] = { "link set", 0 },
	[NL_LINK_DOWN] = { "link set", 0 },
	[NL_LINK_MASTER] = { "link set", 0 },
	[NL_LINK_MTU] = { "link set", 0 },
	[NL_ADDR_ADD] = { "addr add", 0 },
	[NL_ADDR_REPLACE] = { "addr replace", 0 },
	[NL_ADDR_DEL] = { "addr del", 0 },
	[NL_ADDR_FLUSH] = { "addr flush", 0 },
	[NL_ROUTE_REPLACE] = { "route replace", 0 },
	[NL_ROUTE_DEL] = { "route del", 0 },
	[NL_ROUTE_LIST] = { "route show table all", 1 },
	[NL_ROUTE_FLUSH] = { "route flush", 0 },
	[NL_RULE_ADD] = { "rule add", 0 },
	[NL_RULE_DEL] = { "rule del", 0 },
	[NL_RULE_LIST] = { "rule show", 1 },
	[NL_CT_FORGET] = { NULL, 0 },
};

int nl_op_reads(const struct nl_op *op)
{
	return nl_op_words[op->kind].reads;
}

static void nl_text_route(struct sbuf *b, const struct nl_op *op)
{
	if (op->kind == NL_ROUTE_REPLACE || op->kind == NL_ROUTE_DEL) {
		sbuf_printf(b, " %s", op->addr ? op->addr : "default");
		if (op->via)
			sbuf_printf(b, " via %s", op->via);
		if (op->dev)
			sbuf_printf(b, " dev %s", op->dev);
		if (op->table == 254)
			sbuf_add(b, " table main");
		else if (op->table)
			sbuf_printf(b, " table %u", op->table);
		if (op->has_metric)
			sbuf_printf(b, " metric %lld", op->metric);
	} else if (op->kind == NL_ROUTE_FLUSH) {
		if (op->table)
			sbuf_printf(b, " table %u", op->table);
		else
			sbuf_add(b, " table all");
	}
	if (op->proto)
		sbuf_printf(b, " proto %d", op->proto);
}

char *nl_op_text(const struct nl_op *op)
{
	struct sbuf b;

	sbuf_init(&b);
	if (op->kind == NL_CT_FORGET) {
		/* as conntrack(8) says it */
		sbuf_printf(&b, "conntrack -D -f %s --reply-dst %s", op->family == 6 ? "ipv6" : "ipv4",
			    op->addr);
		return sbuf_steal(&b);
	}
	sbuf_add(&b, "ip");
	if (nl_op_reads(op) && op->kind != NL_LINK_SHOW)
		sbuf_add(&b, " -j");
	if (op->family == 4 || op->family == 6)
		sbuf_printf(&b, " -%d", op->family);
	sbuf_printf(&b, " %s", nl_op_words[op->kind].words);
	switch (op->kind) {
	case NL_LINK_ADD:
		sbuf_printf(&b, " name %s type %s", op->dev, op->link_kind);
		break;
	case NL_LINK_SHOW:
	case NL_LINK_DEL:
	case NL_ADDR_FLUSH:
		sbuf_printf(&b, " dev %s", op->dev);
		break;
	case NL_LINK_UP:
	case NL_LINK_DOWN:
		sbuf_printf(&b, " dev %s %s", op->dev, op->kind == NL_LINK_UP ? "up" : "down");
		break;
	case NL_LINK_MTU:
		sbuf_printf(&b, " dev %s mtu %u", op->dev, op->mtu);
		break;
	case NL_LINK_MASTER:
		if (op->master)
			sbuf_printf(&b, " dev %s master %s", op->dev, op->master);
		else
			sbuf_printf(&b, " dev %s nomaster", op->dev);
		break;
	case NL_ADDR_ADD:
	case NL_ADDR_REPLACE:
	case NL_ADDR_DEL:
		sbuf_printf(&b, " %s dev %s", op->addr, op->dev);
		if (op->kind != NL_ADDR_DEL && (op->preferred_lft || op->valid_lft))
			sbuf_printf(&b, " preferred_lft %u valid_lft %u", op->preferred_lft,
				    op->valid_lft);
		break;
	case NL_ROUTE_REPLACE:
	case NL_ROUTE_DEL:
	case NL_ROUTE_LIST:
	case NL_ROUTE_FLUSH:
		nl_text_route(&b, op);
		break;
	case NL_RULE_ADD:
		sbuf_printf(&b, " pref %u", op->pref);
		if (op->src)
			sbuf_printf(&b, " from %s", op->src);
		else if (op->mark || op->mask)
			sbuf_printf(&b, " fwmark 0x%x/0x%x", op->mark, op->mask);
		if (op->table == 254)
			sbuf_add(&b, " lookup main");
		else
			sbuf_printf(&b, " lookup %u", op->table);
		if (op->has_suppress)
			sbuf_printf(&b, " suppress_prefixlength %u", op->suppress_prefixlen);
		break;
	case NL_RULE_DEL:
		sbuf_printf(&b, " pref %u", op->pref);
		break;
	case NL_LINK_LIST:
	case NL_RULE_LIST:
	case NL_CT_FORGET:
		break;
	}
	return sbuf_steal(&b);
}
