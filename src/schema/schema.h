/*
 * The configuration schema: C tables that describe every section of the
 * document (type, limits, default, help, flags), the validators of each
 * value type, and the walkers that fill defaults, validate a whole document
 * and export it as JSON Schema.
 */
#ifndef DIFOS_SCHEMA_H
#define DIFOS_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum sc_kind {
	SC_OBJECT,      /* fields: named members */
	SC_COLLECTION,  /* array of objects, each with an integer "id" */
	SC_LIST,        /* array of scalars of kind .item */
	SC_BOOL,
	SC_INT,         /* integer in [min, max] */
	SC_STRING,      /* length in [min, max], optional POSIX ERE .pattern */
	SC_ENUM,        /* one of .choices */
	SC_IPV4,        /* dotted quad */
	SC_IPV6,        /* RFC 4291 text form */
	SC_CIDR4,       /* a.b.c.d/len (a bare address means /32) */
	SC_CIDR6,       /* x::y/len (a bare address means /128) */
	SC_MAC,         /* aa:bb:cc:dd:ee:ff, stored lower case */
	SC_HOSTNAME,    /* one DNS label: letters, digits, hyphen, 1-63 */
	SC_FQDN,        /* dotted labels, 1-253 chars, no trailing dot */
	SC_PORT,        /* integer 1-65535 */
	SC_PORT_RANGE,  /* "N" or "N-M" with 1 <= N <= M <= 65535 */
	SC_DURATION,    /* "90s", "30m", "12h", "7d", "2w", plain seconds; "infinite" if SC_F_INFINITE */
	SC_RATE,        /* number of Mbps, > 0, <= max if max set */
	SC_REF,         /* integer id of an element of the collection at .ref */
	SC_DUID,        /* hex octets separated by ':' (DHCPv6 DUID), 2-130 octets */
	SC_IPV6_SUFFIX, /* interface identifier, e.g. "::42" or "::1:2" (host part only) */
	SC_IFNAME,      /* Linux interface name: 1-15 chars, no '/', ':' or space */
	SC_JSON,        /* any JSON value, checked by its user (a method's polymorphic parameter) */
	SC_TEXT,        /* a string that may hold line breaks (a PEM file, a request body) */
	SC_CIDR,        /* an IPv4 or an IPv6 network (a list of either: a WireGuard peer's) */
	SC_WG_KEY,      /* a WireGuard key: 44 characters of base64, 32 bytes */
	SC_ENDPOINT,    /* host:port: an IPv4 address, [IPv6] or a domain name; port 1-65535 */
	SC__KIND_COUNT
};

/* field flags */
#define SC_F_REQUIRED  0x01  /* must be present (collections: in every element) */
#define SC_F_SECRET    0x02  /* never returned by reads; written with 0600 */
#define SC_F_INFINITE  0x04  /* SC_DURATION: also accepts "infinite" */
#define SC_F_READONLY  0x08  /* set by the system (e.g. collection ids) */
#define SC_F_SEQUENCE  0x10  /* SC_INT in a collection element: a new entry without it
			      * gets one more than the largest in the collection (rule order) */
#define SC_F_UNIQUE    0x20  /* a collection member: no two entries hold the same value
			      * (compared as the kind compares: case, canonical address);
			      * a list: no item twice */

struct sc_error_list;

/* A tab of a page: the fields that name it show there together. */
struct sc_tab {
	const char *id;      /* in the page's address: #/bandwidth?tab=sqm */
	const char *title;
};

/* A field shown (in forms) only while a sibling has one of some values. */
struct sc_when {
	const char *field;              /* the sibling's name */
	const char *const *values;      /* NULL-terminated; an absent sibling has its default */
};

/*
 * Cross-field check of one object (a section, or one collection element).
 * `obj` is the object, `path` its path ("lan", "dhcp.static_leases[3]"),
 * `doc` the whole document (for references and cross-section rules).
 */
