/*
 * wg-quick files, read and written: the "Import Config" of a WireGuard
 * client and the configuration a server gives each of its peers.
 *
 * The parsed form is a JSON object with the field names of the WireGuard
 * client's schema (wg_clients), so an import fills the form as it is:
 *   private_key, addresses[], dns[], dns_search[], mtu, static_port,
 *   listen_port, public_key, preshared_key, allowed_ips[], endpoint,
 *   keepalive, and notes[] (what the import changed, by line).
 * A key the file does not give is left out (the form keeps its default).
 * Addresses and networks come back in canonical text ("fc00::3/128"); an
 * AllowedIPs entry with host bits comes back as its network, with a note.
 * Names in DNS= are search domains to wg-quick: they are kept in
 * dns_search, the addresses in dns.
 *
 * Errors say "line N: <key> ...": the line, the key and the value (never a
 * key's secret text: a private or preshared key is named by its length).
 */
#ifndef DIFOS_FEATURES_VPN_WG_CONF_H
#define DIFOS_FEATURES_VPN_WG_CONF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* the largest file read (a client's file is a few hundred bytes) */
#define WG_CONF_MAX (64 * 1024)
#define WG_CONF_MTU_MIN 1280
#define WG_CONF_MTU_MAX 1500

/* text of len bytes (need not end with a NUL) -> the form's values, or
 * NULL with the reason in err. */
json_t *wg_conf_parse(const char *text, size_t len, char *err, size_t errlen);

/* A client's file from the same object as wg_conf_parse gives (its notes
 * and unknown members are ignored): [Interface] PrivateKey, Address, DNS,
 * MTU (when given), ListenPort (when static_port); [Peer] PublicKey,
 * PresharedKey (when given), AllowedIPs, Endpoint, PersistentKeepalive
 * (when above 0: 0 is off, the same as no line). Each value is checked
 * as the parser checks it, so the text always parses back to the same
 * values. LF line ends, wg-quick's order. NULL with the reason in err (the field and its value). */
char *wg_conf_emit(const json_t *conf, char *err, size_t errlen);

/* "host:port" of an endpoint, IPv6 in brackets; false when host is not an
 * address or a name, or port is not 1..65535. */
bool wg_conf_endpoint_text(const char *host, unsigned port, char *out, size_t outlen);

/* Checks of single values: */
/* exactly the base64 of 32 bytes, canonical (44 characters) */
bool wg_conf_key_ok(const char *s);
/* host:port, [IPv6]:port or name:port; the canonical text in out when
 * out is not NULL */
bool wg_conf_endpoint_ok(const char *s, char *out, size_t outlen);

#endif
