/* Matchers of rule fields as nft expressions (fw_match.c). */
#ifndef DIFOS_FW_MATCH_H
#define DIFOS_FW_MATCH_H

#include <jansson.h>

#include "core/util.h"

struct fw_variant {
	int family;  /* 0: either, 4 or 6 */
	char *expr;  /* "" when the field is empty (matches anything) */
};

struct fw_variants {
	struct fw_variant *v;
	size_t n, cap;
};

void fw_variants_add(struct fw_variants *v, int family, char *expr_owned);
void fw_variants_free(struct fw_variants *v);

/* Address list (CIDRs, alias names) as saddr/daddr (dir) expressions;
 * want 0, 4 or 6 keeps only that family. */
void fw_addr_variants(const json_t *doc, const json_t *list, const char *dir, int want,
		      struct fw_variants *out);
/* Destination ports with the rule's protocol ("tcp", "udp", "tcpudp"). */
void fw_port_variants(const json_t *ports, const char *proto, struct fw_variants *out);
char *fw_src_ports_expr(const json_t *ports);
/* "meta l4proto ..." for a rule protocol ("all": "") */
const char *fw_proto_expr(const char *proto, int family);
void fw_join(struct sbuf *b, const char *const *parts, size_t n);
/* ' comment "rule 3: text"' */
void fw_comment(struct sbuf *b, const char *kind, const json_t *el);

#endif