typedef void (*sc_check_fn)(const json_t *obj, const char *path,
			    const json_t *doc, struct sc_error_list *errs);

struct sc_field {
	const char *name;
	enum sc_kind kind;
	enum sc_kind item;             /* SC_LIST: kind of each item */
	unsigned flags;
	long long min, max;            /* INT/PORT range, STRING length, LIST/COLLECTION size; 0,0 = none */
	const char *def;               /* default as JSON text ("true", "24", "\"lan\"", "[]") or NULL */
	/* the default a field had before it became required (JSON text): an
	 * entry stored without it keeps the meaning it had; never given to a
	 * new entry (schema_upgrade) */
	const char *stored_def;
	const char *help;              /* one line shown by the GUI and the CLI */
	const char *const *choices;    /* SC_ENUM: NULL-terminated */
	const char *const *labels;     /* SC_ENUM: what forms show for each choice, in its order */
	const char *pattern;           /* SC_STRING: POSIX extended regex, anchored by the checker */
	const char *pattern_says;      /* what a value not matching it is told, after the value
					* ("is not an alias name: a letter, then ..."); default: the pattern */
	const char *ref;               /* SC_REF: path of the referenced collection */
	const struct sc_field *fields; /* OBJECT/COLLECTION members, terminated by { .name = NULL } */
	sc_check_fn check;             /* OBJECT/COLLECTION element cross-field check */
	const char *title;             /* human label; defaults to name */
	/* unique across every field naming the same set (e.g. the names of
	 * both kinds of firewall alias), not only in its own collection */
	const char *unique;
	const char *unique_says;       /* how a duplicate is told (default "is already used by") */
	/*
	 * SC_COLLECTION: members whose values together no two entries may
	 * share (a route's target, metric and table: the kernel's key of a
	 * route), compared as their kinds compare; an absent one counts as its
	 * default. A duplicate is reported on the first member, worded by the
	 * collection's unique_says with "{member}" replaced by that member's
	 * value (default: "with <member> <value>, ... is already used by").
	 */
	const char *const *unique_key;
	struct sc_when when;           /* shown only when ... (forms) */
	const struct sc_tab *tab;      /* the tab of its page it shows on (a section, or its member) */
	/* a value made once, at the first start, for this router only (JSON
	 * text, malloc'd; the LAN's ULA prefix): it is then the field's
	 * default (config/generated.c) */
	char *(*generate)(void);
};

/* ---- errors ---- */

struct sc_error {
	char *path;     /* "lan.dhcp.start" */
	char *value;    /* the offending value as text, or NULL */
	char *message;  /* full sentence: "lan.dhcp.start: 192.168.2.10 is outside 192.168.1.0/24" */
};

struct sc_error_list {
	struct sc_error *v;
	size_t n, cap;
};

