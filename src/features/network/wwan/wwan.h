/*
 * WWAN (the LTE modem): the feature's own header, shared by its files.
 *
 * wwan.c       the settings, render, apply, status
 * wwan_modem.c the modem's control over AT commands on the loop (at_port)
 * wwan_link.c  the data path: the network device, its DHCP client's
 *              events (wwan.dhcp_event), the routes in WWAN's own table
 *              and the uplink published to the features that follow it
 * wwan_mm.c    ModemManager as the backend when it owns the modem (mmcli)
 * wwan_pin.c   the refused PIN, remembered across restarts
 */
#ifndef DIFOS_WWAN_H
#define DIFOS_WWAN_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/rpc.h"

struct feature_env;

/* WWAN's routing table and the priority of its ip rule ("from <address>
 * lookup 200"): its default route never goes into the main table; what
 * carries the router's traffic is the failover's choice. */
#define WWAN_TABLE 200
#define WWAN_RULE_PREF 8800
#define WWAN_DHCP_ENGINE "udhcpc-wwan"
#define WWAN_PD_ENGINE "dhclient6-wwan"

/* What the modem is told: a copy owned by the modem's code. */
struct wwan_cfg {
	bool enabled;
	bool data;       /* false: registered for calls and SMS, no data context */
	char *port;      /* the AT control port */
	char *device;    /* the network device the modem brings up */
	char *apn;       /* "": the network's default */
	char *pin;       /* NULL: none */
	bool ipv6;       /* PDP type IPv4v6 */
	bool pd;         /* IPv6 prefix delegation asked for */
};

/* wwan_modem.c (on the loop thread) */
void wwan_modem_configure(const struct feature_env *env, const struct wwan_cfg *cfg);
void wwan_modem_stop(void);
json_t *wwan_modem_status(void);
/* the context as difos last saw it is up (the DHCP client's events count) */
bool wwan_modem_connected(void);

/* wwan_pin.c: a PIN the SIM refused, remembered under <state>/wwan */
bool wwan_pin_refused(const struct feature_env *env, const char *pin);
void wwan_pin_remember(const struct feature_env *env, const char *pin);
void wwan_pin_forget(const struct feature_env *env);

/* wwan_link.c */
/* The device is there: link up, IPv6 settings, its DHCP client (and,
 * with pd, the DHCPv6 client for a prefix once IPv6 is up). */
int wwan_link_start(const struct feature_env *env, const char *device, bool ipv6, bool pd);
/* The data path goes: client stopped, addresses, routes and rule removed,
 * EV_WWAN_DOWN when it was published. */
void wwan_link_down(const struct feature_env *env, const char *why);
/* the published uplink, or NULL */
json_t *wwan_link_uplink(void);
extern const struct rpc_method wwan_methods[];

/* wwan_mm.c: the first modem ModemManager lists ("mmcli -L"), -1 none */
int wwan_mm_first_modem(const char *mmcli_list);
/* ModemManager's view of a modem ("mmcli -m N -J") in the status's words */
json_t *wwan_mm_status(const char *mmcli_json);
/* The apply's part with ModemManager: connect modem N; 0 or -1 with *err */
int wwan_mm_connect(const struct feature_env *env, int modem, const struct wwan_cfg *cfg,
		    json_t **status, char **err);

#endif
