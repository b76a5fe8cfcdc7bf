/*
 * hostapd's control-socket replies, read as outside data: a station as
 * STA-FIRST and STA-NEXT answer it (its MAC on the first line, then
 * key=value lines: flags=[AUTH][ASSOC]..., signal=-52, rx_rate_info=1733
 * mcs 9 ... in units of 100 kbit/s, connected_time=..., rx_bytes=...),
 * and the key=value lines of STATUS. Pure: no I/O, bounded by the reply's
 * length, a NUL byte or a malformed MAC refuses the reply.
 */
#ifndef DIFOS_HAPD_PARSE_H
#define DIFOS_HAPD_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest reply read (hostapd answers at most 4096 bytes). */
#define HAPD_REPLY_MAX 16384

enum hapd_sta_result {
	HAPD_STA_END = 0,    /* the empty reply: no (further) station */
	HAPD_STA_ONE = 1,    /* one station in *out */
	HAPD_STA_BAD = -1,   /* FAIL, or not a station's reply */
};

/*
 * One station: *out gets {mac, flags: [..], authorized, signal, rx_rate,
 * tx_rate (Mbit/s), rx_mcs?, tx_mcs?, connected_time (s), inactive_ms,
 * rx_bytes, tx_bytes}, each number only when hostapd gave a valid one.
 */
enum hapd_sta_result hapd_parse_sta(const char *buf, size_t len, json_t **out);

/* The value of key in key=value lines, copied into out (false when absent,
 * or when the reply holds a NUL byte). */
bool hapd_kv(const char *buf, size_t len, const char *key, char *out, size_t outlen);

/* DENY_ACL SHOW's answer ("02:00:00:00:01:02 VLAN_ID=0" per line): the
 * MACs in lower case, a new array; NULL when the reply holds a NUL byte or
 * a line that does not start with a MAC. */
json_t *hapd_parse_acl(const char *buf, size_t len);

/* Is s a MAC as hostapd writes it (six lower- or upper-case hex pairs)? */
bool hapd_mac_ok(const char *s, size_t len);

#endif
