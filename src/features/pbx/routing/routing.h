/* PBX › Call Routing: the section, its dialplan and the route preview. */
#ifndef DIFOS_ROUTING_H
#define DIFOS_ROUTING_H

#include "apply/feature.h"
#include "rpc/rpc.h"

extern const struct sc_field *const routing_sections[];
extern const struct rpc_method routing_methods[];

/* routing_preview.c: where a number goes in doc ({kind, ...}, see the method) */
json_t *routing_preview_outbound(const json_t *doc, const char *number);
json_t *routing_preview_inbound(const json_t *doc, const char *trunk, const char *did);

#endif
