/* The feature table, in apply order: a feature comes after those it needs. */
#include <string.h>

#include "apply/feature.h"
#include "core/util.h"

extern const struct feature feature_system;
extern const struct feature feature_lan;
extern const struct feature feature_wan;
extern const struct feature feature_ifaces;
extern const struct feature feature_routes;
extern const struct feature feature_firewall;
extern const struct feature feature_qos;
extern const struct feature feature_dhcp;
extern const struct feature feature_web;

const struct feature *const feature_table[] = {
	&feature_system,   /* hostname: named by dnsmasq and the DHCP client */
	&feature_lan,      /* bridge and address that dnsmasq binds to */
	&feature_wan,      /* uplink, default route, upstream DNS */
	&feature_ifaces,   /* custom interfaces: their links and addresses */
	&feature_routes,   /* static and policy routes through the devices above */
	&feature_firewall, /* zones refer to the LAN and WAN devices */
	&feature_qos,      /* shapes on the LAN bridge and the WAN interface */
	&feature_dhcp,     /* dnsmasq: DHCP and DNS on the LAN */
	&feature_web,      /* difosd-web: listens on the addresses set above */
};

size_t feature_count(void)
{
	return ARRAY_SIZE(feature_table);
}

const struct feature *feature_find(const char *name)
{
	for (size_t i = 0; i < feature_count(); i++)
		if (!strcmp(feature_table[i]->name, name))
			return feature_table[i];
	return NULL;
}

#define FEATURE_MAX_SECTIONS 64

static struct sc_field feature_root_fields[FEATURE_MAX_SECTIONS + 1];
static struct sc_field feature_root = {
	.name = "",
	.kind = SC_OBJECT,
	.fields = feature_root_fields,
	.title = "difos configuration",
};

void feature_schema_init(void)
{
	size_t n = 0;

	for (size_t i = 0; i < feature_count(); i++)
		for (const struct sc_field *const *s = feature_table[i]->sections; s && *s; s++)
			if (n < FEATURE_MAX_SECTIONS)
				feature_root_fields[n++] = **s;
	feature_root_fields[n].name = NULL;
	schema_set_root(&feature_root);
}
