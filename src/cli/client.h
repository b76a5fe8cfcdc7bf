/* Client side of the control socket, shared by difosctl and the DHCP hook. */
#ifndef DIFOS_CLIENT_H
#define DIFOS_CLIENT_H

#include <jansson.h>

/* Connects; returns fd or -errno. */
int client_connect(const char *path);
/* Sends one call, returns the whole response object (NULL on I/O error). */
json_t *client_call(int fd, const char *method, json_t *params_stolen);

#endif
