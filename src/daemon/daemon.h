/* The daemon's shared state, reachable from RPC methods. */
#ifndef DIFOS_DAEMON_H
#define DIFOS_DAEMON_H

#include <uv.h>

struct engine;
struct store;
struct sys;

struct daemon {
	uv_loop_t *loop;
	struct store *store;
	struct sys *sys;
	struct engine *engine;
	const char *socket_path;
	long long started;     /* wall-clock seconds */
};

extern struct daemon difosd;

#endif
