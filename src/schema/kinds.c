/*
 * The table of value kinds: one row per kind, read by the validator, the
 * text reader, the JSON Schema export, the uniqueness check and (through
 * difosd --print-kinds) the GUI's forms. A kind is added here and nowhere
 * else.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "schema/kind_int.h"

/* the forms of the text, shared by POSIX ERE (the tests check it) and ECMAScript (the GUI) */
#define DEC_OCTET "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#define V4 DEC_OCTET "(\\." DEC_OCTET "){3}"
#define H "[0-9A-Fa-f]{1,4}"
#define V6 "((" H ":){7}" H "|(" H ":){1,7}:|(" H ":){1,6}:" H "|(" H ":){1,5}(:" H "){1,2}" \
	"|(" H ":){1,4}(:" H "){1,3}|(" H ":){1,3}(:" H "){1,4}|(" H ":){1,2}(:" H "){1,5}" \
	"|" H ":(:" H "){1,6}|:((:" H "){1,7}|:)" \
	"|(" H ":){6}" V4 "|::(" H ":){0,5}" V4 "|" H "::(" H ":){0,4}" V4 \
	"|(" H ":){2}:(" H ":){0,3}" V4 "|(" H ":){3}:(" H ":){0,2}" V4 \
	"|(" H ":){4}:(" H ":){0,1}" V4 "|(" H ":){5}:" V4 ")"
#define LABEL "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#define INTEGER "-?[0-9]+"
#define PORT_TEXT "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]" \
	"|6553[0-5])"

static bool check_object(const struct sc_field *f, bool limits, const json_t *v, char *why,
			 size_t whylen)
{
	(void)f;
	(void)limits;
	return json_is_object(v) ? true : sc_fail(why, whylen, "is not an object");
}

static bool check_array(const struct sc_field *f, bool limits, const json_t *v, char *why,
			size_t whylen)
{
	(void)f;
	(void)limits;
	return json_is_array(v) ? true : sc_fail(why, whylen, "is not an array");
}

static bool check_any(const struct sc_field *f, bool limits, const json_t *v, char *why,
		      size_t whylen)
{
	(void)f;
	(void)limits;
	(void)v;
	(void)why;
	(void)whylen;
	return true;
}

/* ---- JSON Schema keys besides type, format and pattern ---- */

static void export_range(json_t *o, const struct sc_field *f, const char *lo, const char *hi)
{
	if (f->min || f->max) {
		json_object_set_new(o, lo, json_integer(f->min));
		if (f->max)
			json_object_set_new(o, hi, json_integer(f->max));
	}
}

static void export_int(json_t *o, const struct sc_field *f, bool item)
{
	if (!item)
		export_range(o, f, "minimum", "maximum");
}

static void export_port(json_t *o, const struct sc_field *f, bool item)
{
	json_object_set_new(o, "minimum", json_integer(f->min && !item ? f->min : 1));
	json_object_set_new(o, "maximum", json_integer(f->max && !item ? f->max : 65535));
}

static void export_ref(json_t *o, const struct sc_field *f, bool item)
{
	(void)item;
	json_object_set_new(o, "minimum", json_integer(1));
	if (f->ref)
		json_object_set_new(o, "x-difos-ref", json_string(f->ref));
}

static void export_rate(json_t *o, const struct sc_field *f, bool item)
{
	json_object_set_new(o, "exclusiveMinimum", json_integer(0));
	if (f->max && !item)
		json_object_set_new(o, "maximum", json_integer(f->max));
}

static void export_enum(json_t *o, const struct sc_field *f, bool item)
{
	/* the words go with the values (x-difos-labels): a value stays what
	 * the API takes, its label is what a person reads */
	json_t *e = json_array(), *labels = f->labels ? json_object() : NULL;
	size_t i = 0;

	(void)item;
	for (const char *const *c = f->choices; c && *c; c++, i++) {
		json_array_append_new(e, json_string(*c));
		if (labels && f->labels[i])
			json_object_set_new(labels, *c, json_string(f->labels[i]));
	}
	json_object_set_new(o, "enum", e);
	if (labels)
		json_object_set_new(o, "x-difos-labels", labels);
}

