/*
 * DNS & DHCP, served by dnsmasq: the LAN pool, static leases, hostnames,
 * the local domain, forwarding to the WAN-provided or configured
 * upstreams. Static leases and hostnames live in files dnsmasq re-reads
 * on SIGHUP, so changing them does not restart it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/feature.h"
#include "apply/supervisor.h"
#include "apply/system.h"
#include "core/files.h"
#include "core/log.h"
#include "core/util.h"
#include "features/network/dns_dhcp/dhcp.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "store/doc.h"

/* the group Debian's dnsmasq drops to (its compiled-in default) */
#define DHCP_DNSMASQ_GROUP "dip"

static void dhcp_lease_check(const json_t *el, const char *path, const json_t *doc,
			     struct sc_error_list *errs);

/* the tabs of the DNS & DHCP page */
static const struct sc_tab tab_general = { "general", "General" };
static const struct sc_tab tab_leases = { "leases", "Active & Static Leases" };
static const struct sc_tab tab_hostnames = { "hostnames", "Hostnames" };

static const struct sc_field dns_fields[] = {
	{ .name = "domain", .kind = SC_FQDN, .def = "\"lan\"", .title = "Local domain",
	  .help = "Domain of LAN names: hostnames resolve as name and name.<domain>." },
	{ .name = "upstreams", .kind = SC_LIST, .item = SC_IPV4, .max = 8, .def = "[]",
	  .title = "Upstream DNS servers",
	  .help = "Forward queries to these servers; empty: use the servers the WAN provides." },
	{ .name = "cache_size", .kind = SC_INT, .min = 0, .max = 100000, .def = "1000",
	  .title = "Cache size", .help = "Number of names kept in the DNS cache." },
	{ .name = "rebind_protection", .kind = SC_BOOL, .def = "true",
	  .title = "Rebind protection",
	  .help = "Drop upstream answers that point into private address ranges." },
	{ .name = "hijack", .kind = SC_BOOL, .def = "false", .title = "Hijack DNS",
	  .help = "Redirect every DNS query from the LAN to this router." },
	{ .name = NULL }
};

static const struct sc_field lease_fields[] = {
	{ .name = "name", .kind = SC_STRING, .min = 0, .max = 64, .title = "Name",
	  .help = "Description of the device." },
	{ .name = "mac", .kind = SC_MAC, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "MAC address" },
	{ .name = "ip", .kind = SC_IPV4, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "IPv4 address" },
	{ .name = "hostname", .kind = SC_HOSTNAME, .flags = SC_F_UNIQUE, .title = "Hostname",
	  .help = "Name the device gets in the local domain." },
	{ .name = "lease_time", .kind = SC_DURATION, .flags = SC_F_INFINITE, .min = 120,
	  .def = "\"infinite\"", .title = "Lease time" },
	{ .name = "duid", .kind = SC_DUID, .title = "DUID",
	  .help = "DHCPv6 client identifier: the device is known by it on DHCPv6 (else by its MAC)." },
	{ .name = "ipv6_suffix", .kind = SC_IPV6_SUFFIX, .title = "IPv6 suffix",
	  .help = "Host part of its DHCPv6 address in each LAN prefix, e.g. ::42 (SLAAC & DHCPv6 mode)." },
	{ .name = NULL }
};

static const struct sc_field host_fields[] = {
	{ .name = "name", .kind = SC_FQDN, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "Hostname" },
	{ .name = "ip", .kind = SC_IPV4, .flags = SC_F_REQUIRED, .title = "IP address" },
	{ .name = "ipv6", .kind = SC_IPV6, .title = "IPv6 address",
	  .help = "Answered to AAAA queries for the name." },
	{ .name = NULL }
};

static const struct sc_field dhcp_fields[] = {
	{ .name = "static_leases", .kind = SC_COLLECTION, .fields = lease_fields, .max = 10000,
	  .check = dhcp_lease_check, .title = "Static leases",
	  .help = "Fixed addresses for known devices.",
	  .tab = &tab_leases },
	{ .name = "hostnames", .kind = SC_COLLECTION, .fields = host_fields, .max = 10000,
	  .title = "Hostnames",
	  .help = "Names the router's DNS answers.",
	  .tab = &tab_hostnames },
	{ .name = NULL }
};

static const struct sc_field dns_section = {
	.name = "dns", .kind = SC_OBJECT, .fields = dns_fields, .title = "DNS",
	.help = "The router's DNS resolver.",
	.tab = &tab_general,
};

static const struct sc_field dhcp_section = {
	.name = "dhcp", .kind = SC_OBJECT, .fields = dhcp_fields,
	.title = "DNS & DHCP",
	.help = "Static leases and hostnames.",
};

