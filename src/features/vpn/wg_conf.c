/*
 * wg-quick files (see wg_conf.h). The reader follows wg-quick's own rules:
 * keys and section names in any case, '#' starts a comment anywhere on a
 * line, spaces around '=' and around list items; Address, DNS and
 * AllowedIPs may be given on several lines (their lists add up), the other
 * keys once. It refuses what the router would not do as the file says:
 * commands (PostUp...), a routing table or mark of its own, a second
 * server.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "features/vpn/wg_conf.h"
#include "net/addr.h"
#include "schema/schema.h"

enum section { SEC_NONE, SEC_INTERFACE, SEC_PEER };

struct parse;
typedef bool (*value_fn)(struct parse *p, const char *key, const char *value);

struct key_def {
	const char *name;        /* as wg-quick spells it */
	enum section section;
	bool single;             /* may be given once */
	value_fn read;
};

struct parse {
	int line;
	enum section section;
	int interface_line, peer_line;
	int seen[16];            /* the line each single key was given on, by key_defs row */
	json_t *out, *notes;
	char *err;
	size_t errlen;
};

/* ---- messages ---- */

/* A value quoted in a message: printable ASCII only (the message is JSON
 * text and a log line), cut when long. */
static void quote(const char *v, char *out, size_t outlen)
{
	size_t o = 0, i;

	for (i = 0; v[i] && o + 5 < outlen && i < 48; i++)
		out[o++] = ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f) ? '?' : v[i];
	if (v[i])
		o += (size_t)snprintf(out + o, outlen - o, "...");
	out[o] = '\0';
}

static bool fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %d: ", p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static bool bad_value(struct parse *p, const char *key, const char *value, const char *what)
{
	char q[64];

	quote(value, q, sizeof(q));
	return fail(p, "%s \"%s\" is not %s", key, q, what);
}

/* ---- single values ---- */

bool wg_conf_key_ok(const char *s)
{
	return sc_wg_key_ok(s);
}

static bool name_ok(const char *s)
{
	return sc_domain_ok(s);
}

bool wg_conf_endpoint_ok(const char *s, char *out, size_t outlen)
{
	char host[256], text[300];
	unsigned port;

	if (!sc_endpoint_split(s, host, sizeof(host), &port) ||
	    !wg_conf_endpoint_text(host, port, text, sizeof(text)))
		return false;
	if (out)
		snprintf(out, outlen, "%s", text);
	return true;
}

bool wg_conf_endpoint_text(const char *host, unsigned port, char *out, size_t outlen)
{
	struct net_prefix a;
	char addr[64];
	int n;

	if (port < 1 || port > 65535)
		return false;
	if (net_prefix_parse(host, 0, false, &a) == NET_OK) {
		net_prefix_text(&a, false, addr, sizeof(addr));
		n = snprintf(out, outlen, a.family == 6 ? "[%s]:%u" : "%s:%u", addr, port);
	} else if (name_ok(host)) {
		n = snprintf(out, outlen, "%s:%u", host, port);
	} else {
		return false;
	}
	return n > 0 && (size_t)n < outlen;
}

/* an address or network with its length in canonical text; a bare address
 * takes the full length */
static bool prefix_read(const char *s, struct net_prefix *a)
{
	if (net_prefix_parse(s, 0, true, a) != NET_OK)
		return false;
	if (!a->has_len)
		a->len = a->family == 4 ? 32 : 128;
	return true;
}

/* ---- the keys ---- */

static json_t *list_of(struct parse *p, const char *name)
{
	json_t *l = json_object_get(p->out, name);

	if (!l) {
		l = json_array();
		json_object_set_new(p->out, name, l);
	}
	return l;
}

/* Calls each on every comma-separated item, trimmed; an empty item is an
 * error. */
static bool each_item(struct parse *p, const char *key, const char *value,
		      bool (*each)(struct parse *p, const char *key, const char *item))
{
	char *copy = xstrdup(value), *save = NULL, *item;
	bool ok = true;
	size_t n = strlen(copy);

	if (n == 0 || copy[n - 1] == ',' || copy[0] == ',' || strstr(copy, ",,")) {
		free(copy);
		return fail(p, "%s has an empty entry", key);
	}
	for (item = strtok_r(copy, ",", &save); ok && item; item = strtok_r(NULL, ",", &save)) {
		char *end = item + strlen(item);

		while (*item == ' ' || *item == '\t')
			item++;
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		ok = *item ? each(p, key, item) : fail(p, "%s has an empty entry", key);
	}
	free(copy);
	return ok;
}

