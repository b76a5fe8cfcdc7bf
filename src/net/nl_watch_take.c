/*
 * One notification applied to the mirror of links and addresses. The
 * message is parsed by the same functions the dumps use; a removal
 * (RTM_DELLINK, RTM_DELADDR) carries the same body as the addition, so it
 * is parsed as one and then taken out.
 */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/nl.h"
#include "net/nl_watch.h"

static json_int_t nl_index(const json_t *o)
{
	return json_integer_value(json_object_get(o, "ifindex"));
}

/* index in arr of the link with ifindex, or of the address equal to a */
static long nl_find_link(const json_t *links, json_int_t ifindex)
{
	size_t i;
	json_t *v;

	json_array_foreach(links, i, v)
		if (nl_index(v) == ifindex)
			return (long)i;
	return -1;
}

static long nl_find_addr(const json_t *addrs, const json_t *a)
{
	size_t i;
	json_t *v;

	json_array_foreach(addrs, i, v)
		if (nl_index(v) == nl_index(a) &&
		    json_equal(json_object_get(v, "local"), json_object_get(a, "local")) &&
		    json_equal(json_object_get(v, "prefixlen"), json_object_get(a, "prefixlen")))
			return (long)i;
	return -1;
}

/* the message parsed as its addition: a one-element array, or NULL */
static json_t *nl_parse_as_new(const struct nlmsghdr *nlh, uint16_t new_type,
			       void (*parse)(const struct nlmsghdr *, json_t *))
{
	json_t *one = json_array();
	struct nlmsghdr *copy = NULL;

	if (nlh->nlmsg_type != new_type) {
		/* libmnl walks attributes up to the aligned end of the message */
		copy = xcalloc(1, MNL_ALIGN(nlh->nlmsg_len));
		memcpy(copy, nlh, nlh->nlmsg_len);
		copy->nlmsg_type = new_type;
	}
	parse(copy ? copy : nlh, one);
	free(copy);
	if (json_array_size(one) != 1) {
		json_decref(one);
		return NULL;
	}
	return one;
}

static void nl_take_link(json_t *links, json_t *addrs, const struct nlmsghdr *nlh,
			 nl_watch_fn fn, void *arg)
{
	json_t *one = nl_parse_as_new(nlh, RTM_NEWLINK, nl_parse_link), *l;
	struct nl_change ch = { .kind = NL_CHANGE_LINK };
	long at;

	if (!one)
		return;
	l = json_array_get(one, 0);
	json_object_del(l, "stats64");
	at = nl_find_link(links, nl_index(l));
	ch.item = l;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		size_t i = json_array_size(addrs);
		if (at < 0)
			goto out;
		json_array_remove(links, (size_t)at);
		/* its addresses went with it */
		while (i-- > 0)
			if (nl_index(json_array_get(addrs, i)) == nl_index(l))
				json_array_remove(addrs, i);
		ch.removed = true;
		ch.up_changed = true;
	} else {
		json_t *old = at >= 0 ? json_array_get(links, (size_t)at) : NULL;
		if (old && json_equal(old, l))
			goto out;     /* said again without a change (a counters' update) */
		ch.up_changed = !old || nl_link_has_flag(old, "UP") != nl_link_has_flag(l, "UP") ||
				nl_link_has_flag(old, "LOWER_UP") != nl_link_has_flag(l, "LOWER_UP");
		if (old)
			json_array_set(links, (size_t)at, l);
		else
			json_array_append(links, l);
	}
	if (fn)
		fn(arg, &ch);
out:
	json_decref(one);
}

static void nl_take_addr(json_t *links, json_t *addrs, const struct nlmsghdr *nlh,
			 nl_watch_fn fn, void *arg)
{
	json_t *one = nl_parse_as_new(nlh, RTM_NEWADDR, nl_parse_addr), *a;
	struct nl_change ch = { .kind = NL_CHANGE_ADDRESS };
	long at, li;

	if (!one)
		return;
	a = json_array_get(one, 0);
	li = nl_find_link(links, nl_index(a));
	if (li >= 0)
		json_object_set(a, "ifname",
				json_object_get(json_array_get(links, (size_t)li), "ifname"));
	at = nl_find_addr(addrs, a);
	ch.item = a;
	if (nlh->nlmsg_type == RTM_DELADDR) {
		if (at < 0)
			goto out;
		json_array_remove(addrs, (size_t)at);
		ch.removed = true;
	} else {
		json_t *old = at >= 0 ? json_array_get(addrs, (size_t)at) : NULL;
		if (old && json_equal(old, a))
			goto out;
		if (old)
			json_array_set(addrs, (size_t)at, a);
		else
			json_array_append(addrs, a);
	}
	if (fn)
		fn(arg, &ch);
out:
	json_decref(one);
}

void nl_watch_take(json_t *links, json_t *addrs, const struct nlmsghdr *nlh, nl_watch_fn fn,
		   void *arg)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		nl_take_link(links, addrs, nlh, fn, arg);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		nl_take_addr(links, addrs, nlh, fn, arg);
		break;
	default:
		break;
	}
}