static const struct sc_field *const dhcp_sections[] = { &dns_section, &dhcp_section, NULL };

static void dhcp_lease_check(const json_t *el, const char *path, const json_t *doc,
			     struct sc_error_list *errs)
{
	unsigned lan, ip;
	int prefix;
	const char *ip_text = json_string_value(json_object_get(el, "ip"));
	char cidr[20];

	if (!ip_text || !net_parse_ipv4(ip_text, &ip) || !net_lan_subnet(doc, &lan, &prefix))
		return;
	net_cidr_text(lan, prefix, cidr);
	char *p = xasprintf("%s.ip", path);
	if ((ip & net_mask(prefix)) != (lan & net_mask(prefix)))
		sc_error_add(errs, p, ip_text, "is outside the LAN %s", cidr);
	else if (ip == lan)
		sc_error_add(errs, p, ip_text, "is the router's own address");
	else if (ip == (lan & net_mask(prefix)) || ip == (lan | ~net_mask(prefix)))
		sc_error_add(errs, p, ip_text, "is not a host address of %s", cidr);
	free(p);
}

static char *dhcp_conf_text(struct feature_ctx *ctx)
{
	struct sbuf b;
	const json_t *doc = ctx->doc;
	const char *active = ctx->env->paths.active;
	const char *state = ctx->env->paths.state;
	const char *run = ctx->env->paths.run;
	const char *domain = doc_str(doc, "dns.domain");
	const char *host = doc_str(doc, "system.hostname");
	const char *lan_ip = doc_str(doc, "lan.ipv4.address");
	json_t *ups = doc_get(doc, "dns.upstreams"), *u;
	unsigned lan, start;
	int prefix;
	size_t i;
	char mask[16], first[16], last[16];

	net_lan_subnet(doc, &lan, &prefix);
	net_ntoa(net_mask(prefix), mask);
	sbuf_init(&b);
	sbuf_add(&b, "# dnsmasq configuration rendered by difos; changes here are overwritten\n");
	sbuf_printf(&b, "pid-file=%s/dnsmasq.pid\n", run);
	sbuf_add(&b, "log-facility=-\n");
	sbuf_printf(&b, "interface=%s\n", doc_str(doc, "lan.device"));
	sbuf_add(&b, "bind-dynamic\n");
	sbuf_add(&b, "no-hosts\n");
	sbuf_add(&b, "domain-needed\nbogus-priv\nlocalise-queries\n");
	if (doc_bool(doc, "dns.rebind_protection", true))
		sbuf_add(&b, "stop-dns-rebind\nrebind-localhost-ok\n");
	sbuf_printf(&b, "cache-size=%lld\n", doc_int(doc, "dns.cache_size", 1000));
	sbuf_printf(&b, "domain=%s\n", domain);
	sbuf_printf(&b, "local=/%s/\n", domain);
	/* the health check's marker (in the hosts file) never leaves the router */
	sbuf_add(&b, "local=/" DHCP_MARKER_DOMAIN "/\n");
	sbuf_add(&b, "expand-hosts\n");
	if (json_array_size(ups)) {
		sbuf_add(&b, "no-resolv\n");
		json_array_foreach(ups, i, u)
			sbuf_printf(&b, "server=%s\n", json_string_value(u));
	} else {
		sbuf_printf(&b, "resolv-file=%s\n", ctx->env->paths.resolv);
	}
	sbuf_printf(&b, "host-record=%s,%s.%s,%s\n", host, host, domain, lan_ip);
	sbuf_printf(&b, "addn-hosts=%s/dhcp/hosts\n", active);
	sbuf_printf(&b, "dhcp-hostsfile=%s/dhcp/dhcp-hosts\n", active);
	sbuf_printf(&b, "dhcp-leasefile=%s/dnsmasq.leases\n", state);
	if (doc_bool(doc, "lan.dhcp.enabled", true)) {
		net_parse_ipv4(doc_str(doc, "lan.dhcp.start"), &start);
		net_ntoa(start, first);
		net_ntoa(start + (unsigned)doc_int(doc, "lan.dhcp.size", 1) - 1, last);
		sbuf_printf(&b, "dhcp-range=set:lan,%s,%s,%s,%s\n", first, last, mask,
			    doc_str(doc, "lan.dhcp.lease_time"));
		sbuf_printf(&b, "dhcp-option=tag:lan,option:router,%s\n", lan_ip);
		sbuf_printf(&b, "dhcp-option=tag:lan,option:dns-server,%s\n", lan_ip);
		if (doc_bool(doc, "lan.dhcp.authoritative", true))
			sbuf_add(&b, "dhcp-authoritative\n");
	} else {
		sbuf_printf(&b, "no-dhcp-interface=%s\n", doc_str(doc, "lan.device"));
	}
	/* what other features ask of dnsmasq (policy routes by domain:
	 * answers fill the firewall's sets) */
	feature_dnsmasq_collect(ctx, &b);
	return sbuf_steal(&b);
}

