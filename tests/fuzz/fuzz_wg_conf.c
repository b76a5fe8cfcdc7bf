/*
 * libFuzzer target: wg-quick files (features/vpn/wg_conf.h), the text a
 * user imports. Any input is either refused with a message naming a line
 * (or the size), in printable ASCII, or read into values that the writer
 * takes as they are and that read back from its text the same; writing
 * them again gives the same text (keepalive 0, off, is written as no line). And the input as an endpoint: when
 * accepted, its canonical text is accepted too and is its own canonical
 * text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/vpn/wg_conf.h"

static void printable(const char *s)
{
	if (!*s)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], err2[512], *text, *again, *s;
	json_t *c, *back;

	c = wg_conf_parse((const char *)data, size, err, sizeof(err));
	if (!c) {
		printable(err);
		if (strncmp(err, "line ", 5) && strncmp(err, "the file is ", 12))
			abort();
	} else {
		json_object_del(c, "notes");
		text = wg_conf_emit(c, err, sizeof(err));
		if (!text)
			abort();
		back = wg_conf_parse(text, strlen(text), err2, sizeof(err2));
		/* keepalive 0 is off: written as no line at all */
		if (json_integer_value(json_object_get(c, "keepalive")) == 0)
			json_object_del(c, "keepalive");
		if (!back || json_object_get(back, "notes") || !json_equal(back, c))
			abort();
		again = wg_conf_emit(back, err2, sizeof(err2));
		if (!again || strcmp(again, text))
			abort();
		free(again);
		free(text);
		json_decref(back);
		json_decref(c);
	}
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (strlen(s) == size) {
		char canon[300], canon2[300];

		if (wg_conf_endpoint_ok(s, canon, sizeof(canon)) &&
		    (!wg_conf_endpoint_ok(canon, canon2, sizeof(canon2)) || strcmp(canon, canon2)))
			abort();
		(void)wg_conf_key_ok(s);
	}
	free(s);
	return 0;
}
