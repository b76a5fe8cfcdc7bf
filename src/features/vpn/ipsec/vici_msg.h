/*
 * strongSwan's vici wire protocol: packets and messages, as bytes and as
 * JSON. A message is a tree of sections, key-values and lists of values;
 * here a section is a JSON object (members in the order they came), a
 * key-value a string, a list an array of strings. Encoding and parsing are
 * pure (no I/O): the parser reads what charon sends and is fuzzed
 * (tests/fuzz/fuzz_vici.c).
 *
 * On the socket each packet is a 32-bit big-endian length, then the
 * packet: one byte of type, a name (one byte of length, then the bytes)
 * for the named types, then the message.
 */
#ifndef DIFOS_VICI_MSG_H
#define DIFOS_VICI_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

/* packet types */
enum vici_type {
	VICI_CMD_REQUEST = 0,      /* named: the command */
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,   /* named: the event */
	VICI_EVENT_UNREGISTER = 4, /* named */
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,            /* named */
};

/* message elements */
enum vici_elem {
	VICI_SECTION_START = 1,  /* name */
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,      /* name, 16-bit length, value */
	VICI_LIST_START = 4,     /* name */
	VICI_LIST_ITEM = 5,      /* 16-bit length, value */
	VICI_LIST_END = 6,
};

/* charon refuses bigger packets; a reply bigger than this is refused too */
#define VICI_PACKET_MAX (512 * 1024)
/* sections nested deeper than this are refused (charon's own go 5 deep) */
#define VICI_DEPTH_MAX 16

/* Is the type one that carries a name? */
bool vici_type_named(int type);

/*
 * Appends the packet, its 4-byte length first, to out: type, name (for
 * the named types) and msg (an object, or NULL for none). Members of msg
 * that are objects become sections, strings key-values, arrays of strings
 * lists; integers and booleans are written as their text ("yes"/"no").
 * Returns 0, or -1 with the reason in err (a name over 255 bytes, a value
 * over 65535, a member of another kind).
 */
int vici_encode(struct sbuf *out, int type, const char *name, const json_t *msg,
		char *err, size_t errlen);

/*
 * Parses one packet (without its length prefix): *type, the name into name
 * (NUL-terminated, "" when the type has none), the message into *msg (a
 * new object; an empty one when there is none). Bytes of values other than
 * printable ASCII become '?' (the values shown are identities, addresses,
 * states). Returns 0, or -1 with the reason in err.
 */
int vici_parse(const unsigned char *p, size_t len, int *type, char name[256], json_t **msg,
	       char *err, size_t errlen);

#endif
