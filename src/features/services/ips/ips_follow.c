/*
 * The logs followed. difosd reads them (it may open them: auth.log is
 * root's, Asterisk's log is the engine user's) but never looks into what
 * it reads: the bytes go to the reader process (an engine, as nobody,
 * under a system call filter: src/ips-reader) in frames naming the
 * service, and what comes back is records (ips_record.c).
 *
 * A file is followed from its end when first seen (only what is written
 * from then on counts), through inotify on its folder (a line written is
 * read at once) and a 2 s check that catches what no event said: the
 * file replaced by a rotation (read from its start), cut short (read from
 * its start), gone, or its folder made later (Asterisk's, before the PBX
 * ever ran). sshd's journal is read by journalctl, an engine whose lines
 * are forwarded as the same frames.
 *
 * The reader may be slower than a burst of lines (a log replayed): what
 * waits for it is capped at IPS_QUEUE_MAX, and the files are not read
 * further until it drains, so nothing is lost and nothing grows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "apply/supervisor.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/util.h"
#include "features/pbx/pbx_paths.h"
#include "features/services/ips/ips_int.h"
#include "features/services/ips/ips_frame.h"

#define IPS_QUEUE_MAX (1 << 20)
#define IPS_CHECK_MS 2000

struct ips_file {
	int svc;
	char *path, *dir, *base;
	int fd;
	dev_t dev;
	ino_t ino;
	off_t off;
	/* its own allocation: libuv holds a closed handle until the next
	 * loop turn, after the file's slot is cleared or reused */
	uv_fs_event_t *ev;
	unsigned long long bytes;
};

static const struct feature_env *ips_env;
static struct ips_file ips_files[IPS_SERVICES];
static bool ips_journal_on;
static uv_timer_t ips_check_timer;
static bool ips_timer_made;

/* the reader's stdin */
static int ips_in_fd = -1;
static uv_poll_t ips_in_poll;
static bool ips_in_polling, ips_in_closing;
static struct sbuf ips_queue;        /* frames waiting for the pipe */
static unsigned long long ips_sent, ips_records, ips_bad_records;
static ips_take_fn ips_take;

static void ips_read_all(void);

/* ---- the reader's input ---- */

static void ips_in_closed(uv_handle_t *h)
{
	(void)h;
	ips_in_closing = false;
}

static void ips_in_drop(void)
{
	if (ips_in_polling) {
		uv_poll_stop(&ips_in_poll);
		ips_in_closing = true;
		uv_close((uv_handle_t *)&ips_in_poll, ips_in_closed);
		ips_in_polling = false;
	}
	if (ips_in_fd >= 0)
		close(ips_in_fd);
	ips_in_fd = -1;
	ips_queue.len = 0;
}

static void ips_in_writable(uv_poll_t *h, int status, int events);

/* Writes what waits; watches the pipe while some remains. */
static void ips_in_flush(void)
{
	size_t off = 0;

	while (ips_in_fd >= 0 && off < ips_queue.len) {
		ssize_t w = write(ips_in_fd, ips_queue.s + off, ips_queue.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			/* the reader went: the supervisor starts another */
			ips_in_drop();
			return;
		}
		off += (size_t)w;
		ips_sent += (unsigned long long)w;
	}
	if (off) {
		memmove(ips_queue.s, ips_queue.s + off, ips_queue.len - off);
		ips_queue.len -= off;
	}
	if (ips_in_fd < 0)
		return;
	if (ips_queue.len && !ips_in_polling && !ips_in_closing && ips_env->loop) {
		uv_poll_init(ips_env->loop, &ips_in_poll, ips_in_fd);
		uv_poll_start(&ips_in_poll, UV_WRITABLE, ips_in_writable);
		ips_in_polling = true;
	} else if (!ips_queue.len && ips_in_polling) {
		uv_poll_stop(&ips_in_poll);
		ips_in_closing = true;
		uv_close((uv_handle_t *)&ips_in_poll, ips_in_closed);
		ips_in_polling = false;
	}
}

