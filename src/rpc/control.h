/* The control socket: newline-delimited JSON-RPC for difosctl, root only. */
#ifndef DIFOS_CONTROL_H
#define DIFOS_CONTROL_H

#include <uv.h>

#define CONTROL_MAX_FRAME (4 * 1024 * 1024)

#include <jansson.h>

/* difosctl's door: root only, every method */
int control_listen(uv_loop_t *loop, const char *path);
/* difosd-web's door: root only (the web process connects before it drops
 * its privileges), and only http.request and events.subscribe */
int control_listen_web(uv_loop_t *loop, const char *path);
/* Sends a JSON-RPC notification to every connected web process. */
void control_web_notify(const char *method, json_t *params);
/* fn is called when a web connection closes (its event subscriptions and
 * terminals end); a few parts may each register one. */
void control_on_web_gone(void (*fn)(void));
void control_close(void);

#endif
