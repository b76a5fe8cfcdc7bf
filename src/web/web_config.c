/* What difosd-web was told on its command line (web_main.c fills it). */
#include "web/web.h"

struct web_config web_cfg = { .https_port = 443, .http_port = 80 };
