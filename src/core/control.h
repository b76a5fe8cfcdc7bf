/* The control socket: newline-delimited JSON-RPC for difosctl, root only. */
#ifndef DIFOS_CONTROL_H
#define DIFOS_CONTROL_H

#include <uv.h>

#define CONTROL_MAX_FRAME (4 * 1024 * 1024)

int control_listen(uv_loop_t *loop, const char *path);
void control_close(void);

#endif
