/*
 * A client of charon's vici socket: blocking, every step within one
 * deadline. The applier and the quick commands use it; charon answers a
 * local socket in milliseconds, and a charon that does not answer within
 * the deadline is reported as such.
 */
#ifndef DIFOS_VICI_CONN_H
#define DIFOS_VICI_CONN_H

#include <jansson.h>

struct vici_conn;

/* Connects to the unix socket at path; NULL with *err set. */
struct vici_conn *vici_open(const char *path, int timeout_ms, char **err);
void vici_close(struct vici_conn *c);

/*
 * Sends the command cmd with msg (NULL: none) and returns the response
 * message (a new object), or NULL with *err set. With stream (an event
 * name, "list-sa"), registers for it first and appends each such event's
 * message to events (an array) until the response.
 */
json_t *vici_call(struct vici_conn *c, const char *cmd, const json_t *msg, const char *stream,
		  json_t *events, char **err);

/* Does a response say success ("success": "yes")? Else *err is its errmsg. */
int vici_check(const json_t *resp, const char *what, char **err);

/* Open, one call, close. */
json_t *vici_request(const char *path, int timeout_ms, const char *cmd, const json_t *msg,
		     const char *stream, json_t *events, char **err);

#endif
