/*
 * PBX › Call Detail Records. Asterisk (cdr_sqlite3_custom) writes one row
 * per call into <state>/pbx/log/master.db; difos reads it (read-only, per
 * call), serves the recordings' bytes in pieces, and prunes old rows and
 * old recordings once an hour.
 */
#ifndef DIFOS_CDR_H
#define DIFOS_CDR_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/feature.h"
#include "rpc/rpc.h"

extern const struct sc_field *const cdr_sections[];
extern const struct rpc_method cdr_methods[];

/* Default retention, in days (the section's defaults say the same). */
#define CDR_KEEP_DAYS 90
#define CDR_KEEP_RECORDINGS_DAYS 30
/* The most a pbx.recording answer carries. */
#define CDR_CHUNK_MAX (1024 * 1024)

/* cdr_parse.c: pure */
/* Is name a plain file name of the recordings' folder (letters, digits,
 * '.', '_', '-'; no '/', no "..", not hidden, at most 200 bytes)? */
bool cdr_file_ok(const char *name);
/*
 * A point in time: epoch seconds ("1764460800"), a local date
 * ("2026-11-29") or a local date and time ("2026-11-29T08:30",
 * "2026-11-29 08:30:15"). A date alone means its first second, or with
 * day_end the first second of the next day (a "to" date includes its
 * day). 0, or -1 when text is none of these.
 */
int cdr_time_parse(const char *text, bool day_end, long long *out);
/* The trunk of a channel name "PJSIP/trunk-<name>-<8 hex digits>" into
 * out (size n); false (out "") when it is no trunk's channel. */
bool cdr_trunk_of(const char *channel, char *out, size_t n);
/* The recording's file name of a userfield "recording=<file>", or NULL. */
const char *cdr_recording_of(const char *userfield);

/* cdr_query.c */
json_t *cdr_list_method(struct rpc_call *c);
json_t *cdr_today_method(struct rpc_call *c);

/* cdr_recording.c */
json_t *cdr_recording_method(struct rpc_call *c);
int cdr_cli_recording(const struct rpc_cli_ctx *cli, int argc, char **argv);

/* cdr_prune.c: the hourly timer, and the prune itself */
void cdr_prune_start(const struct feature_env *env);
void cdr_prune_stop(void);
json_t *cdr_prune_method(struct rpc_call *c);

#endif
