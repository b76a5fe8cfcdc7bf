/* Private to net/: the one dump over rtnetlink and the small text helpers. */
#ifndef DIFOS_NET_NL_INT_H
#define DIFOS_NET_NL_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct nlattr;

/* Each message of the answer goes to fn(nlh, arg). */
typedef void (*nl_msg_fn)(const struct nlmsghdr *nlh, void *arg);

/* Sends one dump request of type with its family header, reads the whole
 * answer; 0, or -1 when the kernel could not be asked or refused. strict:
 * the kernel filters by the header's fields (Linux 4.20 and later; an
 * older one answers everything, so callers filter too). */
int nl_dump(uint16_t type, const void *hdr, size_t hdrlen, bool strict, nl_msg_fn fn, void *arg);

/* The same, each message parsed by parse into a new array; NULL on failure. */
json_t *nl_dump_parse(uint16_t type, const void *hdr, size_t hdrlen, bool strict,
		      void (*parse)(const struct nlmsghdr *, json_t *));

/* mnl_attr_parse callback: tb[type] = attr for types below 64 (tb has 64) */
int nl_attr_table(const struct nlattr *attr, void *tb);
/* a 32-bit attribute, if present and big enough */
bool nl_attr_u32(const struct nlattr *a, uint32_t *out);
/* o[key] = the attribute's text, if it holds a terminated one */
void nl_set_str(json_t *o, const char *key, const struct nlattr *a);
/* global, site, link, host, nowhere, or the number */
json_t *nl_scope_name(unsigned scope);

/* "aa:bb:..": the bytes of a link-layer address */
json_t *nl_lladdr(const void *p, size_t len);
/* inet_ntop of an attribute's payload (4 or 16 bytes), NULL otherwise */
json_t *nl_inaddr(int family, const void *p, size_t len);
/* a device's name by index, or its number as text */
json_t *nl_ifname(unsigned ifindex);
/* the names of the set bits: names[i] for bit i (NULL: no name) */
json_t *nl_flag_names(uint32_t flags, const char *const *names, size_t n);
/* main, local, default, or the number */
json_t *nl_table_name(uint32_t table);

#endif
