/* The routes' pieces of the firewall ruleset and of the DNS configuration. */
#include "features/routes/routes.h"

void routes_nft_sets(const json_t *doc, struct sbuf *out)
{
	(void)doc;
	(void)out;
}

void routes_nft_marks(const json_t *doc, struct sbuf *out)
{
	(void)doc;
	(void)out;
}

void routes_dnsmasq(const json_t *doc, const json_t *facts, struct sbuf *out)
{
	(void)doc;
	(void)facts;
	(void)out;
}