static void export_string(json_t *o, const struct sc_field *f, bool item)
{
	if (!item)
		export_range(o, f, "minLength", "maxLength");
	if (f->pattern) {
		char *p = xasprintf("^(%s)$", f->pattern);
		json_object_set_new(o, "pattern", json_string(p));
		free(p);
	}
	if (f->pattern_says)
		json_object_set_new(o, "x-difos-pattern-says", json_string(f->pattern_says));
}

static void export_text(json_t *o, const struct sc_field *f, bool item)
{
	if (f->max && !item)
		json_object_set_new(o, "maxLength", json_integer(f->max));
}

static void export_hostname(json_t *o, const struct sc_field *f, bool item)
{
	(void)f;
	(void)item;
	json_object_set_new(o, "maxLength", json_integer(63));
}

static void export_fqdn(json_t *o, const struct sc_field *f, bool item)
{
	(void)f;
	(void)item;
	json_object_set_new(o, "maxLength", json_integer(253));
}

/* "infinite" is a duration only where the field says so */
static void export_duration(json_t *o, const struct sc_field *f, bool item)
{
	(void)item;
	json_object_set_new(o, "pattern", json_string((f->flags & SC_F_INFINITE) ?
		"^([0-9]+[smhdw]?|infinite)$" : "^([0-9]+[smhdw]?)$"));
}

/* ---- keys of uniqueness ---- */

