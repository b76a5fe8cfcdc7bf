/* The chains of the ruleset and the zones' devices (fw_render.c). */
#ifndef DIFOS_FW_RENDER_H
#define DIFOS_FW_RENDER_H

#include <jansson.h>

#include "core/util.h"

/* Chains that hold traffic rules, by zone. */
enum fw_chain {
	FC_INPUT_LAN,
	FC_INPUT_WAN,
	FC_OUTPUT,
	FC_FWD_LAN_WAN,
	FC_FWD_WAN_LAN,
	FC_FWD_LAN_LAN,
	FC_FWD_WAN_WAN,
	FC__COUNT
};

struct fw_chain_def {
	const char *name;
	const char *src;  /* zone traffic comes from; NULL: the router (output) */
	const char *dest; /* zone it goes to; NULL: the router (input) or any (output) */
};

extern const struct fw_chain_def fw_chain_defs[FC__COUNT];

/* Device sets of the zones as nft anonymous sets: { "br-lan", "trunk0" } */
struct fw_zones {
	char *lan, *wan;
	char **lan_devs, **wan_devs;
	size_t nlan, nwan;
};

void fw_zones_init(struct fw_zones *z, const json_t *doc);
void fw_zones_free(struct fw_zones *z);

struct fw_sets;
/* The rules' chains; runs of point rules add their verdict maps to sets. */
void fw_rules_render(const json_t *doc, const struct fw_zones *z, struct sbuf chains[FC__COUNT],
		     struct fw_sets *sets);
void fw_forwards_render(const json_t *doc, const struct fw_zones *z, struct sbuf *dstnat,
			struct sbuf *srcnat);
void fw_nat_render(const json_t *doc, const struct fw_zones *z, struct sbuf *srcnat);

#endif
