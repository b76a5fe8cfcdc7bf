/*
 * Services › Intrusion Prevention: bans addresses that fail to log in to
 * SSH, the PBX (Asterisk's security events) or the GUI too often, the way
 * fail2ban does, inside difosd.
 *
 * The logs are followed by ips_follow.c and parsed by the reader process;
 * each failure it reports is counted per service and address (an IPv6
 * address by its prefix) within the find time; the max-th bans the
 * address for the ban time: a row of the ban store and an element with
 * that timeout in the firewall's set dyn_ips4 or dyn_ips6, whose rules
 * (chain filter_prerouting, before connection tracking) drop whatever it
 * sends, to the router or through it. The kernel lets the ban go when the
 * time is up. Allowed addresses, the router's own and loopback are never
 * banned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "apply/feature.h"
#include "apply/system.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/prom.h"
#include "core/util.h"
#include "features/services/ips/ips_int.h"
#include "schema/schema.h"
#include "store/doc.h"

#define IPS_TRACKED_MAX 65536   /* addresses counted at once */
#define IPS_PRUNE_MS (60 * 1000)

static struct ips_counter *ips_counter;
static uv_timer_t ips_prune_timer;
static bool ips_prune_on;
static unsigned long long ips_failures, ips_banned;

static void ips_take_record(const struct feature_env *env, const struct ips_record *r)
{
	const struct ips_conf *c = ips_conf();
	long long now = (long long)time(NULL);
	struct ips_key k;
	struct net_prefix key;
	char addr[64], *err = NULL;

	if (!r->failure || !(c->services & (1u << r->service)))
		return;
	ips_failures++;
	if (ips_exempt(&r->addr))
		return;
	ips_key_of(&r->addr, c->prefix6, r->service, &k);
	ips_ban_key(&r->addr, &key);
	if (ips_bans_active(&key, now))
		return;   /* lines already on their way when the ban came */
	if (!ips_counter_fail(ips_counter, &k, now, c->max_retries, c->find_time))
		return;
	net_prefix_text(&r->addr, false, addr, sizeof(addr));
	{
		struct ips_ban b = { .key = key, .service = ips_svc_name(r->service),
				     .reason = r->reason, .line = r->line, .banned = now,
				     .expires = now + c->ban_time };
		snprintf(b.address, sizeof(b.address), "%s", addr);
		if (ips_bans_add(env, &b, &err) < 0) {
			log_err("ips: cannot ban %s: %s", addr, err);
			free(err);
			return;
		}
	}
	ips_banned++;
	core_state_changed();
	log_info("ips: banned %s for %lld s: %d failed %s logins (%s)", addr, c->ban_time,
		 c->max_retries, ips_svc_name(r->service), r->reason);
}

static bool ips_on(const json_t *doc)
{
	return json_array_size(doc_get(doc, "ips.services")) > 0;
}

/* ---- the feature ---- */

static void ips_nft(struct feature_ctx *ctx, struct feature_nft *out)
{
	int prefix6 = (int)doc_int(ctx->doc, "ips.ipv6_prefix", 64);

	if (!ips_on(ctx->doc))
		return;
	sbuf_add(&out->slot[NFT_SETS], "\tset " IPS_SET4 " {\n\t\ttype ipv4_addr\n\t\tflags timeout\n"
		 "\t}\n\tset " IPS_SET6 " {\n\t\ttype ipv6_addr\n\t\tflags timeout\n\t}\n"
		 "\tset " IPS_SET6H " {\n\t\ttype ipv6_addr\n\t\tflags timeout\n\t}\n");
	sbuf_add(&out->slot[NFT_PREROUTING_RAW], "\t\tip saddr @" IPS_SET4 " drop comment "
		 "\"intrusion prevention\"\n");
	if (prefix6 < 128) {
		struct net_prefix m = { .family = 6, .len = prefix6 };
		char mask[64];

		memset(m.addr, 0xff, 16);
		net_prefix_clear_host(&m);
		m.len = 128;   /* the mask as an address */
		net_prefix_text(&m, false, mask, sizeof(mask));
		sbuf_printf(&out->slot[NFT_PREROUTING_RAW], "\t\tip6 saddr & %s @" IPS_SET6
			    " drop comment \"intrusion prevention\"\n", mask);
	} else {
		sbuf_add(&out->slot[NFT_PREROUTING_RAW], "\t\tip6 saddr @" IPS_SET6 " drop comment "
			 "\"intrusion prevention\"\n");
	}
	sbuf_add(&out->slot[NFT_PREROUTING_RAW], "\t\tip6 saddr @" IPS_SET6H " drop comment "
		 "\"intrusion prevention\"\n");
}

