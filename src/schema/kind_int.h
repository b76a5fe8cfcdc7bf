/*
 * The value kinds, one row each (kinds.c): how a value of the kind is
 * checked, read from text, exported as JSON Schema, compared for
 * uniqueness, and what a form says of it. The GUI's checks are made from
 * the same rows (difosd --print-kinds -> gui/src/kinds.gen.ts). This
 * header is the schema folder's own.
 */
#ifndef DIFOS_SCHEMA_KIND_INT_H
#define DIFOS_SCHEMA_KIND_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema/schema.h"

#define SC_DURATION_MAX (10LL * 365 * 86400)	/* ten years */
#define SC_IFNAME_MAX 15			/* IFNAMSIZ - 1 */
#define SC_RULES_MAX 3

/* What a form checks besides the pattern; the GUI knows each by name. */
struct sc_rule {
	const char *name;     /* "nonzero", "ordered", "port", ... */
	const char *message;  /* what the form says; {min} and {max} are the field's limits */
	long long value;      /* a number the rule needs (a maximum), or 0 */
};

typedef bool (*sc_check_fn_t)(const struct sc_field *f, bool limits, const json_t *v, char *why,
			      size_t whylen);
typedef json_t *(*sc_read_fn)(const char *text, char *why, size_t whylen);

struct sc_kind_def {
	const char *name;        /* x-difos-kind */
	const char *json_type;   /* JSON Schema type (NULL: any) */
	const char *format;      /* JSON Schema format, or NULL */
	/* the text's form, in the regular expressions POSIX ERE and ECMAScript
	 * share (no lookaround, no back references); NULL: none */
	const char *pattern;
	const char *hint;        /* what a form says when the text does not fit */
	struct sc_rule rules[SC_RULES_MAX];
	sc_check_fn_t check;     /* the daemon's own check of a value (authoritative) */
	sc_read_fn read;         /* text -> value (difosctl, query strings) */
	/* JSON Schema keys besides type, format and pattern (limits, choices);
	 * item: the field is a list and this its item */
	void (*export)(json_t *o, const struct sc_field *f, bool item);
	/* the text two values compare by when they must be unique (NULL: as written) */
	void (*key)(const char *s, char *out, size_t outlen);
};

const struct sc_kind_def *sc_kind_def(enum sc_kind k);
/* JSON Schema of a value of the kind (item: one item of the list f) */
json_t *sc_kind_export(const struct sc_field *f, enum sc_kind kind, bool item);
/* The text v compares by when it must be unique. */
void sc_kind_key(enum sc_kind kind, const json_t *v, char *out, size_t outlen);

/* check_text.c */
bool sc_fail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *sc_string_of(const json_t *v, char *why, size_t whylen);
bool sc_is_hex(char c);
int sc_hex_val(char c);
bool sc_match_pattern(const char *pattern, const char *s, char *why, size_t whylen);
bool sc_mac_parse(const char *s, unsigned char out[6]);
bool sc_check_string(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_enum(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_mac(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_hostname(const struct sc_field *f, bool limits, const json_t *v, char *why,
		       size_t whylen);
bool sc_check_fqdn(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_duid(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_ifname(const struct sc_field *f, bool limits, const json_t *v, char *why,
		     size_t whylen);
bool sc_check_text(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);

/* check_number.c */
/*
 * Effective numeric bounds of a field. A lone min (max left at 0 while
 * min > 0) means "no upper bound": {.min = 1} must not collapse the range
 * to [1, 0].
 */
struct sc_range {
	bool has_lo, has_hi;
	long long lo, hi;
};
struct sc_range sc_field_range(const struct sc_field *f, bool apply);
bool sc_check_bool(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_int(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_port(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_port_range(const struct sc_field *f, bool limits, const json_t *v, char *why,
			 size_t whylen);
bool sc_check_duration(const struct sc_field *f, bool limits, const json_t *v, char *why,
		       size_t whylen);
bool sc_check_rate(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_ref(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);

/* check_addr.c */
bool sc_check_ipv4(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_ipv6(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_cidr4(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_cidr6(const struct sc_field *f, bool limits, const json_t *v, char *why, size_t whylen);
bool sc_check_ipv6_suffix(const struct sc_field *f, bool limits, const json_t *v, char *why,
			  size_t whylen);
/* the canonical text of an address or network (for uniqueness) */
void sc_key_address(const char *s, char *out, size_t outlen);
/* CIDR kinds: a bare address and its /32 (/128) are one network */
void sc_key_network(const char *s, char *out, size_t outlen);

/* check_wg.c */
bool sc_check_wg_key(const struct sc_field *f, bool limits, const json_t *v, char *why,
		     size_t whylen);
bool sc_check_cidr(const struct sc_field *f, bool limits, const json_t *v, char *why,
		   size_t whylen);
bool sc_check_endpoint(const struct sc_field *f, bool limits, const json_t *v, char *why,
		       size_t whylen);

/* coerce.c: readers of text */
json_t *sc_read_integer(const char *text, char *why, size_t whylen);
json_t *sc_read_number(const char *text, char *why, size_t whylen);
json_t *sc_read_bool(const char *text, char *why, size_t whylen);
json_t *sc_read_json(const char *text, char *why, size_t whylen);
json_t *sc_read_object(const char *text, char *why, size_t whylen);
json_t *sc_read_string(const char *text, char *why, size_t whylen);
json_t *sc_read_mac(const char *text, char *why, size_t whylen);
json_t *sc_read_any(const char *text, char *why, size_t whylen);

#endif