static bool key_value(struct parse *p, const char *key, const char *value, const char *field,
		      bool secret)
{
	if (!wg_conf_key_ok(value)) {
		if (secret)
			return fail(p, "%s (%zu characters) is not a WireGuard key: 44 characters of "
				    "base64, 32 bytes", key, strlen(value));
		return bad_value(p, key, value, "a WireGuard key: 44 characters of base64, 32 bytes");
	}
	json_object_set_new(p->out, field, json_string(value));
	return true;
}

static bool read_private_key(struct parse *p, const char *key, const char *value)
{
	return key_value(p, key, value, "private_key", true);
}

static bool read_public_key(struct parse *p, const char *key, const char *value)
{
	return key_value(p, key, value, "public_key", false);
}

static bool read_preshared_key(struct parse *p, const char *key, const char *value)
{
	return key_value(p, key, value, "preshared_key", true);
}

static bool address_item(struct parse *p, const char *key, const char *item)
{
	struct net_prefix a;
	char text[64];

	if (!prefix_read(item, &a))
		return bad_value(p, key, item, "an IPv4 or IPv6 address (with its length)");
	net_prefix_text(&a, true, text, sizeof(text));
	json_array_append_new(list_of(p, "addresses"), json_string(text));
	return true;
}

static bool read_address(struct parse *p, const char *key, const char *value)
{
	return each_item(p, key, value, address_item);
}

static bool dns_item(struct parse *p, const char *key, const char *item)
{
	struct net_prefix a;
	char text[64];

	if (net_prefix_parse(item, 0, false, &a) == NET_OK) {
		net_prefix_text(&a, false, text, sizeof(text));
		json_array_append_new(list_of(p, "dns"), json_string(text));
	} else if (name_ok(item)) {
		/* wg-quick's search domain */
		json_array_append_new(list_of(p, "dns_search"), json_string(item));
	} else {
		return bad_value(p, key, item, "an IPv4 or IPv6 address or a search domain");
	}
	return true;
}

static bool read_dns(struct parse *p, const char *key, const char *value)
{
	return each_item(p, key, value, dns_item);
}

static bool number(struct parse *p, const char *key, const char *value, unsigned long lo,
		   unsigned long hi, unsigned long *out)
{
	char what[64];

	if (dec_parse(value, strlen(value), hi, out) && *out >= lo)
		return true;
	snprintf(what, sizeof(what), "a number from %lu to %lu", lo, hi);
	return bad_value(p, key, value, what);
}

static bool read_mtu(struct parse *p, const char *key, const char *value)
{
	unsigned long n;

	if (!number(p, key, value, WG_CONF_MTU_MIN, WG_CONF_MTU_MAX, &n))
		return false;
	json_object_set_new(p->out, "mtu", json_integer((json_int_t)n));
	return true;
}

static bool read_listen_port(struct parse *p, const char *key, const char *value)
{
	unsigned long n;

	if (!number(p, key, value, 1, 65535, &n))
		return false;
	json_object_set_new(p->out, "static_port", json_true());
	json_object_set_new(p->out, "listen_port", json_integer((json_int_t)n));
	return true;
}

static bool allowed_item(struct parse *p, const char *key, const char *item)
{
	struct net_prefix a;
	char text[64], net[64], note[200], q[64];

	if (!prefix_read(item, &a))
		return bad_value(p, key, item, "an IPv4 or IPv6 network");
	net_prefix_text(&a, true, text, sizeof(text));
	if (net_prefix_host_bits(&a)) {
		/* wg itself routes the network; the schema wants it written so */
		net_prefix_clear_host(&a);
		net_prefix_text(&a, true, net, sizeof(net));
		quote(item, q, sizeof(q));
		snprintf(note, sizeof(note), "line %d: %s %s has host bits: imported as its "
			 "network %s", p->line, key, q, net);
		json_array_append_new(p->notes, json_string(note));
		snprintf(text, sizeof(text), "%s", net);
	}
	json_array_append_new(list_of(p, "allowed_ips"), json_string(text));
	return true;
}

static bool read_allowed_ips(struct parse *p, const char *key, const char *value)
{
	return each_item(p, key, value, allowed_item);
}

static bool read_endpoint(struct parse *p, const char *key, const char *value)
{
	char text[300];

	if (!wg_conf_endpoint_ok(value, text, sizeof(text)))
		return bad_value(p, key, value, "host:port ([IPv6]:port for an IPv6 address, "
				 "port 1-65535)");
	json_object_set_new(p->out, "endpoint", json_string(text));
	return true;
}

