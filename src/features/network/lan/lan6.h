/*
 * The LAN's IPv6 (lan6*.c): its schema, the pure prefix arithmetic
 * (unit-tested), the dnsmasq lines, the applier's part and the delegated
 * prefix it follows. Private to the lan feature.
 */
#ifndef DIFOS_LAN6_H
#define DIFOS_LAN6_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "apply/feature.h"
#include "net/addr.h"

/* RFC 9096's limits on what a CE router advertises (seconds) */
#define LAN6_PREFERRED_LIMIT 2700
#define LAN6_VALID_LIMIT 5400

/* ---- lan6_prefix.c: pure ---- */

/* "fdXX:XXXX:XXXX::/48" from 5 random octets (RFC 4193 §3.2: the Global ID) */
void lan6_ula_text(const unsigned char global_id[5], char *out, size_t outlen);
/* Why text is not a ULA prefix for the LAN (NULL when it is): inside
 * fc00::/7, length 48 to 64, no host bits. */
const char *lan6_ula_problem(const char *text);
/* The /64 numbered subnet of prefix (length <= 64); false when subnet does
 * not fit in its 64 - length bits. */
bool lan6_subnet64(const struct net_prefix *prefix, unsigned long subnet,
		   struct net_prefix *out);
/* "<prefix64>::1/64" of a /64 */
void lan6_router_addr(const struct net_prefix *p64, char *out, size_t outlen);
/* The lifetime to advertise a deprecated /64 with: what it has left, at
 * most RFC 9096's valid limit. */
unsigned lan6_deprecated_valid(unsigned remaining);

/* ---- lan6.c ---- */

extern const struct sc_field lan6_fields[];   /* lan.ipv6's members */
/* first-start value of lan.ipv6.ula (JSON text, malloc'd) */
char *lan6_ula_generate(void);
void lan6_check(const json_t *lan, const char *path, struct sc_error_list *errs);
void lan6_render(const json_t *doc, struct sbuf *b);
void lan6_dnsmasq(struct feature_ctx *ctx, struct sbuf *out);
void lan6_nft(struct feature_ctx *ctx, struct feature_nft *out);
int lan6_apply(struct feature_ctx *ctx);
json_t *lan6_status(struct feature_ctx *ctx);

/* ---- lan6_pd.c: the delegated prefix (RFC 9096 renumbering) ---- */

void lan6_event(const struct feature_env *env, const struct feature_event *ev);
/* at boot: what was announced before difosd stopped is deprecated until a
 * delegation says it again */
void lan6_pd_boot(const struct feature_env *env, const json_t *doc);
/* after an apply: the settings (subnet, device, mode) followed again */
void lan6_pd_refresh(const struct feature_env *env, const json_t *doc);
json_t *lan6_pd_status(void);

#endif
