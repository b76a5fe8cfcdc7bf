/*
 * The feature table walked for what features give each other: nft
 * fragments for the firewall, dnsmasq lines, host names, events, and the generic
 * parts of status and stop (the engines a feature declares).
 */
#include <string.h>

#include "apply/feature.h"
#include "apply/supervisor.h"

void feature_nft_collect(struct feature_ctx *ctx, struct feature_nft *out)
{
	for (size_t k = 0; k < NFT__SLOTS; k++)
		sbuf_init(&out->slot[k]);
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->nft)
			feature_table[i]->nft(ctx, out);
}

void feature_nft_free(struct feature_nft *n)
{
	for (size_t k = 0; k < NFT__SLOTS; k++)
		sbuf_free(&n->slot[k]);
}

void feature_dnsmasq_collect(struct feature_ctx *ctx, struct sbuf *out)
{
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->dnsmasq)
			feature_table[i]->dnsmasq(ctx, out);
}

void feature_asterisk_collect(struct feature_ctx *ctx, struct feature_asterisk *out)
{
	for (int i = 0; i < AST__SLOTS; i++)
		sbuf_init(&out->slot[i]);
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->asterisk)
			feature_table[i]->asterisk(ctx, out);
}

void feature_asterisk_free(struct feature_asterisk *a)
{
	for (int i = 0; i < AST__SLOTS; i++)
		sbuf_free(&a->slot[i]);
}

json_t *feature_host_names_collect(struct feature_ctx *ctx)
{
	json_t *names = json_array();

	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->host_names)
			feature_table[i]->host_names(ctx, names);
	return names;
}

json_t *feature_devices_collect(struct feature_ctx *ctx)
{
	json_t *devs = json_object();

	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->devices) {
			json_t *mine = json_object(), *v;
			const char *name;
			feature_table[i]->devices(ctx, mine);
			json_object_foreach(mine, name, v) {
				json_t *have = json_object_get(devs, name);
				if (have && json_is_object(v))
					json_object_update(have, v);
				else if (json_is_object(v))
					json_object_set(devs, name, v);
			}
			json_decref(mine);
		}
	return devs;
}

void feature_metrics_collect(struct feature_ctx *ctx, struct sbuf *out)
{
	for (size_t i = 0; i < feature_count(); i++)
		if (feature_table[i]->metrics)
			feature_table[i]->metrics(ctx, out);
}

json_t *feature_status(const struct feature *f, struct feature_ctx *ctx)
{
	json_t *o = f->status ? f->status(ctx) : NULL;

	for (const struct feature_engine *e = f->engines; e && e->name; e++) {
		json_t *sv = sv_status(e->name);
		if (!sv)
			continue;
		if (!o)
			o = json_object();
		json_object_set_new(o, e->status_key, sv);
	}
	return o;
}

void feature_stop_all(const struct feature_env *env)
{
	for (size_t i = feature_count(); i-- > 0;) {
		const struct feature *f = feature_table[i];
		struct feature_ctx ctx = { .env = env };

		if (f->stop)
			f->stop(&ctx);
		for (const struct feature_engine *e = f->engines; e && e->name; e++)
			sv_stop(e->name);
	}
}