void sc_errors_init(struct sc_error_list *e);
void sc_errors_free(struct sc_error_list *e);
/* Adds "<path>: <value> <reason>" (value omitted when NULL). */
void sc_error_add(struct sc_error_list *e, const char *path, const char *value,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Same, quoting a JSON value as text. */
void sc_error_addj(struct sc_error_list *e, const char *path, const json_t *value,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
json_t *sc_errors_to_json(const struct sc_error_list *e);

/* ---- kinds.c (and check_*.c, coerce.c): scalar value kinds ---- */

const char *sc_kind_name(enum sc_kind k);

/*
 * Checks one scalar JSON value against the field (kind, limits, pattern,
 * choices). On failure writes a reason that follows the quoted value, e.g.
 * "is not a valid IPv4 address", "is above the maximum 65535", into why.
 * For SC_LIST fields pass the list field and one item: the item kind is used.
 * SC_REF is checked for shape only (positive integer); resolution is done by
 * the document walker.
 */
bool sc_check_scalar(const struct sc_field *f, enum sc_kind kind, const json_t *v,
		     char *why, size_t whylen);
/* The reader of kind SC_PORT_RANGE's text: "N" or "N-M", 1 <= N <= M <=
 * 65535 in plain decimal (no sign, no leading zero); false when not. */
bool sc_port_range_parse(const char *s, long *lo, long *hi);

/*
 * Turns CLI text into a typed JSON value for the field ("24" -> 24,
 * "on" -> true, "a,b" -> ["a","b"] for lists, JSON text accepted too).
 * Returns NULL and writes a reason when the text cannot be that type.
 * The result is not yet range-checked: pass it to the validator.
 */
json_t *sc_coerce_text(const struct sc_field *f, const char *text, char *why, size_t whylen);

/* check_wg.c: the VPN kinds' tests, for the parsers of VPN files too */
/* exactly the base64 of 32 bytes, canonical (44 characters) */
bool sc_wg_key_ok(const char *s);
/* SC_ENDPOINT's text: the host (without brackets) and the port */
bool sc_endpoint_split(const char *s, char *host, size_t hostlen, unsigned *port);
/* a domain name: labels of letters, digits and '-', the last not all digits */
bool sc_domain_ok(const char *s);

/* The kinds as the GUI checks them: {kind: {type, pattern, hint, rules}} (kinds.c). */
json_t *sc_kinds_export(void);

/* Seconds of a duration. */
long long sc_duration_seconds(const char *s); /* -1 for "infinite", -2 if invalid */

/* ---- schema.c: the document ---- */

/* The root object: one field per section, built from the feature table. */
const struct sc_field *schema_root(void);
void schema_set_root(const struct sc_field *root);

/* The member of an object or collection field by name, or NULL. */
const struct sc_field *schema_member(const struct sc_field *obj, const char *name);
/* Field at a path ("lan.dhcp.start", "dhcp.static_leases[3].ip", "dhcp.static_leases"). */
const struct sc_field *schema_lookup(const char *path);

/* From now on, json_text is f's default (a value generated at first start,
 * f->generate's: config/generated.c). */
void schema_set_generated(const struct sc_field *f, const char *json_text);

/* A document holding only defaults (revision 0). */
json_t *schema_defaults(void);
/* Adds missing defaulted members in place (objects and every collection
 * element): for a document given as input (a change, a file to check). */
void schema_fill_defaults(json_t *doc);
/* The same for a document read from the store (a revision, the staged
 * one), which may predate the schema: also the stored_def of members that
 * became required, so that what was stored keeps its meaning. */
void schema_upgrade(json_t *doc);
/*
 * The schema's version: a number raised when a document of the version
 * before cannot be read as it is (a section renamed or moved, a value's
 * meaning changed) and a step of schema_migrate carries it over. A field
 * added with a default, or one that keeps a stored_def, needs no new
 * version: schema_upgrade fills it. Backups record it (manifest.json).
 */
#define SCHEMA_VERSION 1
/* Carries doc (in place) from version `from` to SCHEMA_VERSION, one step per
 * version; then schema_upgrade fills what a step leaves out. 0, or -1 when
 * `from` is newer than this difos or no step reads it. */
int schema_migrate(json_t *doc, int from);
/* true when schema_upgrade would change nothing */
bool schema_has_defaults(const json_t *doc);
/* Full validation: types, limits, unknown keys, required, references, cross-field checks. */
void schema_validate(const json_t *doc, struct sc_error_list *errs);
/* doc with SC_F_SECRET values replaced by "********" (for reads and diffs),
 * a new reference. Only the objects and arrays holding a secret are
 * copied; the rest is doc's own (doc itself when it holds none), so the
 * result is read-only like doc. */
json_t *schema_mask_secrets(const json_t *doc);
/* JSON Schema (draft 2020-12) of the root, with x-difos-kind annotations. */
json_t *schema_export(void);
/* JSON Schema of one field (an object of fields: its properties). */
json_t *schema_export_of(const struct sc_field *f);

#endif