/* The hosts file, its first name the generation marker (marker: its name). */
static char *dhcp_hosts_text(const json_t *doc, const char *marker)
{
	struct sbuf b;
	const char *domain = doc_str(doc, "dns.domain");
	json_t *el;
	size_t i;

	sbuf_init(&b);
	sbuf_add(&b, "# hostnames rendered by difos\n");
	if (marker)
		sbuf_printf(&b, "192.0.2.1 %s\n", marker);
	json_array_foreach(doc_get(doc, "dhcp.hostnames"), i, el) {
		const char *name = json_string_value(json_object_get(el, "name"));
		const char *addrs[] = { json_string_value(json_object_get(el, "ip")),
					json_string_value(json_object_get(el, "ipv6")) };
		for (size_t a = 0; a < 2; a++) {
			if (!addrs[a])
				continue;
			sbuf_printf(&b, "%s %s", addrs[a], name);
			/* a single label also answers in the local domain */
			if (!strchr(name, '.'))
				sbuf_printf(&b, " %s.%s", name, domain);
			sbuf_add(&b, "\n");
		}
	}
	return sbuf_steal(&b);
}

static char *dhcp_leases_text(const json_t *doc)
{
	struct sbuf b;
	json_t *el;
	size_t i;

	sbuf_init(&b);
	sbuf_add(&b, "# static leases rendered by difos\n");
	json_array_foreach(doc_get(doc, "dhcp.static_leases"), i, el) {
		const char *host = json_string_value(json_object_get(el, "hostname"));
		const char *duid = json_string_value(json_object_get(el, "duid"));
		const char *suffix = json_string_value(json_object_get(el, "ipv6_suffix"));
		const char *lease = json_string_value(json_object_get(el, "lease_time"));
		sbuf_printf(&b, "%s,%s", json_string_value(json_object_get(el, "mac")),
			    json_string_value(json_object_get(el, "ip")));
		/* DHCPv6 by MAC: the suffix in every /64 the LAN serves (constructor) */
		if (suffix && !duid)
			sbuf_printf(&b, ",[%s]", suffix);
		if (host)
			sbuf_printf(&b, ",%s", host);
		sbuf_printf(&b, ",%s\n", lease);
		/* DHCPv6 by DUID: a line of its own, so the DUID is never taken for
		 * the DHCPv4 client identifier */
		if (duid) {
			sbuf_printf(&b, "id:%s", duid);
			if (suffix)
				sbuf_printf(&b, ",[%s]", suffix);
			if (host)
				sbuf_printf(&b, ",%s", host);
			sbuf_printf(&b, ",%s\n", lease);
		}
	}
	return sbuf_steal(&b);
}

/*
 * The marker names what dnsmasq is given (its main file, the hosts without
 * the marker, the static leases): the health check waits for that name,
 * which only these files answer. "generation" holds it for the check.
 */
static int dhcp_render(struct feature_ctx *ctx, struct render_out *out)
{
	const json_t *doc = ctx->doc;
	char *conf = dhcp_conf_text(ctx), *leases = dhcp_leases_text(doc);
	char *hosts = dhcp_hosts_text(doc, NULL);
	const char *const texts[] = { conf, hosts, leases, NULL };
	char *marker = dhcp_marker_name(texts);

	free(hosts);
	render_add(out, "dnsmasq.conf", 0644, conf);
	render_add(out, "hosts", 0644, dhcp_hosts_text(doc, marker));
	render_add(out, "dhcp-hosts", 0644, leases);
	render_add(out, "generation", 0644, xasprintf("%s\n", marker));
	free(marker);
	return 0;
}

static int dhcp_check(struct feature_ctx *ctx)
{
	const char *dir = ctx->dir;
	struct sys *sys = ctx->env->sys;
	char **err = &ctx->err;
	char *conf = xasprintf("--conf-file=%s/dnsmasq.conf", dir);
	int rc = sys_runv(sys, err, "dnsmasq", "--test", conf, NULL);

	free(conf);
	return rc ? -1 : 0;
}

/* dnsmasq reads the hosts files as its unprivileged user (group "dip" on
 * Debian), at start and on SIGHUP: they are 0640 with its group. The lease
 * file, opened while it is still root, is 0640 root's. */
