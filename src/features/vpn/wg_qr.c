/*
 * QR codes (see wg_qr.h). libqrencode makes the symbol; this file adds the
 * quiet zone and writes the SVG: each row's runs of dark modules as
 * rectangles of one path, so the document stays small (a full client file
 * is a version 10-13 symbol: about 15 KB) and has no seams between modules.
 */
#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "features/vpn/wg_qr.h"

int wg_qr_make(const char *text, size_t len, struct wg_qr *out, char *err, size_t errlen)
{
	QRcode *c;
	int w;

	memset(out, 0, sizeof(*out));
	/* 2331: version 40's 8-bit capacity at level M */
	if (len == 0 || len > 2331) {
		snprintf(err, errlen, "a QR code (error correction M) holds 1 to 2331 bytes, not "
			 "%zu", len);
		return -1;
	}
	/* version 0: the library picks the smallest that holds the data */
	c = QRcode_encodeData((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (!c) {
		snprintf(err, errlen, errno == ERANGE ?
			 "the text (%zu bytes) is too long for a QR code" :
			 "the QR code of %zu bytes could not be made", len);
		return -1;
	}
	w = c->width + 2 * WG_QR_QUIET;
	out->version = c->version;
	out->width = w;
	out->dark = xcalloc((size_t)w * (size_t)w, 1);
	for (int y = 0; y < c->width; y++)
		for (int x = 0; x < c->width; x++)
			/* bit 0 of libqrencode's byte: the module is dark */
			out->dark[(size_t)(y + WG_QR_QUIET) * (size_t)w + (size_t)(x + WG_QR_QUIET)] =
				c->data[y * c->width + x] & 1;
	QRcode_free(c);
	return 0;
}

void wg_qr_free(struct wg_qr *q)
{
	free(q->dark);
	q->dark = NULL;
}

char *wg_qr_svg(const struct wg_qr *q)
{
	struct sbuf b;
	int w = q->width;

	sbuf_init(&b);
	sbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		    "shape-rendering=\"crispEdges\">\n"
		    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
		    w, w, w, w);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w;) {
			int run = 0;

			while (x + run < w && q->dark[(size_t)y * (size_t)w + (size_t)(x + run)])
				run++;
			if (run)
				sbuf_printf(&b, "M%d %dh%dv1h-%dz", x, y, run, run);
			x += run ? run : 1;
		}
	sbuf_add(&b, "\"/>\n</svg>\n");
	return sbuf_steal(&b);
}
