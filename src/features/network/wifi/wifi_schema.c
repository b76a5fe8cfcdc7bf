/*
 * The WiFi settings: one section per radio (Network Settings › WiFi ›
 * 2.4 GHz and › 5 GHz, the manual's two pages, the same fields on both)
 * and the names of clients' MACs (› Clients).
 *
 * Defaults are the secure ones: a radio is off until it is given an SSID,
 * a passphrase and a country (an access point that starts by itself with
 * a name and key printed on a label is how neighbours get in); WPA3-PSK
 * (SAE), which resists offline guessing of the passphrase and requires
 * protected management frames; the channel chosen by hostapd (ACS, the
 * manual's "auto"); 20 MHz at 2.4 GHz (40 MHz there overlaps most of the
 * band and neighbours), 80 MHz at 5 GHz (the band has room for it); no
 * 802.11b rates (they cost every client airtime).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/network/wifi/wifi_int.h"
#include "store/doc.h"

const struct wifi_band wifi_bands[WIFI_BANDS] = {
	{ "2g", "wifi_2g", "2.4 GHz", "hostapd-2g", "hostapd-2g.conf", "wlan0", false },
	{ "5g", "wifi_5g", "5 GHz", "hostapd-5g", "hostapd-5g.conf", "wlan1", true },
};

static const struct sc_tab tab_clients = { "clients", "Clients" };
static const struct sc_tab tab_2g = { "2g", "2.4 GHz" };
static const struct sc_tab tab_5g = { "5g", "5 GHz" };

static const char *const enc_choices[] = { "sae", "psk2", "sae-mixed", "psk", NULL };
static const char *const enc_labels[] = { "WPA3-PSK (SAE), recommended", "WPA2-PSK",
					  "WPA2/WPA3 mixed", "WPA-PSK (insecure)", NULL };
static const char *const width_2g[] = { "20", "40", NULL };
static const char *const width_5g[] = { "20", "40", "80", NULL };
static const char *const width_2g_labels[] = { "20 MHz", "40 MHz", NULL };
static const char *const width_5g_labels[] = { "20 MHz", "40 MHz", "80 MHz", NULL };

static void wifi_radio_check(const json_t *obj, const char *path, const json_t *doc,
			     struct sc_error_list *errs);

#define WIFI_ENC_HELP "WPA3-PSK is the most secure. WPA2-PSK for devices without WPA3; mixed " \
	"lets both connect. WPA-PSK (TKIP) is insecure: only for devices that know nothing newer."
#define WIFI_COUNTRY_HELP "The country the router is in (ISO 3166 code, e.g. DE): it sets the " \
	"channels and power allowed. 00 (World) is never accepted: it leaves only the few " \
	"channels legal everywhere."
#define WIFI_CHANNEL_HELP "auto: the least crowded channel, chosen at start (ACS); or a channel " \
	"of the band."

/* The fields both radios have; the 2.4 GHz radio adds 802.11b rates. */
#define WIFI_RADIO_FIELDS(dev, widths, wlabels, wdef) \
	{ .name = "enabled", .kind = SC_BOOL, .def = "false", .title = "Enable", \
	  .help = "Broadcast this radio's network (needs an SSID, a passphrase and a country)." }, \
	{ .name = "ssid", .kind = SC_STRING, .min = 1, .max = 32, .title = "SSID", \
	  .help = "The network's name, 1 to 32 bytes." }, \
	{ .name = "encryption", .kind = SC_ENUM, .choices = enc_choices, .labels = enc_labels, \
	  .def = "\"sae\"", .title = "Encryption type", .help = WIFI_ENC_HELP }, \
	{ .name = "passphrase", .kind = SC_STRING, .flags = SC_F_SECRET, .min = 8, .max = 64, \
	  .title = "Passphrase", \
	  .help = "8 to 63 characters (letters, digits, punctuation, spaces); with WPA2-PSK or " \
		  "WPA-PSK also a key of 64 hex digits." }, \
	{ .name = "country", .kind = SC_STRING, .pattern = "[A-Z]{2}|00", \
	  .pattern_says = "is not a country code: two capital letters (ISO 3166, e.g. DE)", \
	  .title = "Country", .help = WIFI_COUNTRY_HELP }, \
	{ .name = "width", .kind = SC_ENUM, .choices = widths, .labels = wlabels, .def = wdef, \
	  .title = "Width", \
	  .help = "Channel width: the narrower one reaches further, the wider one is faster." }, \
	{ .name = "channel", .kind = SC_STRING, .pattern = "auto|[0-9]{1,3}", \
	  .pattern_says = "is not a channel: auto, or a channel number", .def = "\"auto\"", \
	  .title = "Channel", .help = WIFI_CHANNEL_HELP }, \
	{ .name = "device", .kind = SC_IFNAME, .def = dev, .title = "Radio device", \
	  .help = "The radio's network device (the router's own: " dev " by default)." }