static bool ips_not_exempt(const struct net_prefix *addr)
{
	return !ips_exempt(addr);
}

static int ips_apply(struct feature_ctx *ctx)
{
	const struct ips_conf *c = ips_conf();
	int prefix_before = c->prefix6;
	char *err = NULL;

	ips_conf_read(ctx->doc);
	if (prefix_before != c->prefix6 && ips_counter)
		ips_counter_clear(ips_counter);
	ips_follow_configure(ctx->env, c, doc_str(ctx->doc, "ips.ssh_source"),
			     doc_str(ctx->doc, "ips.ssh_log"), ips_take_record);
	if (!c->services)
		return 0;
	/* the sets may be new or emptied (a ruleset loaded whole): every
	 * ban still running goes back, with the time it has left */
	if (ips_bans_restore(ctx->env, ips_ban_key, ips_not_exempt, &err) < 0) {
		ctx->err = xasprintf("ips: %s", err ? err : "cannot restore the bans");
		free(err);
		return -1;
	}
	return 0;
}

static bool ips_after_needed(const json_t *doc)
{
	return ips_on(doc);
}

static void ips_prune_cb(uv_timer_t *t)
{
	(void)t;
	core_enter();
	ips_bans_prune((long long)time(NULL));
	core_leave();
}

static int ips_init(const struct feature_env *env)
{
	if (ips_bans_open(env) < 0)
		log_warn("ips: the ban store cannot be opened: bans last only in the kernel");
	ips_counter = ips_counter_new(IPS_TRACKED_MAX);
	if (env->loop) {
		uv_timer_init(env->loop, &ips_prune_timer);
		uv_timer_start(&ips_prune_timer, ips_prune_cb, 10 * 1000, IPS_PRUNE_MS);
		ips_prune_on = true;
	}
	return 0;
}

static void ips_stop(struct feature_ctx *ctx)
{
	(void)ctx;
	ips_follow_stop();
	if (ips_prune_on) {
		uv_timer_stop(&ips_prune_timer);
		uv_close((uv_handle_t *)&ips_prune_timer, NULL);
		ips_prune_on = false;
	}
	ips_counter_free(ips_counter);
	ips_counter = NULL;
	ips_bans_close();
	ips_conf_free();
}

static json_t *ips_status(struct feature_ctx *ctx)
{
	json_t *o = ips_follow_status(), *svcs = json_array();

	for (int i = 0; i < IPS_SERVICES; i++)
		if (ips_conf()->services & (1u << i))
			json_array_append_new(svcs, json_string(ips_svc_name(i)));
	(void)ctx;
	json_object_set_new(o, "services", svcs);
	json_object_set_new(o, "bans", json_integer(ips_bans_count((long long)time(NULL))));
	json_object_set_new(o, "failures", json_integer((json_int_t)ips_failures));
	json_object_set_new(o, "banned", json_integer((json_int_t)ips_banned));
	if (ips_counter) {
		json_object_set_new(o, "tracked",
				    json_integer((json_int_t)ips_counter_size(ips_counter)));
		json_object_set_new(o, "untracked",
				    json_integer((json_int_t)ips_counter_untracked(ips_counter)));
	}
	return o;
}

/* The bans in force (one count by the bans' index) and the totals kept. */
static void ips_metrics(struct feature_ctx *ctx, struct sbuf *out)
{
	(void)ctx;
	prom_family(out, "difos_ips_bans", "gauge",
		    "Addresses intrusion prevention bans now.");
	prom_sample_u(out, "difos_ips_bans", NULL,
		      (unsigned long long)ips_bans_count((long long)time(NULL)));
	prom_family(out, "difos_ips_failures_total", "counter",
		    "Failed logins intrusion prevention counted since difosd started.");
	prom_sample_u(out, "difos_ips_failures_total", NULL, (unsigned long long)ips_failures);
	prom_family(out, "difos_ips_banned_total", "counter",
		    "Bans intrusion prevention made since difosd started.");
	prom_sample_u(out, "difos_ips_banned_total", NULL, (unsigned long long)ips_banned);
}

static const char *const ips_reads[] = { "ips", NULL };
static const char *const ips_after[] = { "firewall", NULL };

const struct feature feature_ips = {
	.name = "ips",
	.title = "Intrusion prevention",
	.sections = ips_sections,
	.init = ips_init,
	.apply = ips_apply,
	.status = ips_status,
	.metrics = ips_metrics,
	.stop = ips_stop,
	.reads = ips_reads,
	.after = ips_after,
	.after_needed = ips_after_needed,
	.nft = ips_nft,
	.engines = (const struct feature_engine[]){ { IPS_READER, "reader" },
						    { IPS_JOURNAL, "journal" }, { NULL } },
	.methods = ips_methods,
};
