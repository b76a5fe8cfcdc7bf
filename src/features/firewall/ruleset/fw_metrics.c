/*
 * The firewall's counters for the metrics: each traffic rule counts what
 * it matches (its "counter" statement), and the input and forward chains
 * count at their end what their policy drops. Reading them is a netlink
 * dump of the table's rules (net/nft_counters.h), which grows with the
 * rules (measured: 0.6 ms for 50 counted rules, 5 ms for 500), so it is
 * not done per scrape: the first scrape starts a timer of the core that reads them
 * every FWM_PERIOD_MS, and scrapes answer the last reading. A rule written
 * as several nft rules (IPv4 and IPv6, ports of two protocols) is their
 * sum; rules merged into a verdict map are counted by none.
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "apply/feature.h"
#include "core/log.h"
#include "core/prom.h"
#include "core/util.h"
#include "features/firewall/ruleset/firewall.h"
#include "net/nft_counters.h"

#define FWM_PERIOD_MS 5000

static uv_timer_t fwm_timer;
static bool fwm_on;
/* {"<chain> <rule id>": {chain, rule, description, packets, bytes}} and
 * {"<chain>": {chain, packets, bytes}} of the last reading */
static json_t *fwm_rules, *fwm_policy;

static void fwm_add(json_t *to, const char *key, json_t *fresh, const json_t *row)
{
	json_t *e = json_object_get(to, key);

	if (!e) {
		json_object_set_new(to, key, fresh);
		e = fresh;
	} else {
		json_decref(fresh);
	}
	json_object_set_new(e, "packets", json_integer(json_integer_value(json_object_get(e, "packets")) +
		json_integer_value(json_object_get(row, "packets"))));
	json_object_set_new(e, "bytes", json_integer(json_integer_value(json_object_get(e, "bytes")) +
		json_integer_value(json_object_get(row, "bytes"))));
}

/* "rule 12: Block SSH" -> id "12", description "Block SSH" */
static void fwm_row(json_t *rules, json_t *policy, const json_t *row)
{
	const char *chain = json_string_value(json_object_get(row, "chain"));
	const char *c = json_string_value(json_object_get(row, "comment"));
	size_t id_len;
	char *key, *id;

	if (!chain || !c)
		return;
	if (!strcmp(c, FW_POLICY_DROP)) {
		fwm_add(policy, chain, json_pack("{s:s}", "chain", chain), row);
		return;
	}
	if (strncmp(c, "rule ", 5) || !(id_len = strspn(c + 5, "0123456789")))
		return;
	id = xstrndup(c + 5, id_len);
	key = xasprintf("%s %s", chain, id);
	fwm_add(rules, key, json_pack("{s:s, s:s, s:s}", "chain", chain, "rule", id, "description",
				       c[5 + id_len] == ':' ? c + 5 + id_len + 2 : ""), row);
	free(key);
	free(id);
}

static void fwm_read(void)
{
	char *err = NULL;
	json_t *rows = nft_rule_counters(FW_TABLE, &err), *row;
	size_t i;

	json_decref(fwm_rules);
	json_decref(fwm_policy);
	fwm_rules = json_object();
	fwm_policy = json_object();
	if (!rows) {
		/* no table yet (the first apply), or the firewall is gone */
		log_debug("firewall: %s", err);
		free(err);
		return;
	}
	json_array_foreach(rows, i, row)
		fwm_row(fwm_rules, fwm_policy, row);
	json_decref(rows);
}

static void fwm_tick(uv_timer_t *t)
{
	(void)t;
	fwm_read();
}

static void fwm_family(struct sbuf *out, json_t *from, const char *name, const char *member,
		       const char *help, bool rule)
{
	const char *k;
	json_t *e;

	prom_family(out, name, "counter", help);
	json_object_foreach(from, k, e) {
		const char *const labels[] = {
			"chain", json_string_value(json_object_get(e, "chain")),
			"rule", rule ? json_string_value(json_object_get(e, "rule")) : NULL,
			"description", rule ? json_string_value(json_object_get(e, "description")) : NULL,
			NULL,
		};
		prom_sample_u(out, name, labels,
			      (unsigned long long)json_integer_value(json_object_get(e, member)));
	}
}

void fw_metrics(struct feature_ctx *ctx, struct sbuf *out)
{
	if (!fwm_on) {
		fwm_read();
		if (ctx->env->loop) {
			uv_timer_init(ctx->env->loop, &fwm_timer);
			uv_unref((uv_handle_t *)&fwm_timer);
			uv_timer_start(&fwm_timer, fwm_tick, FWM_PERIOD_MS, FWM_PERIOD_MS);
			fwm_on = true;
		}
	}
	fwm_family(out, fwm_rules, "difos_firewall_rule_packets_total", "packets",
		   "Packets a traffic rule matched (read every 5 s; its rule id and description "
		   "as labels).", true);
	fwm_family(out, fwm_rules, "difos_firewall_rule_bytes_total", "bytes",
		   "Bytes a traffic rule matched (read every 5 s).", true);
	fwm_family(out, fwm_policy, "difos_firewall_policy_drop_packets_total", "packets",
		   "Packets the input or forward chain's policy dropped: no rule accepted them "
		   "(read every 5 s).", false);
	fwm_family(out, fwm_policy, "difos_firewall_policy_drop_bytes_total", "bytes",
		   "Bytes the input or forward chain's policy dropped (read every 5 s).", false);
}

void fw_metrics_stop(void)
{
	if (fwm_on) {
		uv_timer_stop(&fwm_timer);
		uv_close((uv_handle_t *)&fwm_timer, NULL);
		fwm_on = false;
	}
	json_decref(fwm_rules);
	json_decref(fwm_policy);
	fwm_rules = fwm_policy = NULL;
}
