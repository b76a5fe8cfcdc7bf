/*
 * The Asterisk Manager Interface's text, without any I/O: an incremental
 * reader of what Asterisk sends (a banner line, then messages of
 * "Key: Value" lines ended by an empty line) and the writer of actions.
 *
 * The reader holds at most one line and one message; every size is capped
 * (AMI_LINE_MAX, AMI_MSG_MAX, AMI_FIELDS_MAX) and a stream over a cap is
 * broken for good: the client answers it by reconnecting, never by growing.
 * The writer refuses a line break in any value: an action is lines, so a
 * value holding "\r\n" could smuggle a second action in.
 */
#ifndef DIFOS_AMI_PARSE_H
#define DIFOS_AMI_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define AMI_LINE_MAX (64L * 1024)     /* one line, its CR included */
#define AMI_MSG_MAX (1024L * 1024)    /* one message's lines with their line ends */
#define AMI_FIELDS_MAX 16384L         /* lines of one message ("Output:" of a long command) */

/* One line of a message. A line without a colon (old Asterisk's raw
 * command output) is kept whole as the value of an empty key. */
struct ami_field {
	const char *key;
	const char *value;
};

/* A message: its lines in the order they came, repeated keys kept. */
struct ami_msg {
	struct ami_field *fields;
	size_t n, cap;
	size_t bytes;                 /* as counted against AMI_MSG_MAX */
};

struct ami_msg *ami_msg_new(void);
void ami_msg_free(struct ami_msg *m);
void ami_msg_add(struct ami_msg *m, const char *key, const char *value);

/* The first value of key (case-insensitive), or NULL. */
const char *ami_get(const struct ami_msg *m, const char *key);
/* The values of key one by one: start with *pos = 0; NULL after the last. */
const char *ami_get_next(const struct ami_msg *m, const char *key, size_t *pos);
/* key's first value equals value, both case-insensitive ("Response", "success"). */
bool ami_is(const struct ami_msg *m, const char *key, const char *value);

/* A message as a JSON object for status: a key seen more than once (the
 * "Output" lines of a Command answer) becomes an array of its values. */
json_t *ami_msg_json(const struct ami_msg *m);

/* What ami_reader_feed found. */
enum ami_read {
	AMI_MORE,      /* all the bytes given were used: more are needed */
	AMI_BANNER,    /* the banner line is in reader->banner */
	AMI_MESSAGE,   /* a whole message in *out, the caller's to free */
	AMI_ERROR,     /* the stream is broken (reader->error says why) */
};

struct ami_reader {
	bool want_banner;             /* the first line is the banner */
	bool broken;
	char *line;                   /* the line being read, without its end */
	size_t line_len, line_cap;
	struct ami_msg *msg;          /* the message being read */
	char *banner;
	char error[96];
};

/* banner: expect "Asterisk Call Manager/<version>" first (a client); a
 * reader of actions (the fake server of the tests) reads none. */
void ami_reader_init(struct ami_reader *r, bool banner);
void ami_reader_free(struct ami_reader *r);

/* Reads from buf[0..n) up to the end of the banner or of one message and
 * says how much it used in *used; call again with the rest. Lines may end
 * with "\r\n" or "\n"; empty lines between messages are skipped. */
enum ami_read ami_reader_feed(struct ami_reader *r, const char *buf, size_t n, size_t *used,
			      struct ami_msg **out);

/* The version of a banner "Asterisk Call Manager/11.0.0" ("11.0.0"), or
 * NULL when the line is no AMI banner. */
const char *ami_banner_version(const char *banner);

/* NULL when value may be written into an action, or why not ("may not
 * hold a line break (CR or LF)"): for a caller that must not show the
 * value (a secret). */
const char *ami_value_bad(const char *value);

/* Writes the action "Action: <action>\r\nActionID: <id>\r\n", the pairs
 * of kv (key, value, ..., NULL; kv may be NULL) and the closing empty
 * line to out. Refused, with *err naming the key and the value (the
 * caller frees it) and nothing written: an action or key that is not a
 * word of letters, digits, '-' and '_', a key "Action" or "ActionID" (the
 * client's), a value holding CR, LF or another control character but
 * TAB, a line over AMI_LINE_MAX or an action over AMI_MSG_MAX. */
int ami_action_write(struct sbuf *out, const char *action, const char *action_id,
		     const char *const *kv, char **err);

#endif
