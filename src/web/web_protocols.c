/* The protocols difosd-web serves: HTTP (GUI files, the API), the event
 * feed and the terminal. */
#include <libwebsockets.h>

#include "web/web.h"

static const struct lws_protocols web_protocols[] = {
	{ "http", web_http_cb, sizeof(struct web_http), 0, 0, NULL, 0 },
	{ "difos-events", web_ws_cb, sizeof(struct web_ws), 4096, 0, NULL, 0 },
	{ "difos-terminal", web_term_cb, sizeof(struct web_term), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

const struct lws_protocols *const web_protocol_list = web_protocols;