static bool read_keepalive(struct parse *p, const char *key, const char *value)
{
	unsigned long n = 0;

	if (strcasecmp(value, "off") && !number(p, key, value, 0, 65535, &n))
		return false;
	json_object_set_new(p->out, "keepalive", json_integer((json_int_t)n));
	return true;
}

static const struct key_def key_defs[] = {
	{ "PrivateKey", SEC_INTERFACE, true, read_private_key },
	{ "Address", SEC_INTERFACE, false, read_address },
	{ "DNS", SEC_INTERFACE, false, read_dns },
	{ "MTU", SEC_INTERFACE, true, read_mtu },
	{ "ListenPort", SEC_INTERFACE, true, read_listen_port },
	{ "PublicKey", SEC_PEER, true, read_public_key },
	{ "PresharedKey", SEC_PEER, true, read_preshared_key },
	{ "AllowedIPs", SEC_PEER, false, read_allowed_ips },
	{ "Endpoint", SEC_PEER, true, read_endpoint },
	{ "PersistentKeepalive", SEC_PEER, true, read_keepalive },
};

/* wg-quick's keys the router does not take, and why */
static const struct {
	const char *name, *why;
} refused[] = {
	{ "PreUp", "the router runs no commands from a VPN file" },
	{ "PostUp", "the router runs no commands from a VPN file" },
	{ "PreDown", "the router runs no commands from a VPN file" },
	{ "PostDown", "the router runs no commands from a VPN file" },
	{ "Table", "the router routes AllowedIPs itself (above the WANs' metric); "
		   "use a policy route to send traffic through the client" },
	{ "FwMark", "the router marks no traffic for a VPN client" },
	{ "SaveConfig", "the router keeps the configuration itself" },
};

static const char *const section_name[] = { "", "[Interface]", "[Peer]" };

/* ---- lines ---- */

static bool section_line(struct parse *p, const char *s, size_t n)
{
	if (n == 11 && !strncasecmp(s, "[Interface]", n)) {
		if (p->interface_line)
			return fail(p, "a second [Interface] (the first is on line %d)",
				    p->interface_line);
		p->interface_line = p->line;
		p->section = SEC_INTERFACE;
	} else if (n == 6 && !strncasecmp(s, "[Peer]", n)) {
		if (p->peer_line)
			return fail(p, "a second [Peer] (the first is on line %d): a client has "
				    "one server", p->peer_line);
		p->peer_line = p->line;
		p->section = SEC_PEER;
	} else {
		char *t = xstrndup(s, n), q[64];

		quote(t, q, sizeof(q));
		free(t);
		return fail(p, "%s is not a section: [Interface] or [Peer]", q);
	}
	return true;
}

static bool key_line(struct parse *p, char *s)
{
	char *eq = strchr(s, '='), *key = s, *value, *end;
	const char *name;
	size_t i;

	if (p->section == SEC_NONE)
		return fail(p, "text outside a section: keys go under [Interface] or [Peer]");
	if (!eq) {
		char q[64];

		quote(s, q, sizeof(q));
		return fail(p, "\"%s\" is not key = value", q);
	}
	*eq = '\0';
	value = eq + 1;
	for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t');)
		*--end = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		if (!strcasecmp(key, refused[i].name))
			return fail(p, "%s is not supported: %s", refused[i].name, refused[i].why);
	for (i = 0; i < ARRAY_SIZE(key_defs); i++)
		if (!strcasecmp(key, key_defs[i].name))
			break;
	if (i == ARRAY_SIZE(key_defs)) {
		char q[64];

		quote(key, q, sizeof(q));
		return fail(p, "%s is not a key of a WireGuard file", *q ? q : "(nothing)");
	}
	name = key_defs[i].name;
	if (key_defs[i].section != p->section)
		return fail(p, "%s belongs in %s, not in %s", name,
			    section_name[key_defs[i].section], section_name[p->section]);
	if (key_defs[i].single && p->seen[i])
		return fail(p, "%s is given twice (first on line %d)", name, p->seen[i]);
	p->seen[i] = p->line;
	if (!*value)
		return fail(p, "%s has no value", name);
	return key_defs[i].read(p, name, value);
}

static bool line(struct parse *p, char *s)
{
	char *hash = strchr(s, '#'), *end;

	if (hash)
		*hash = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (!*s)
		return true;
	if (*s == '[')
		return section_line(p, s, (size_t)(end - s));
	return key_line(p, s);
}

