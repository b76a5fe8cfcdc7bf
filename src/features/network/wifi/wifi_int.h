/*
 * Network Settings › WiFi: the 2.4 GHz and 5 GHz access points (hostapd,
 * one per radio), the names given to clients' MACs, the clients connected
 * (read from hostapd's control sockets) and kicking one off for a while.
 * Private to this folder.
 */
#ifndef DIFOS_WIFI_INT_H
#define DIFOS_WIFI_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "apply/feature.h"
#include "rpc/rpc.h"

/* One radio: its section, the name of its engine and of its rendered file. */
struct wifi_band {
	const char *id;          /* "2g", "5g": in file, engine and status names */
	const char *section;     /* "wifi_2g" */
	const char *title;       /* "2.4 GHz" */
	const char *engine;      /* "hostapd-2g" */
	const char *conf;        /* "hostapd-2g.conf" */
	const char *def_device;  /* the device when the section names none */
	bool five;               /* the 5 GHz band */
};

#define WIFI_BANDS 2
extern const struct wifi_band wifi_bands[WIFI_BANDS];

/* The folder of the control sockets, below the run directory (hostapd's
 * ctrl_interface): the socket of a radio is <run>/hostapd/<device>. */
#define WIFI_CTRL_DIR "hostapd"

/* ---- wifi_schema.c ---- */
extern const struct sc_field *const wifi_sections[];
/* The radio's device: the section's, else the band's default. */
const char *wifi_device(const json_t *doc, const struct wifi_band *b);
/* ISO 3166-1 alpha-2 codes, upper case, NULL-terminated. */
extern const char *const wifi_countries[];
bool wifi_country_known(const char *code);
/* Is ch a channel of the band at this width (20, 40, 80)? */
bool wifi_channel_ok(const struct wifi_band *b, int ch, int width);

/* ---- wifi_render.c ---- */
/* hostapd's configuration for one radio (NULL while it is disabled). */
char *wifi_hostapd_conf(const json_t *doc, const struct wifi_band *b, const char *run);
int wifi_render(struct feature_ctx *ctx, struct render_out *out);

/* ---- wifi_check.c ---- */
int wifi_check(struct feature_ctx *ctx);
/* What hostapd printed, read as its verdict on the file: NULL when it
 * found no error in it, else its error lines (malloc'd). */
char *wifi_check_verdict(const char *output);

/* ---- wifi_clients.c: the clients kept from the control sockets, kicks ---- */
void wifi_clients_init(const struct feature_env *env);
void wifi_clients_stop(void);
/* The apply: the radio of this band (index in wifi_bands) is in force on
 * device (NULL: disabled). */
void wifi_clients_radio(size_t band, const char *device);
bool wifi_device_exists(const char *device);
/* An engine of a radio started (again): its deny list is sent again. */
void wifi_clients_engine_started(const char *engine);
/* {band id: {device, reachable, stations}} for status */
json_t *wifi_clients_status(void);
extern const struct rpc_method wifi_methods[];

#endif