static void ips_in_writable(uv_poll_t *h, int status, int events)
{
	(void)h;
	(void)status;
	(void)events;
	core_enter();
	ips_in_flush();
	if (ips_queue.len < IPS_QUEUE_MAX / 2)
		ips_read_all();   /* what was held back while the queue was full */
	core_leave();
}

/* Queues bytes of svc's log for the reader; false when the queue is full. */
static bool ips_send(int svc, const char *p, size_t n)
{
	while (n) {
		size_t take = n < IPS_FRAME_MAX ? n : IPS_FRAME_MAX;
		unsigned char h[IPS_FRAME_HEADER];

		if (ips_in_fd < 0)
			return true;   /* no reader (yet): the bytes are dropped */
		ips_frame_header(h, svc, (uint32_t)take);
		sbuf_addn(&ips_queue, (const char *)h, sizeof(h));
		sbuf_addn(&ips_queue, p, take);
		p += take;
		n -= take;
	}
	ips_in_flush();
	return ips_queue.len < IPS_QUEUE_MAX;
}

static void ips_reader_started(void *arg, int in_fd)
{
	(void)arg;
	ips_in_drop();
	ips_in_fd = in_fd;
}

static bool ips_reader_line(void *arg, const char *line, size_t len)
{
	struct ips_record r;

	(void)arg;
	if (len < 4 || memcmp(line, "ips ", 4))
		return false;   /* the reader's own words: its log */
	if (!ips_record_parse(line, len, &r)) {
		ips_bad_records++;
		return false;
	}
	ips_records++;
	if (ips_take)
		ips_take(ips_env, &r);
	return true;
}

static const struct sv_io ips_reader_io = { ips_reader_line, ips_reader_started, true };

/* journalctl's lines: sshd's messages (--output=cat) */
static bool ips_journal_line(void *arg, const char *line, size_t len)
{
	(void)arg;
	/* journalctl's own complaints start "-- " or name itself */
	if (len >= 3 && !memcmp(line, "-- ", 3))
		return false;
	char *l = xmalloc(len + 1);
	memcpy(l, line, len);
	l[len] = '\n';
	ips_send(IPS_SVC_SSH, l, len + 1);
	free(l);
	return true;
}

static const struct sv_io ips_journal_io = { ips_journal_line, NULL, false };

/* ---- files ---- */