static void dhcp_file_access(struct feature_ctx *ctx)
{
	static const char *const reread[] = { "hosts", "dhcp-hosts" };
	struct group *g = getgrnam(DHCP_DNSMASQ_GROUP);
	char *leases = xasprintf("%s/dnsmasq.leases", ctx->env->paths.state);
	int fd;

	for (size_t i = 0; g && i < ARRAY_SIZE(reread); i++) {
		char *path = xasprintf("%s/%s", ctx->dir, reread[i]);
		if (chown(path, (uid_t)-1, g->gr_gid) < 0 && errno != ENOENT)
			log_warn("dhcp: cannot give %s to group %s: %s", path, DHCP_DNSMASQ_GROUP,
				 strerror(errno));
		free(path);
	}
	fd = open(leases, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	if (fd >= 0) {
		if (fchmod(fd, 0640) < 0)
			log_warn("dhcp: cannot make %s private: %s", leases, strerror(errno));
		close(fd);
	}
	free(leases);
}

static int dhcp_apply(struct feature_ctx *ctx)
{
	char *conf = xasprintf("--conf-file=%s/dhcp/dnsmasq.conf", ctx->env->paths.active);
	char *const argv[] = { "dnsmasq", "--keep-in-foreground", conf, NULL };
	int rc = 0;

	dhcp_file_access(ctx);

	if (!sv_running("dnsmasq") || apply_file_changed(ctx, "dnsmasq.conf")) {
		/* the main file is read only at start */
		if (sv_running("dnsmasq"))
			sv_stop("dnsmasq");
		rc = sv_ensure("dnsmasq", argv, NULL);
		if (rc < 0)
			ctx->err = xstrdup("cannot start dnsmasq");
	} else if (apply_file_changed(ctx, "hosts") || apply_file_changed(ctx, "dhcp-hosts")) {
		rc = sv_signal("dnsmasq", SIGHUP);
		if (rc < 0)
			ctx->err = xstrdup("cannot signal dnsmasq");
	}
	free(conf);
	return rc;
}

/* Long enough for dnsmasq to re-read 10,000 static leases and hostnames. */
#define DHCP_HEALTH_MS 10000

static int dhcp_health(struct feature_ctx *ctx)
{
	char *path, *marker;
	bool ok;

	if (sys_is_dry(ctx->env->sys))
		return sv_running("dnsmasq") ? 0 : -1;
	/* the marker of the files in force: answered only once dnsmasq runs them */
	path = xasprintf("%s/generation", ctx->dir);
	marker = file_read(path, NULL);
	free(path);
	if (!marker) {
		ctx->err = xstrdup("the rendered generation marker is missing");
		return -1;
	}
	marker[strcspn(marker, "\n")] = '\0';
	ok = dhcp_dns_answers(marker, DHCP_HEALTH_MS);
	if (ok && sv_running("dnsmasq")) {
		free(marker);
		return 0;
	}
	if (sv_wait_alive("dnsmasq", 0, &ctx->err))
		ctx->err = xasprintf("dnsmasq runs but does not answer %s: the new configuration "
				     "is not in force after %d s", marker, DHCP_HEALTH_MS / 1000);
	free(marker);
	return -1;
}

static json_t *dhcp_status(struct feature_ctx *ctx)
{
	const json_t *doc = ctx->doc;

	return json_pack("{s:I, s:I, s:o}", "static_leases",
			 (json_int_t)json_array_size(doc_get(doc, "dhcp.static_leases")),
			 "hostnames", (json_int_t)json_array_size(doc_get(doc, "dhcp.hostnames")),
			 "upstreams", dhcp_upstreams(ctx->env));
}

/* LAN clients resolve hostname.domain to the router: it answers to it on the web. */
static void dhcp_host_names(struct feature_ctx *ctx, json_t *names)
{
	const char *h = doc_str(ctx->doc, "system.hostname"), *d = doc_str(ctx->doc, "dns.domain");

	if (h && *h && d && *d)
		json_array_append_new(names, json_sprintf("%s.%s", h, d));
}

const struct feature feature_dhcp = {
	.name = "dhcp",
	.title = "DNS & DHCP",
	.sections = dhcp_sections,
	.render = dhcp_render,
	.check = dhcp_check,
	.apply = dhcp_apply,
	.health = dhcp_health,
	.status = dhcp_status,
	.metrics = dhcp_metrics,
	.engines = (const struct feature_engine[]){ { "dnsmasq", "engine" }, { NULL } },
	.methods = dhcp_methods,
	.host_names = dhcp_host_names,
};
