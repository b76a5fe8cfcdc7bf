/* Private to net/: what the writers of links, addresses, routes and rules share. */
#ifndef DIFOS_NET_NL_WRITE_INT_H
#define DIFOS_NET_NL_WRITE_INT_H

#include <jansson.h>

#include "net/nl_write.h"

struct nlmsghdr;

/* Sends one request and waits for the kernel's acknowledgement: 0, or the
 * negative error number it answered. */
int nl_request(struct nlmsghdr *nlh);
/* *err = "<op's text>: <why, or strerror(-rc)>"; returns -1 */
int nl_fail(const struct nl_op *op, int rc, const char *why, char **err);
/* the index of dev, or 0 with "Cannot find device" said through err */
unsigned nl_dev_index(const struct nl_op *op, const char *dev, char **err);
/* the route and rule kinds of nl_op_do */
int nl_route_op(const struct nl_op *op, json_t **out, char **err);

#endif
