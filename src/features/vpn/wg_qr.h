/*
 * QR codes of WireGuard client files (the server's "Generate" for a phone):
 * libqrencode, 8-bit mode, error correction M, the smallest version that
 * holds the text; drawn as an SVG document a browser scales without blur.
 */
#ifndef DIFOS_FEATURES_VPN_WG_QR_H
#define DIFOS_FEATURES_VPN_WG_QR_H

#include <stddef.h>

/* the light margin around the symbol, in modules (ISO/IEC 18004 asks 4) */
#define WG_QR_QUIET 4

struct wg_qr {
	int version;          /* 1..40 */
	int width;            /* modules across, the quiet zone on both sides included */
	unsigned char *dark;  /* width * width, row by row: 1 dark, 0 light */
};

/* 0, or -1 with the reason in err (a text too long for any version). */
int wg_qr_make(const char *text, size_t len, struct wg_qr *out, char *err, size_t errlen);
void wg_qr_free(struct wg_qr *q);

/* The SVG document: a white square of width x width units (the viewBox;
 * no size of its own, it fills what holds it) and one black path of the
 * dark modules, crisp edges. */
char *wg_qr_svg(const struct wg_qr *q);

#endif
