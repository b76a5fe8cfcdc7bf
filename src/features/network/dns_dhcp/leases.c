/*
 * Active leases from dnsmasq's lease file: one line a lease,
 * "<expiry> <mac> <ip> <hostname|*> <client-id|*>". The file is written by
 * dnsmasq from what clients sent, so each field is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apply/engine.h"
#include "apply/feature.h"
#include "core/files.h"
#include "core/prom.h"
#include "core/util.h"
#include "features/network/dns_dhcp/dhcp.h"
#include "net/addr.h"
#include "schema/schema.h"
#include "store/doc.h"

json_t *dhcp_read_leases(const char *path)
{
	json_t *arr = json_array();
	char *text = file_read(path, NULL), *save = NULL;

	if (!text)
		return arr;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *s2 = NULL;
		int n = 0;
		unsigned ip;

		for (char *t = strtok_r(line, " ", &s2); t && n < 5; t = strtok_r(NULL, " ", &s2))
			f[n++] = t;
		if (n < 4 || !net_parse_ipv4(f[2], &ip))
			continue; /* IPv6 lines ("duid ...") and malformed ones */
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s?}",
			"expires", (json_int_t)atoll(f[0]), "mac", f[1], "ip", f[2],
			"hostname", strcmp(f[3], "*") ? f[3] : NULL));
	}
	free(text);
	return arr;
}

static json_t *dhcp_leases_method(struct rpc_call *c)
{
	char *path = xasprintf("%s/dnsmasq.leases", c->env->paths.state);
	json_t *active = dhcp_read_leases(path);
	json_t *statics = json_deep_copy(doc_get(c->env->engine->running, "dhcp.static_leases"));

	free(path);
	return json_pack("{s:o, s:o}", "active", active, "static", statics ? statics : json_array());
}

/*
 * The metrics: the leases in dnsmasq's file, read again only when the file
 * changed (its size or time), so a scrape every few seconds reads nothing
 * while no client comes or goes.
 */
static struct {
	struct timespec mtime;
	off_t size;
	json_t *leases;
} dhcp_seen;

void dhcp_metrics(struct feature_ctx *ctx, struct sbuf *out)
{
	char *path = xasprintf("%s/dnsmasq.leases", ctx->env->paths.state);
	struct stat st;
	long long now = (long long)time(NULL), active = 0;
	const json_t *l;
	size_t i;

	if (stat(path, &st) < 0) {
		json_decref(dhcp_seen.leases);
		dhcp_seen.leases = NULL;
	} else if (!dhcp_seen.leases || st.st_size != dhcp_seen.size ||
		   st.st_mtim.tv_sec != dhcp_seen.mtime.tv_sec ||
		   st.st_mtim.tv_nsec != dhcp_seen.mtime.tv_nsec) {
		json_decref(dhcp_seen.leases);
		dhcp_seen.leases = dhcp_read_leases(path);
		dhcp_seen.mtime = st.st_mtim;
		dhcp_seen.size = st.st_size;
	}
	free(path);
	/* expiry 0: an infinite lease */
	json_array_foreach(dhcp_seen.leases, i, l) {
		json_int_t exp = json_integer_value(json_object_get(l, "expires"));
		if (exp == 0 || exp > now)
			active++;
	}
	prom_family(out, "difos_dhcp_leases", "gauge",
		    "Active IPv4 leases dnsmasq has given on the LAN.");
	prom_sample_u(out, "difos_dhcp_leases", NULL, (unsigned long long)active);
	prom_family(out, "difos_dhcp_static_leases", "gauge",
		    "Static leases in the configuration in force.");
	prom_sample_u(out, "difos_dhcp_static_leases", NULL,
		      json_array_size(doc_get(ctx->doc, "dhcp.static_leases")));
}

static void dhcp_print_leases(const json_t *res)
{
	const json_t *l;
	size_t i;

	printf("active leases:\n%-17s %-15s %-20s %s\n", "MAC", "IP", "HOSTNAME", "EXPIRES");
	json_array_foreach(json_object_get(res, "active"), i, l) {
		time_t t = (time_t)json_integer_value(json_object_get(l, "expires"));
		char when[32] = "never";
		if (t)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("%-17s %-15s %-20s %s\n", json_string_value(json_object_get(l, "mac")),
		       json_string_value(json_object_get(l, "ip")),
		       json_string_value(json_object_get(l, "hostname")) ?
		       json_string_value(json_object_get(l, "hostname")) : "-", when);
	}
	printf("static leases:\n%-4s %-17s %-15s %s\n", "ID", "MAC", "IP", "HOSTNAME");
	json_array_foreach(json_object_get(res, "static"), i, l)
		printf("%-4lld %-17s %-15s %s\n",
		       (long long)json_integer_value(json_object_get(l, "id")),
		       json_string_value(json_object_get(l, "mac")),
		       json_string_value(json_object_get(l, "ip")),
		       json_string_value(json_object_get(l, "hostname")) ?
		       json_string_value(json_object_get(l, "hostname")) : "-");
}

const struct rpc_method dhcp_methods[] = {
	{ "leases", dhcp_leases_method, "active DHCP leases and the static ones", "DNS & DHCP", NULL,
	  "{active: [{mac, ip, hostname, expires}], static: [{id, mac, ip, hostname, lease_time}]}",
	  RPC_READ,
	  .rest = { { "GET", "/leases", .summary = "active and static DHCP leases" } },
	  .cli = { "leases", .print = dhcp_print_leases } },
	{ NULL }
};