/* the keys a section must have */
static bool complete(struct parse *p)
{
	static const struct {
		enum section section;
		const char *key, *field;
	} needed[] = {
		{ SEC_INTERFACE, "PrivateKey", "private_key" },
		{ SEC_INTERFACE, "Address", "addresses" },
		{ SEC_PEER, "PublicKey", "public_key" },
		{ SEC_PEER, "AllowedIPs", "allowed_ips" },
		{ SEC_PEER, "Endpoint", "endpoint" },
	};

	if (p->line < 1)
		p->line = 1;
	if (!p->interface_line)
		return fail(p, "no [Interface] section: the client's PrivateKey and Address go "
			    "there");
	if (!p->peer_line)
		return fail(p, "no [Peer] section: the server's PublicKey, AllowedIPs and "
			    "Endpoint go there");
	for (size_t i = 0; i < ARRAY_SIZE(needed); i++)
		if (!json_object_get(p->out, needed[i].field)) {
			p->line = needed[i].section == SEC_INTERFACE ? p->interface_line :
				  p->peer_line;
			return fail(p, "%s has no %s", section_name[needed[i].section],
				    needed[i].key);
		}
	return true;
}

json_t *wg_conf_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parse p = { .out = json_object(), .notes = json_array(), .err = err,
			   .errlen = errlen };
	char *copy, *s, *nl;
	bool ok = true;

	if (len > WG_CONF_MAX) {
		snprintf(err, errlen, "the file is %zu bytes: a WireGuard file is at most %d",
			 len, WG_CONF_MAX);
		json_decref(p.out);
		json_decref(p.notes);
		return NULL;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (s = copy; ok && s < copy + len; s = nl + 1) {
		nl = memchr(s, '\n', len - (size_t)(s - copy));
		if (!nl)
			nl = copy + len;
		*nl = '\0';
		p.line++;
		/* a NUL inside: not a text file (strlen would hide the rest) */
		if (strlen(s) != (size_t)(nl - s))
			ok = fail(&p, "a NUL byte: not a text file");
		else
			ok = line(&p, s);
	}
	sodium_memzero(copy, len);
	free(copy);
	if (ok)
		ok = complete(&p);
	if (!ok) {
		json_decref(p.out);
		json_decref(p.notes);
		return NULL;
	}
	if (json_array_size(p.notes))
		json_object_set(p.out, "notes", p.notes);
	json_decref(p.notes);
	return p.out;
}

/* ---- writing ---- */

static bool emit_fail(char *err, size_t errlen, const char *field, const json_t *v,
		      const char *what)
{
	char q[64];

	quote(json_is_string(v) ? json_string_value(v) : "(not text)", q, sizeof(q));
	snprintf(err, errlen, "%s \"%s\" is not %s", field, q, what);
	return false;
}

enum item_kind { ITEM_ADDRESS, ITEM_NETWORK, ITEM_IP, ITEM_NAME };

/* "a, b, c" of a list's items in canonical text; empty allowed when !need */
static bool emit_list(struct sbuf *b, const char *key, const json_t *conf, const char *field,
		      enum item_kind kind, bool need, bool *first, char *err, size_t errlen)
{
	static const char *const what[] = { "an IPv4 or IPv6 address with its length",
		"an IPv4 or IPv6 network without host bits", "an IPv4 or IPv6 address",
		"a domain name" };
	const json_t *l = json_object_get(conf, field), *v;
	size_t i;

	if (!l && !need)
		return true;
	if (!json_is_array(l) || (need && !json_array_size(l))) {
		snprintf(err, errlen, "%s is missing: a list of at least one entry", field);
		return false;
	}
	json_array_foreach(l, i, v) {
		struct net_prefix a;
		const char *s = json_string_value(v);
		char text[300];
		bool ok;

		if (!s)
			return emit_fail(err, errlen, field, v, what[kind]);
		switch (kind) {
		case ITEM_ADDRESS:
		case ITEM_NETWORK:
			ok = prefix_read(s, &a) && (kind == ITEM_ADDRESS || !net_prefix_host_bits(&a));
			if (ok)
				net_prefix_text(&a, true, text, sizeof(text));
			break;
		case ITEM_IP:
			ok = net_prefix_parse(s, 0, false, &a) == NET_OK;
			if (ok)
				net_prefix_text(&a, false, text, sizeof(text));
			break;
		default:
			ok = name_ok(s);
			snprintf(text, sizeof(text), "%s", s);
		}
		if (!ok)
			return emit_fail(err, errlen, field, v, what[kind]);
		if (*first)
			sbuf_printf(b, "%s = %s", key, text);
		else
			sbuf_printf(b, ", %s", text);
		*first = false;
	}
	return true;
}