static const struct sc_field radio_2g_fields[] = {
	WIFI_RADIO_FIELDS("\"wlan0\"", width_2g, width_2g_labels, "\"20\""),
	{ .name = "legacy_rates", .kind = SC_BOOL, .def = "false", .title = "Allow 802.11b rates",
	  .help = "Only for badly behaving old clients: 1-11 Mbps rates cost every client "
		  "airtime." },
	{ .name = NULL }
};

static const struct sc_field radio_5g_fields[] = {
	WIFI_RADIO_FIELDS("\"wlan1\"", width_5g, width_5g_labels, "\"80\""),
	{ .name = NULL }
};

static const struct sc_field client_fields[] = {
	{ .name = "mac", .kind = SC_MAC, .flags = SC_F_REQUIRED | SC_F_UNIQUE, .title = "MAC address" },
	{ .name = "name", .kind = SC_STRING, .flags = SC_F_REQUIRED, .min = 1, .max = 64,
	  .title = "Name", .help = "What the clients page calls this device." },
	{ .name = NULL }
};

static const struct sc_field wifi_fields[] = {
	{ .name = "clients", .kind = SC_COLLECTION, .fields = client_fields, .max = 4096,
	  .title = "Client names", .help = "Names for the MAC addresses of WiFi clients.",
	  .tab = &tab_clients },
	{ .name = NULL }
};

static const struct sc_field wifi_2g_section = {
	.name = "wifi_2g", .kind = SC_OBJECT, .fields = radio_2g_fields, .check = wifi_radio_check,
	.title = "WiFi 2.4 GHz", .help = "The 2.4 GHz access point.", .tab = &tab_2g,
};

static const struct sc_field wifi_5g_section = {
	.name = "wifi_5g", .kind = SC_OBJECT, .fields = radio_5g_fields, .check = wifi_radio_check,
	.title = "WiFi 5 GHz", .help = "The 5 GHz access point.", .tab = &tab_5g,
};

static const struct sc_field wifi_section = {
	.name = "wifi", .kind = SC_OBJECT, .fields = wifi_fields, .title = "WiFi",
	.help = "Names of WiFi clients.",
};

const struct sc_field *const wifi_sections[] = { &wifi_section, &wifi_2g_section,
						 &wifi_5g_section, NULL };

const char *wifi_device(const json_t *doc, const struct wifi_band *b)
{
	char path[48];
	const char *d;

	snprintf(path, sizeof(path), "%s.device", b->section);
	d = doc_str(doc, path);
	return d && *d ? d : b->def_device;
}

/* 5 GHz channels of 20 MHz (UNII-1 to UNII-3); 40 MHz pairs them from 36,
 * 80 MHz groups four from 36 (100 to 144 and 149 to 161 likewise). */
static const int ch_5g[] = { 36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124,
			     128, 132, 136, 140, 144, 149, 153, 157, 161, 165 };

bool wifi_channel_ok(const struct wifi_band *b, int ch, int width)
{
	if (!b->five)
		/* 1-13; at 40 MHz every one has a neighbour four above or below */
		return ch >= 1 && ch <= 13;
	for (size_t i = 0; i < ARRAY_SIZE(ch_5g); i++) {
		if (ch_5g[i] != ch)
			continue;
		/* 165 has no partner for 40 or 80 MHz */
		return width == 20 || ch != 165;
	}
	return false;
}

static bool wifi_is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return false;
	return true;
}

static void wifi_required(const json_t *obj, const char *path, const char *key, const char *band,
			  struct sc_error_list *errs)
{
	char *p;

	if (json_object_get(obj, key))
		return;
	p = xasprintf("%s.%s", path, key);
	sc_error_add(errs, p, NULL, "is required while the %s radio is enabled", band);
	free(p);
}

static const struct wifi_band *wifi_band_of(const char *section)
{
	for (size_t i = 0; i < WIFI_BANDS; i++)
		if (!strcmp(wifi_bands[i].section, section))
			return &wifi_bands[i];
	return &wifi_bands[0];
}

