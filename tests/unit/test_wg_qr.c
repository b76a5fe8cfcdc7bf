/*
 * QR codes (features/vpn/wg_qr.h): the symbol's size for its version, the
 * quiet zone, the finder patterns where a reader looks for them, and the
 * SVG's path drawing exactly the dark modules. Reading the code back with a
 * camera's decoder is tests/integration/test_wg_qr.py (zbarimg).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/vpn/wg_qr.h"
#include "t.h"

static const char client[] =
	"[Interface]\n"
	"PrivateKey = yM+DlGcSO2Br8kNfjTwbZkyM+DlGcr8h/SKYwnUPX04=\n"
	"Address = 10.7.0.2/32, fd00:7::2/128\n"
	"DNS = 10.7.0.1, fd00:7::1\n"
	"\n"
	"[Peer]\n"
	"PublicKey = ySvXw64LcpJK5TOaT7J5wDBBglcjrppg9h7yN6bL5x4=\n"
	"PresharedKey = wGiO88ShFkNXEbCWX/9Cw5UbV9goh4AgfLhKyoX0r1E=\n"
	"AllowedIPs = 0.0.0.0/0, ::/0\n"
	"Endpoint = [2001:db8::1]:51820\n"
	"PersistentKeepalive = 25\n";

static int dark(const struct wg_qr *q, int x, int y)
{
	return q->dark[(size_t)y * (size_t)q->width + (size_t)x];
}

/* a 7x7 finder: dark ring, light ring, dark 3x3 centre */
static int finder_at(const struct wg_qr *q, int x0, int y0)
{
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 7; x++) {
			int ring = x == 0 || y == 0 || x == 6 || y == 6;
			int centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;

			if (dark(q, x0 + x, y0 + y) != (ring || centre))
				return 0;
		}
	return 1;
}

static void test_matrix(void)
{
	struct wg_qr q;
	char err[128];
	int sym, light = 1;

	T_CHECK(wg_qr_make(client, strlen(client), &q, err, sizeof(err)) == 0);
	/* 343 bytes in 8-bit mode at level M: version 14 (ISO/IEC 18004's
	 * capacities: 13-M holds 331 bytes, 14-M 362) */
	T_CHECK(q.version >= 1 && q.version <= 40);
	sym = 17 + 4 * q.version;
	T_CHECK(q.width == sym + 2 * WG_QR_QUIET);
	printf("  %zu bytes: version %d, %d modules\n", strlen(client), q.version, sym);
	T_CHECK(strlen(client) == 343 && q.version == 14);
	for (int i = 0; i < q.width; i++)
		for (int k = 0; k < WG_QR_QUIET; k++)
			light &= !dark(&q, i, k) && !dark(&q, i, q.width - 1 - k) &&
				 !dark(&q, k, i) && !dark(&q, q.width - 1 - k, i);
	T_CHECK(light);
	T_CHECK(finder_at(&q, WG_QR_QUIET, WG_QR_QUIET));
	T_CHECK(finder_at(&q, WG_QR_QUIET + sym - 7, WG_QR_QUIET));
	T_CHECK(finder_at(&q, WG_QR_QUIET, WG_QR_QUIET + sym - 7));
	T_CHECK(!finder_at(&q, WG_QR_QUIET + sym - 7, WG_QR_QUIET + sym - 7));
	wg_qr_free(&q);

	/* a short text: version 1 (21 modules) */
	T_CHECK(wg_qr_make("wg", 2, &q, err, sizeof(err)) == 0);
	T_CHECK(q.version == 1 && q.width == 21 + 2 * WG_QR_QUIET);
	wg_qr_free(&q);
}

static void test_too_long(void)
{
	struct wg_qr q;
	char err[128], *big = malloc(2332);

	memset(big, 'a', 2332);
	T_CHECK(wg_qr_make(big, 2331, &q, err, sizeof(err)) == 0);
	T_CHECK(q.version == 40);
	wg_qr_free(&q);
	T_CHECK(wg_qr_make(big, 2332, &q, err, sizeof(err)) == -1);
	T_CHECK_STR(err, "a QR code (error correction M) holds 1 to 2331 bytes, not 2332");
	T_CHECK(wg_qr_make(big, 0, &q, err, sizeof(err)) == -1);
	free(big);
}

/* The path's rectangles, filled into a grid: exactly the dark modules. */
static void test_svg(void)
{
	struct wg_qr q;
	char err[128], *svg, *d, view[64];
	unsigned char *grid;
	int x, y, w, n, same = 1, paths = 0;

	T_CHECK(wg_qr_make(client, strlen(client), &q, err, sizeof(err)) == 0);
	svg = wg_qr_svg(&q);
	snprintf(view, sizeof(view), "viewBox=\"0 0 %d %d\"", q.width, q.width);
	T_CHECK(strstr(svg, view) != NULL);
	T_CHECK(strstr(svg, "shape-rendering=\"crispEdges\"") != NULL);
	T_CHECK(strncmp(svg, "<?xml", 5) == 0 && strstr(svg, "</svg>\n") != NULL);
	/* no width or height of its own: it scales to what holds it */
	T_CHECK(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox") != NULL);
	for (d = svg; (d = strstr(d, "<path")); d++)
		paths++;
	T_CHECK(paths == 1);
	grid = calloc((size_t)q.width * (size_t)q.width, 1);
	d = strstr(svg, " d=\"") + 4;
	while (sscanf(d, "M%d %dh%dv1h-%*dz%n", &x, &y, &w, &n) == 3) {
		for (int i = 0; i < w; i++)
			grid[y * q.width + x + i]++;
		d += n;
	}
	T_CHECK(*d == '"');
	for (int i = 0; i < q.width * q.width; i++)
		same &= grid[i] == q.dark[i];
	T_CHECK(same);
	free(grid);
	free(svg);
	wg_qr_free(&q);
}

int main(void)
{
	T_RUN(test_matrix);
	T_RUN(test_too_long);
	T_RUN(test_svg);
	return t_done("wg_qr");
}