static bool emit_key(struct sbuf *b, const char *key, const json_t *conf, const char *field,
		     bool need, bool secret, char *err, size_t errlen)
{
	const json_t *v = json_object_get(conf, field);

	if (!v && !need)
		return true;
	if (!json_is_string(v) || !wg_conf_key_ok(json_string_value(v))) {
		if (secret || !v) {
			snprintf(err, errlen, "%s is %s: 44 characters of base64, 32 bytes", field,
				 v ? "not a WireGuard key" : "missing");
			return false;
		}
		return emit_fail(err, errlen, field, v, "a WireGuard key: 44 characters of "
				 "base64, 32 bytes");
	}
	sbuf_printf(b, "%s = %s\n", key, json_string_value(v));
	return true;
}

static bool emit_number(struct sbuf *b, const char *key, const json_t *conf, const char *field,
			json_int_t lo, json_int_t hi, bool skip_zero, char *err, size_t errlen)
{
	const json_t *v = json_object_get(conf, field);
	json_int_t n;

	if (!v)
		return true;
	n = json_integer_value(v);
	if (!json_is_integer(v) || n < lo || n > hi) {
		snprintf(err, errlen, "%s is not a number from %lld to %lld", field, (long long)lo,
			 (long long)hi);
		return false;
	}
	if (n || !skip_zero)
		sbuf_printf(b, "%s = %lld\n", key, (long long)n);
	return true;
}

char *wg_conf_emit(const json_t *conf, char *err, size_t errlen)
{
	struct sbuf b;
	const json_t *ep = json_object_get(conf, "endpoint");
	char endpoint[300];
	bool first = true, ok;

	if (!json_is_object(conf)) {
		snprintf(err, errlen, "the configuration is not an object");
		return NULL;
	}
	sbuf_init(&b);
	sbuf_add(&b, "[Interface]\n");
	ok = emit_key(&b, "PrivateKey", conf, "private_key", true, true, err, errlen) &&
	     emit_list(&b, "Address", conf, "addresses", ITEM_ADDRESS, true, &first, err, errlen);
	if (ok) {
		sbuf_add(&b, "\n");
		first = true;
		ok = emit_list(&b, "DNS", conf, "dns", ITEM_IP, false, &first, err, errlen) &&
		     emit_list(&b, "DNS", conf, "dns_search", ITEM_NAME, false, &first, err,
			       errlen);
		if (ok && !first)
			sbuf_add(&b, "\n");
	}
	ok = ok && emit_number(&b, "MTU", conf, "mtu", WG_CONF_MTU_MIN, WG_CONF_MTU_MAX, false,
			       err, errlen);
	if (ok && json_is_true(json_object_get(conf, "static_port"))) {
		if (!json_object_get(conf, "listen_port")) {
			snprintf(err, errlen, "listen_port is missing: static_port needs it");
			ok = false;
		} else {
			ok = emit_number(&b, "ListenPort", conf, "listen_port", 1, 65535, false, err,
					 errlen);
		}
	}
	if (ok) {
		sbuf_add(&b, "\n[Peer]\n");
		ok = emit_key(&b, "PublicKey", conf, "public_key", true, false, err, errlen) &&
		     emit_key(&b, "PresharedKey", conf, "preshared_key", false, true, err, errlen);
	}
	first = true;
	ok = ok && emit_list(&b, "AllowedIPs", conf, "allowed_ips", ITEM_NETWORK, true, &first,
			     err, errlen);
	if (ok) {
		sbuf_add(&b, "\n");
		if (!json_is_string(ep) ||
		    !wg_conf_endpoint_ok(json_string_value(ep), endpoint, sizeof(endpoint)))
			ok = ep ? emit_fail(err, errlen, "endpoint", ep, "host:port ([IPv6]:port "
					    "for an IPv6 address)") :
				  (snprintf(err, errlen, "endpoint is missing"), false);
		else
			sbuf_printf(&b, "Endpoint = %s\n", endpoint);
	}
	ok = ok && emit_number(&b, "PersistentKeepalive", conf, "keepalive", 0, 65535, true, err,
			       errlen);
	if (!ok) {
		sodium_memzero(b.s, b.len);
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b);
}