/* The passphrase is secret: its errors never quote it. */
static void wifi_check_passphrase(const char *pass, const char *enc, const char *path,
				  struct sc_error_list *errs)
{
	char *p = xasprintf("%s.passphrase", path);
	bool hex = wifi_is_hex64(pass);

	if (strlen(pass) == 64 && !hex)
		sc_error_add(errs, p, NULL, "of 64 characters must be a key of 64 hex digits; "
			     "a passphrase has 8 to 63 characters");
	else if (hex && (!strcmp(enc, "sae") || !strcmp(enc, "sae-mixed")))
		sc_error_add(errs, p, NULL, "is a key of 64 hex digits, which WPA3 (SAE) cannot "
			     "use: give a passphrase of 8 to 63 characters");
	else
		for (const unsigned char *s = (const unsigned char *)pass; *s; s++)
			if (*s < 0x20 || *s > 0x7e) {
				sc_error_add(errs, p, NULL, "may hold only printable ASCII "
					     "characters (letters, digits, punctuation, spaces)");
				break;
			}
	free(p);
}

static void wifi_check_country(const char *cc, const char *path, struct sc_error_list *errs)
{
	char *p = xasprintf("%s.country", path);

	if (!strcmp(cc, "00"))
		sc_error_add(errs, p, cc, "(World) is not accepted: it restricts the radio to the few "
			     "channels legal everywhere; pick the country the router is in");
	else if (!wifi_country_known(cc))
		sc_error_add(errs, p, cc, "is not an ISO 3166 country code");
	free(p);
}

static void wifi_check_channel(const json_t *obj, const struct wifi_band *b, const char *path,
			       struct sc_error_list *errs)
{
	const char *ch = json_string_value(json_object_get(obj, "channel"));
	const char *w = json_string_value(json_object_get(obj, "width"));
	int width = w ? atoi(w) : 20;
	char *p;

	if (!ch || !strcmp(ch, "auto") || !*ch || strspn(ch, "0123456789") != strlen(ch))
		return;
	if (wifi_channel_ok(b, atoi(ch), width))
		return;
	p = xasprintf("%s.channel", path);
	if (wifi_channel_ok(b, atoi(ch), 20))
		sc_error_add(errs, p, ch, "cannot carry %d MHz: choose 20 MHz or another channel",
			     width);
	else if (b->five)
		sc_error_add(errs, p, ch, "is not a 5 GHz channel (36-64, 100-144, 149-165 in steps "
			     "of 4) or auto");
	else
		sc_error_add(errs, p, ch, "is not a 2.4 GHz channel (1-13) or auto");
	free(p);
}

static void wifi_radio_check(const json_t *obj, const char *path, const json_t *doc,
			     struct sc_error_list *errs)
{
	const struct wifi_band *b = wifi_band_of(path);
	const char *pass = json_string_value(json_object_get(obj, "passphrase"));
	const char *enc = json_string_value(json_object_get(obj, "encryption"));
	const char *cc = json_string_value(json_object_get(obj, "country"));
	bool on = json_is_true(json_object_get(obj, "enabled"));

	if (on) {
		wifi_required(obj, path, "ssid", b->title, errs);
		wifi_required(obj, path, "passphrase", b->title, errs);
		wifi_required(obj, path, "country", b->title, errs);
	}
	if (pass && strlen(pass) >= 8 && strlen(pass) <= 64)
		wifi_check_passphrase(pass, enc ? enc : "sae", path, errs);
	if (cc && strlen(cc) == 2)
		wifi_check_country(cc, path, errs);
	wifi_check_channel(obj, b, path, errs);

	/* one regulatory domain for the machine; one radio per device */
	if (b->five && on && doc_bool(doc, "wifi_2g.enabled", false)) {
		const char *cc2 = doc_str(doc, "wifi_2g.country");
		const char *dev = doc_str(doc, "wifi_5g.device");
		const char *dev2 = doc_str(doc, "wifi_2g.device");
		if (cc && cc2 && strcmp(cc, cc2)) {
			char *p = xasprintf("%s.country", path);
			sc_error_add(errs, p, cc, "differs from the 2.4 GHz radio's %s: the router is "
				     "in one country", cc2);
			free(p);
		}
		if (dev && dev2 && !strcmp(dev, dev2)) {
			char *p = xasprintf("%s.device", path);
			sc_error_add(errs, p, dev, "is the 2.4 GHz radio's device too");
			free(p);
		}
	}
}
