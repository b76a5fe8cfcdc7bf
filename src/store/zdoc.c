#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "core/util.h"
#include "store/zdoc.h"

/* Beyond this a stored length is damage, not a configuration. */
#define ZDOC_MAX_TEXT (256u << 20)

void *zdoc_pack(const char *text, size_t len, size_t *out_len)
{
	uLongf cap;
	unsigned char *out;

	if (len > ZDOC_MAX_TEXT)
		return NULL;
	cap = compressBound((uLong)len);
	out = xmalloc(4 + cap);
	out[0] = (unsigned char)(len >> 24);
	out[1] = (unsigned char)(len >> 16);
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
	/* level 6: a 500 KB document packs in a few milliseconds of the apply */
	if (compress2(out + 4, &cap, (const Bytef *)text, (uLong)len, 6) != Z_OK) {
		free(out);
		return NULL;
	}
	*out_len = 4 + cap;
	return out;
}

char *zdoc_unpack(const void *blob, size_t len)
{
	const unsigned char *b = blob;
	uint32_t want;
	uLongf got;
	char *text;

	if (len < 4)
		return NULL;
	want = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	/* deflate expands at most 1032 times: a larger claim is damage */
	if (want > ZDOC_MAX_TEXT || want / 1032 > len)
		return NULL;
	text = xmalloc((size_t)want + 1);
	got = want;
	if (uncompress((Bytef *)text, &got, b + 4, (uLong)(len - 4)) != Z_OK || got != want) {
		free(text);
		return NULL;
	}
	text[want] = '\0';
	return text;
}
