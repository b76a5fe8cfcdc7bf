/* Client side of the control socket, shared by difosctl and the engines' hook programs. */
#ifndef DIFOS_CLIENT_H
#define DIFOS_CLIENT_H

#include <jansson.h>

/* Connects; returns fd or -errno. */
int client_connect(const char *path);
/* Sends one call, returns the whole response object (NULL on I/O error). */
json_t *client_call(int fd, const char *method, json_t *params_stolen);
/* What an engine's hook program (a DHCP client's, pppd's) does: calls
 * method with params on the socket at sock, trying to connect for up to
 * wait_ms (difosd may be booting), and says a failure on stderr after
 * prog. Returns the program's exit status: 0, or 1. */
int client_hook_call(const char *prog, const char *sock, int wait_ms, const char *method,
		     json_t *params_stolen);

#endif
