/*
 * difos-ips-reader: intrusion prevention's parser process. difosd follows
 * the logs (it may open them) and hands their bytes over unread; this
 * process, which runs as nobody under a system call filter, cuts them
 * into lines and reads each with the parsers, and answers with one text
 * record per authentication event. Whatever an attacker writes into a log
 * line meets the parsers only here.
 *
 * Frames in (stdin): features/services/ips/ips_frame.h.
 * Records out (stdout), one line each:
 *     ips <service> <failure|success> <address> <reason> <line>
 * the reason with '_' for its spaces, the line as the parsers show it
 * (printable ASCII, at most IPS_LINE_MAX bytes).
 */
#ifndef DIFOS_IPR_H
#define DIFOS_IPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "features/services/ips/ips_frame.h"
#include "features/services/ips/ips_parse.h"

#define IPR_HEADER IPS_FRAME_HEADER
#define IPR_FRAME_MAX IPS_FRAME_MAX
#define IPR_LINE_MAX 8192   /* longer lines are dropped whole: no log writes them */
#define IPR_SOURCES 3
#define IPR_RECORD_MAX (IPS_LINE_MAX + 128)  /* one record with its newline */

struct ipr_source {
	char line[IPR_LINE_MAX];
	size_t len;
	bool overlong;          /* skipping to the end of an overlong line */
};

/* sshd's connections lately seen, by (address, port): a connection's
 * failure is counted once, and not besides its failed attempts */
#define IPR_CONNS 4096
struct ipr_conn {
	unsigned char addr[16];
	int family;
	unsigned port;
	bool counted;           /* a connection line counted for it */
	unsigned attempts;      /* its failed attempts seen */
};

struct ipr {
	unsigned char head[IPR_HEADER];
	size_t head_len;        /* header bytes read */
	uint32_t left;          /* payload bytes of the current frame still to come */
	int source;
	struct ipr_source src[IPR_SOURCES];
	struct ipr_conn conns[IPR_CONNS];
	/* counters for the caller */
	unsigned long long lines, events, dropped;
};

/* A record is ready: out[0..len) (ends in '\n'). */
typedef void (*ipr_emit_fn)(void *arg, const char *rec, size_t len);

void ipr_init(struct ipr *r);
/* Feeds bytes of the frame stream. -1 on a malformed frame (an unknown
 * service, a length over the cap): the stream cannot be trusted further. */
int ipr_feed(struct ipr *r, const unsigned char *p, size_t n, ipr_emit_fn emit, void *arg);
/* The record of one line of service (its text without the newline), or 0
 * when the line is no authentication event or one already counted. */
size_t ipr_record(struct ipr *r, int service, const char *line, size_t len,
		  char out[IPR_RECORD_MAX]);

#endif
