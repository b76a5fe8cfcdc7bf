/*
 * A client of one hostapd control socket (its ctrl_interface/<device>),
 * on the loop: a UNIX datagram socket of its own (an abstract address the
 * kernel picks, so hostapd can answer it), connected to hostapd's.
 * Requests are text ("PING", "STA-FIRST", "DENY_ACL ADD_MAC <mac>") and go
 * one at a time: a reply carries nothing that names its request, so the
 * next is sent only after the answer, and a request without an answer in
 * time closes the socket (a late answer then reaches no one instead of
 * passing for the next one's). Unsolicited events ("<3>AP-STA-...", only
 * sent to a client that asked with ATTACH) are skipped.
 */
#ifndef DIFOS_HAPD_CTRL_H
#define DIFOS_HAPD_CTRL_H

#include <stddef.h>
#include <uv.h>

struct hapd_ctrl;

/* Exactly once per request: err NULL and the reply (not NUL-terminated
 * by hostapd; reply[len] is a NUL added here), or err saying why there is
 * none (no socket, no answer in time, client stopped, reply too long). */
typedef void (*hapd_reply_fn)(void *arg, const char *err, const char *reply, size_t len);

/* path: hostapd's socket. */
struct hapd_ctrl *hapd_ctrl_new(uv_loop_t *loop, const char *path);
const char *hapd_ctrl_path(const struct hapd_ctrl *c);
/* Queues cmd (at most 64 waiting: -1 beyond, fn not called). */
int hapd_ctrl_send(struct hapd_ctrl *c, const char *cmd, unsigned timeout_ms, hapd_reply_fn fn,
		   void *arg);
/* Fails every waiting request ("client stopped"); the memory goes once
 * libuv has closed the handles. Callable from a reply's callback. */
void hapd_ctrl_free(struct hapd_ctrl *c);

#endif
