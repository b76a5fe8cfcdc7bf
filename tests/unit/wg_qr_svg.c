/*
 * The QR code's SVG of what stdin holds (features/vpn/wg_qr.h), for
 * tests/integration/test_wg_qr.py, which draws it and reads it back with
 * zbarimg. Not a test itself.
 */
#include <stdio.h>
#include <stdlib.h>

#include "features/vpn/wg_qr.h"

int main(void)
{
	static char text[8192];
	size_t len = fread(text, 1, sizeof(text), stdin);
	struct wg_qr q;
	char err[128], *svg;

	if (wg_qr_make(text, len, &q, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	svg = wg_qr_svg(&q);
	fputs(svg, stdout);
	free(svg);
	wg_qr_free(&q);
	return 0;
}