static void ips_file_close(struct ips_file *f)
{
	/* a file never set has the fd 0 of a static: difosd's stdin, not ours */
	if (f->path && f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Reads what was added; false when the queue is full (read again later). */
static bool ips_file_read(struct ips_file *f)
{
	char buf[65536];

	while (f->fd >= 0) {
		ssize_t r = pread(f->fd, buf, sizeof(buf), f->off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return true;
		f->off += r;
		f->bytes += (unsigned long long)r;
		if (!ips_send(f->svc, buf, (size_t)r))
			return false;
	}
	return true;
}

/* Opens the file when it is there and not yet open, or was replaced;
 * at_end: a first sight starts at its end. */
static void ips_file_check(struct ips_file *f, bool at_end)
{
	struct stat st;

	if (!f->path)
		return;
	if (stat(f->path, &st) < 0) {
		return;   /* not there (yet): the open one, if any, is read to its end */
	}
	if (f->fd >= 0 && (st.st_ino != f->ino || st.st_dev != f->dev)) {
		/* rotated: the rest of the old file, then the new one from its start */
		ips_file_read(f);
		ips_file_close(f);
		at_end = false;
	}
	if (f->fd < 0) {
		f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (f->fd < 0)
			return;
		f->ino = st.st_ino;
		f->dev = st.st_dev;
		f->off = at_end ? st.st_size : 0;
	} else if (st.st_size < f->off) {
		f->off = 0;   /* cut short (copytruncate) */
	}
}

static void ips_file_event(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct ips_file *f = h->data;

	(void)events;
	core_enter();
	if (status == 0 && (!name || !strcmp(name, f->base))) {
		ips_file_check(f, false);
		if (ips_queue.len < IPS_QUEUE_MAX)
			ips_file_read(f);
	}
	core_leave();
}

static void ips_ev_closed(uv_handle_t *h)
{
	free(h);
}

static void ips_file_watch(struct ips_file *f)
{
	uv_fs_event_t *ev;

	if (f->ev || !ips_env->loop || !f->dir)
		return;
	ev = xmalloc(sizeof(*ev));
	uv_fs_event_init(ips_env->loop, ev);
	ev->data = f;
	if (uv_fs_event_start(ev, ips_file_event, f->dir, 0) < 0) {
		uv_close((uv_handle_t *)ev, ips_ev_closed);
		return;   /* no folder yet: the 2 s check tries again */
	}
	f->ev = ev;
}

static void ips_file_unwatch(struct ips_file *f)
{
	if (f->ev) {
		uv_fs_event_stop(f->ev);
		uv_close((uv_handle_t *)f->ev, ips_ev_closed);
		f->ev = NULL;
	}
}

static void ips_file_set(struct ips_file *f, int svc, const char *path)
{
	if (f->path && path && !strcmp(f->path, path))
		return;
	ips_file_unwatch(f);
	ips_file_close(f);
	free(f->path);
	free(f->dir);
	free(f->base);
	/* all but the watch's handle, which may still be closing */
	f->path = f->dir = f->base = NULL;
	f->dev = 0;
	f->ino = 0;
	f->off = 0;
	f->bytes = 0;
	f->fd = -1;
	f->svc = svc;
	if (!path)
		return;
	f->path = xstrdup(path);
	{
		const char *slash = strrchr(path, '/');
		f->dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		f->base = xstrdup(slash + 1);
	}
	ips_file_check(f, true);
	ips_file_watch(f);
}

static void ips_read_all(void)
{
	for (int i = 0; i < IPS_SERVICES; i++)
		if (ips_queue.len < IPS_QUEUE_MAX)
			ips_file_read(&ips_files[i]);
}

static void ips_check_cb(uv_timer_t *t)
{
	(void)t;
	core_enter();
	for (int i = 0; i < IPS_SERVICES; i++) {
		ips_file_check(&ips_files[i], false);
		ips_file_watch(&ips_files[i]);
	}
	ips_read_all();
	core_leave();
}

/* ---- configuration ---- */

/* Is difosd's root the machine's own? */
static bool ips_root_is_slash(const struct feature_env *env)
{
	return !strcmp(env->paths.root, "/");
}

/* A path of the system below difosd's root. */
static char *ips_system_path(const struct feature_env *env, const char *path)
{
	return ips_root_is_slash(env) ? xstrdup(path) : xasprintf("%s%s", env->paths.root, path);
}

/* Where sshd's lines are: a file's path, "journal", or NULL (none found);
 * to free. Automatic: auth.log when the system writes one (rsyslog), else
 * the journal when journald runs (Debian 12's default). */
static char *ips_ssh_where(const struct feature_env *env, const char *source, const char *log)
{
	char *auth, *sock;

	if (source && !strcmp(source, "file"))
		return log ? xstrdup(log) : NULL;
	if (source && !strcmp(source, "journal"))
		return xstrdup("journal");
	auth = ips_system_path(env, "/var/log/auth.log");
	if (access(auth, R_OK) == 0)
		return auth;
	free(auth);
	sock = ips_system_path(env, "/run/systemd/journal/socket");
	if (access(sock, F_OK) == 0) {
		free(sock);
		return xstrdup("journal");
	}
	free(sock);
	return NULL;
}

struct ips_follow_args {
	const struct feature_env *env;
	const struct ips_conf *c;
	const char *source, *log;
	ips_take_fn take;
};

static void ips_follow_on_loop(void *arg)
{
	struct ips_follow_args *a = arg;
	const struct ips_conf *c = a->c;
	bool on = c->services != 0;
	char *ssh = (c->services & (1u << IPS_SVC_SSH)) ?
		    ips_ssh_where(a->env, a->source, a->log) : NULL;
	bool journal = ssh && !strcmp(ssh, "journal");
	char *ast = NULL, *logdir;

	ips_env = a->env;
	ips_take = a->take;
	if (!ips_timer_made && ips_env->loop) {
		uv_timer_init(ips_env->loop, &ips_check_timer);
		ips_timer_made = true;
		sbuf_init(&ips_queue);
		sv_set_io(IPS_READER, &ips_reader_io, NULL);
		sv_set_io(IPS_JOURNAL, &ips_journal_io, NULL);
	}
	if (on) {
		char *reader = xasprintf("%s/difos-ips-reader", ips_env->paths.libexec);
		char *argv[] = { reader, NULL };
		sv_ensure(IPS_READER, argv, NULL);
		free(reader);
	} else {
		sv_stop(IPS_READER);
		ips_in_drop();
	}
	if (c->services & (1u << IPS_SVC_ASTERISK)) {
		logdir = pbx_dir(ips_env, "log");
		ast = xasprintf("%s/security.log", logdir);
		free(logdir);
	}
	ips_file_set(&ips_files[IPS_SVC_SSH], IPS_SVC_SSH, ssh && !journal ? ssh : NULL);
	ips_file_set(&ips_files[IPS_SVC_ASTERISK], IPS_SVC_ASTERISK, ast);
	ips_file_set(&ips_files[IPS_SVC_GUI], IPS_SVC_GUI,
		     (c->services & (1u << IPS_SVC_GUI)) ? ips_env->paths.auth_log : NULL);
	free(ast);
	if (journal) {
		/* a difosd with a root of its own reads the journal below it */
		char *root = ips_root_is_slash(ips_env) ? NULL
							: xasprintf("--root=%s", ips_env->paths.root);
		char *argv[] = { "journalctl", "--follow", "--lines=0", "--output=cat",
				 "--identifier=sshd", "--identifier=sshd-session", root, NULL };
		sv_ensure(IPS_JOURNAL, argv, NULL);
		free(root);
	} else if (ips_journal_on) {
		sv_stop(IPS_JOURNAL);
	}
	ips_journal_on = journal;
	free(ssh);
	if (ips_timer_made) {
		if (on)
			uv_timer_start(&ips_check_timer, ips_check_cb, IPS_CHECK_MS, IPS_CHECK_MS);
		else
			uv_timer_stop(&ips_check_timer);
	}
}

void ips_follow_configure(const struct feature_env *env, const struct ips_conf *c,
			  const char *ssh_source, const char *ssh_log, ips_take_fn take)
{
	struct ips_follow_args a = { env, c, ssh_source, ssh_log, take };

	core_on_loop(ips_follow_on_loop, &a);
}

static void ips_stop_on_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < IPS_SERVICES; i++)
		ips_file_set(&ips_files[i], i, NULL);
	ips_in_drop();
	if (ips_timer_made) {
		uv_timer_stop(&ips_check_timer);
		uv_close((uv_handle_t *)&ips_check_timer, NULL);
		ips_timer_made = false;
	}
	sbuf_free(&ips_queue);
}

void ips_follow_stop(void)
{
	core_on_loop(ips_stop_on_loop, NULL);
}

json_t *ips_follow_status(void)
{
	json_t *sources = json_object();

	for (int i = 0; i < IPS_SERVICES; i++) {
		const struct ips_file *f = &ips_files[i];
		if (f->path)
			json_object_set_new(sources, ips_svc_name(i), json_pack(
				"{s:s, s:b, s:I}", "log", f->path, "open", f->fd >= 0, "bytes",
				(json_int_t)f->bytes));
	}
	if (ips_journal_on)
		json_object_set_new(sources, "ssh", json_pack("{s:s}", "log", "journal"));
	return json_pack("{s:o, s:I, s:I, s:I, s:I}", "sources", sources, "bytes_to_reader",
			 (json_int_t)ips_sent, "records", (json_int_t)ips_records, "bad_records",
			 (json_int_t)ips_bad_records, "waiting", (json_int_t)ips_queue.len);
}
