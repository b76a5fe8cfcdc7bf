/* The dry backend: records each action as one line and changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "apply/system.h"
#include "core/spawn.h"

static int dry_record(struct sys *s, const char *line)
{
	sbuf_add(&s->journal, line);
	sbuf_add(&s->journal, "\n");
	return s->fail_match && strstr(line, s->fail_match) ? 1 : 0;
}

static int dry_run(struct sys *s, char *const argv[], const char *input, int timeout_ms,
		   char **output)
{
	char *cmd = spawn_argv_string(argv);
	char *line = input ? xasprintf("run %s < (%zu bytes)", cmd, strlen(input)) :
			     xasprintf("run %s", cmd);
	int rc = dry_record(s, line);

	(void)timeout_ms;
	if (output)
		*output = xstrdup(rc ? "dry backend: injected failure" : "");
	free(cmd);
	free(line);
	return rc;
}

static int dry_nft(struct sys *s, const char *script, bool check, char **output)
{
	char *line = xasprintf("nft%s (%zu bytes)", check ? " --check" : "", strlen(script));
	int rc = dry_record(s, line);

	/* the failure hook also looks into the script, so a test can make a
	 * ruleset with a given rule fail */
	if (!rc && s->fail_match && strstr(script, s->fail_match))
		rc = 1;
	if (output)
		*output = xstrdup(rc ? "dry backend: injected failure" : "");
	free(line);
	return rc;
}

static int dry_net(struct sys *s, const struct nl_op *op, json_t **out, char **err)
{
	char *text = nl_op_text(op), *line = xasprintf("net %s", text);
	int rc = dry_record(s, line);

	if (rc && err) {
		free(*err);
		*err = xasprintf("%s: dry backend: injected failure", text);
	}
	if (nl_op_reads(op) && op->kind != NL_LINK_SHOW && out)
		*out = json_array();
	free(text);
	free(line);
	/* a device asked about exists unless the test says otherwise */
	return rc ? (op->kind == NL_LINK_SHOW ? 1 : -1) : 0;
}

static int dry_wg(struct sys *s, const char *sockdir, const char *ifname,
		  const struct wg_device *want, char **err)
{
	char *line = xasprintf("wg sync %s port=%u peers=%zu", ifname, want->listen_port,
			       want->n_peers);
	int rc = dry_record(s, line);

	(void)sockdir;
	if (rc && err) {
		free(*err);
		*err = xasprintf("%s: dry backend: injected failure", line);
	}
	free(line);
	return rc ? -1 : 0;
}

/* one line per op; the first that fails stops the rest, as a transaction would */
static int dry_nft_set(struct sys *s, const struct nft_set_op *ops, size_t n, char **err)
{
	for (size_t i = 0; i < n; i++) {
		char *text = nft_set_op_text(&ops[i]), *line = xasprintf("nft %s", text);
		int rc = dry_record(s, line);

		free(text);
		free(line);
		if (rc) {
			if (err) {
				free(*err);
				*err = xasprintf("nft set %s: dry backend: injected failure",
						 ops[i].set);
			}
			return -1;
		}
	}
	return 0;
}

static int dry_write_proc(struct sys *s, const char *path, const char *value)
{
	char *line = xasprintf("write %s %s", path, value);
	int rc = dry_record(s, line);

	free(line);
	return rc ? -1 : 0;
}

static pid_t dry_start(struct sys *s, char *const argv[], char *const env[], int *in_fd,
			int *out_fd)
{
	static pid_t next_pid = 100000;
	char *cmd = spawn_argv_string(argv), *line = xasprintf("start %s", cmd);
	int rc = dry_record(s, line);

	(void)env;
	free(cmd);
	free(line);
	*out_fd = -1;
	if (in_fd)
		*in_fd = -1;
	return rc ? -1 : next_pid++;
}

static int dry_kill(struct sys *s, pid_t pid, int sig)
{
	char *line = xasprintf("kill %d %d", (int)pid, sig);

	dry_record(s, line);
	free(line);
	return 0;
}

static int dry_job(struct sys *s, uv_loop_t *loop, char *const argv[], int timeout_ms,
		   sys_job_done done, void *arg)
{
	char *cmd = spawn_argv_string(argv), *line = xasprintf("job %s", cmd);
	int rc = dry_record(s, line);

	(void)loop;
	(void)timeout_ms;
	free(cmd);
	free(line);
	done(arg, rc);
	return 0;
}

struct sys *sys_dry_new(void)
{
	struct sys *s = xcalloc(1, sizeof(*s));

	s->name = "dry";
	s->run = dry_run;
	s->nft = dry_nft;
	s->net = dry_net;
	s->wg = dry_wg;
	s->nft_set = dry_nft_set;
	s->write_proc = dry_write_proc;
	s->start = dry_start;
	s->kill = dry_kill;
	s->job = dry_job;
	sbuf_init(&s->journal);
	return s;
}