static void key_lower(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

static void key_mac(const char *s, char *out, size_t outlen)
{
	unsigned char m[6];

	if (sc_mac_parse(s, m))
		snprintf(out, outlen, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
			 m[5]);
	else
		key_lower(s, out, outlen);
}

#define NONE { { NULL } }

static const struct sc_kind_def sc_kinds[SC__KIND_COUNT] = {
	[SC_OBJECT] = { "object", "object", NULL, NULL, NULL, NONE, check_object, sc_read_object },
	[SC_COLLECTION] = { "collection", "array", NULL, NULL, NULL, NONE, check_array, sc_read_json },
	[SC_LIST] = { "list", "array", NULL, NULL, NULL, NONE, check_array, sc_read_json },
	[SC_BOOL] = { "bool", "boolean", NULL, NULL, "Must be true or false", NONE, sc_check_bool,
		      sc_read_bool },
	[SC_INT] = { "int", "integer", NULL, INTEGER, "Must be a whole number", NONE, sc_check_int,
		     sc_read_integer, export_int },
	[SC_STRING] = { "string", "string", NULL, NULL, NULL, NONE, sc_check_string, sc_read_string,
			export_string },
	[SC_ENUM] = { "enum", "string", NULL, NULL, NULL,
		      { { "enum", "Must be one of: {choices}" } }, sc_check_enum, sc_read_string,
		      export_enum },
	[SC_IPV4] = { "ipv4", "string", "ipv4", V4, "Not a valid IPv4 address (e.g. 192.168.1.1)",
		      NONE, sc_check_ipv4, sc_read_string, NULL, sc_key_address },
	[SC_IPV6] = { "ipv6", "string", "ipv6", V6, "Not a valid IPv6 address (e.g. 2001:db8::1)",
		      NONE, sc_check_ipv6, sc_read_string, NULL, sc_key_address },
	[SC_CIDR4] = { "cidr4", "string", NULL, V4 "(/(3[0-2]|[12]?[0-9]))?",
		       "Not a valid IPv4 network (a.b.c.d or a.b.c.d/len, len 0-32)", NONE,
		       sc_check_cidr4, sc_read_string, NULL, sc_key_network },
	[SC_CIDR6] = { "cidr6", "string", NULL, V6 "(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?",
		       "Not a valid IPv6 network (x::y or x::y/len, len 0-128)", NONE,
		       sc_check_cidr6, sc_read_string, NULL, sc_key_network },
	[SC_MAC] = { "mac", "string", NULL,
		     "[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}",
		     "Not a valid MAC address (aa:bb:cc:dd:ee:ff)",
		     { { "nonzero", "The all-zero MAC address is not allowed" } }, sc_check_mac,
		     sc_read_mac, NULL, key_mac },
	[SC_HOSTNAME] = { "hostname", "string", "hostname", LABEL,
			  "Not a valid host name (1-63 letters, digits or '-', not at either end)",
			  NONE, sc_check_hostname, sc_read_string, export_hostname, key_lower },
	[SC_FQDN] = { "fqdn", "string", "hostname", LABEL "(\\." LABEL ")*",
		      "Not a valid domain name (e.g. example.com)", NONE, sc_check_fqdn,
		      sc_read_string, export_fqdn, key_lower },
	[SC_PORT] = { "port", "integer", NULL, INTEGER, "Must be a whole number",
		      { { "port", "Must be a port between {min} and {max}" } }, sc_check_port,
		      sc_read_integer, export_port },
	[SC_PORT_RANGE] = { "port_range", "string", NULL, "[0-9]+(-[0-9]+)?",
			    "Not a valid port range (N or N-M, 1-65535)",
			    { { "ports", "Not a valid port range (N or N-M, 1-65535)" },
			      { "ordered", "The start of the range is above its end" } },
			    sc_check_port_range, sc_read_string },
	[SC_DURATION] = { "duration", "string", NULL, "[0-9]+[smhdw]?|infinite",
			  "Not a valid duration (e.g. 90s, 30m, 12h, 7d, 2w)",
			  { { "positive", "Must be a positive duration" },
			    { "seconds_max", "Must be at most 10 years", SC_DURATION_MAX },
			    { "finite", "Must be a finite duration" } },
			  sc_check_duration, sc_read_string, export_duration },
	[SC_RATE] = { "rate", "number", NULL, "[0-9]+(\\.[0-9]+)?", "Must be a number (Mbps)",
		      { { "positive", "Must be a positive rate (above 0)" } }, sc_check_rate,
		      sc_read_number, export_rate },
	[SC_REF] = { "ref", "integer", NULL, INTEGER, "Must be a whole number",
		     { { "positive", "Must be a positive number" } }, sc_check_ref, sc_read_integer,
		     export_ref },
	[SC_DUID] = { "duid", "string", NULL, "[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){1,129}",
		      "Not a valid DUID (2-130 hex octets separated by ':')", NONE, sc_check_duid,
		      sc_read_string, NULL, key_lower },
	[SC_IPV6_SUFFIX] = { "ipv6_suffix", "string", NULL, V6,
			     "Not a valid IPv6 interface identifier (e.g. ::42)",
			     { { "suffix", "Not a valid IPv6 interface identifier (e.g. ::42)" },
			       { "nonzero", "The all-zero interface identifier is not allowed" } },
			     sc_check_ipv6_suffix, sc_read_string, NULL, sc_key_address },
	[SC_IFNAME] = { "ifname", "string", NULL, "[^/: ]{3,15}|[^/: .][^/: ]?|\\.[^/: .]",
			"Not a valid interface name (1-15 characters, no '/', ':' or spaces)", NONE,
			sc_check_ifname, sc_read_string },
	[SC_JSON] = { "json", NULL, NULL, NULL, NULL, NONE, check_any, sc_read_any },
	[SC_TEXT] = { "text", "string", NULL, NULL, NULL, NONE, sc_check_text, sc_read_string,
		      export_text },
	[SC_CIDR] = { "cidr", "string", NULL, V4 "(/(3[0-2]|[12]?[0-9]))?|" V6
		      "(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?",
		      "Not a valid IPv4 or IPv6 network (a.b.c.d/len or x::y/len)", NONE,
		      sc_check_cidr, sc_read_string, NULL, sc_key_network },
	/* the last character before '=' carries 2 unused bits, 0 in a key's own text */
	[SC_WG_KEY] = { "wg_key", "string", NULL, "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=",
			"Not a WireGuard key (44 characters of base64, 32 bytes)", NONE,
			sc_check_wg_key, sc_read_string },
	[SC_ENDPOINT] = { "endpoint", "string", NULL, "(" V4 "|\\[" V6 "\\]|" LABEL "(\\." LABEL
			  ")*):" PORT_TEXT,
			  "Not host:port (an IPv4 address, [IPv6] or a domain name; port 1-65535)",
			  NONE, sc_check_endpoint, sc_read_string, NULL, key_lower },
};

const struct sc_kind_def *sc_kind_def(enum sc_kind k)
{
	return (unsigned)k < SC__KIND_COUNT && sc_kinds[k].name ? &sc_kinds[k] : &sc_kinds[SC_JSON];
}

const char *sc_kind_name(enum sc_kind k)
{
	return (unsigned)k < SC__KIND_COUNT && sc_kinds[k].name ? sc_kinds[k].name : "unknown";
}

bool sc_check_scalar(const struct sc_field *f, enum sc_kind kind, const json_t *v, char *why,
		     size_t whylen)
{
	if (why && whylen)
		why[0] = '\0';
	if (!v)
		return sc_fail(why, whylen, "is missing");
	if ((unsigned)kind >= SC__KIND_COUNT || !sc_kinds[kind].check)
		return sc_fail(why, whylen, "has an unknown type");
	/* f->min/max belong to the list itself when checking one of its items */
	return sc_kinds[kind].check(f, kind == f->kind, v, why, whylen);
}

json_t *sc_kind_export(const struct sc_field *f, enum sc_kind kind, bool item)
{
	const struct sc_kind_def *k = sc_kind_def(kind);
	json_t *o = json_object();

	json_object_set_new(o, "x-difos-kind", json_string(k->name));
	if (k->json_type)
		json_object_set_new(o, "type", json_string(k->json_type));
	if (k->format)
		json_object_set_new(o, "format", json_string(k->format));
	if (k->pattern) {
		char *p = xasprintf("^(%s)$", k->pattern);
		json_object_set_new(o, "pattern", json_string(p));
		free(p);
	}
	if (k->export)
		k->export(o, f, item);
	return o;
}

void sc_kind_key(enum sc_kind kind, const json_t *v, char *out, size_t outlen)
{
	const struct sc_kind_def *k = sc_kind_def(kind);
	char *text;

	if (json_is_string(v) && k->key) {
		k->key(json_string_value(v), out, outlen);
		return;
	}
	text = json_is_string(v) ? xstrdup(json_string_value(v)) :
				   json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	snprintf(out, outlen, "%s", text ? text : "");
	free(text);
}

json_t *sc_kinds_export(void)
{
	json_t *all = json_object();

	for (size_t i = 0; i < SC__KIND_COUNT; i++) {
		const struct sc_kind_def *k = &sc_kinds[i];
		json_t *o = json_object(), *rules = json_array();

		if (!k->name)
			continue;
		if (k->json_type)
			json_object_set_new(o, "type", json_string(k->json_type));
		if (k->pattern)
			json_object_set_new(o, "pattern", json_string(k->pattern));
		if (k->hint)
			json_object_set_new(o, "hint", json_string(k->hint));
		for (size_t r = 0; r < SC_RULES_MAX && k->rules[r].name; r++) {
			json_t *rule = json_pack("{s:s, s:s}", "rule", k->rules[r].name, "message",
						 k->rules[r].message);
			if (k->rules[r].value)
				json_object_set_new(rule, "value", json_integer(k->rules[r].value));
			json_array_append_new(rules, rule);
		}
		json_object_set_new(o, "rules", rules);
		json_object_set_new(all, k->name, o);
	}
	return all;
}
