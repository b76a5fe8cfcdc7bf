/*
 * The terminal's sessions: a one-time ticket, then a root shell on a
 * pseudo-terminal read on the loop. Its output goes to difosd-web as
 * notifications of at most TERM_READ_MAX bytes; once TERM_UNACKED_MAX bytes
 * are sent and not acknowledged (difosd-web acknowledges what it handed to
 * the browser's socket), the master is no longer read, so a shell printing
 * without end (`yes`) waits on its terminal instead of growing difosd.
 * Keystrokes the shell does not read are kept up to TERM_INPUT_MAX, then
 * the session ends. Each session leaves two lines in the auth log.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/engine.h"
#include "auth/auth.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/spawn.h"
#include "core/util.h"
#include "rpc/control.h"
#include "store/doc.h"
#include "terminal_int.h"

#define TERM_TICK_MS     1000
#define TERM_REAP_MS     100
#define TERM_KILL_AFTER  30          /* reaper ticks before SIGKILL (3 s) */

struct term {
	int id;
	unsigned char key[32];       /* the ticket's hash; the ticket itself is not kept */
	long long expires;           /* the ticket's end (monotonic ms) */
	bool attached;
	char user[32], peer[64];
	pid_t pid;
	int master;
	uv_poll_t poll;
	int events;                  /* what the poll watches now */
	long long opened, last_input;
	unsigned long long bytes_in, bytes_out;
	size_t unacked;
	struct sbuf pending;         /* keystrokes not yet written */
	struct term *next;
};

/* a shell that was told to hang up, until it is reaped */
struct term_reap {
	pid_t pid;
	int ticks;
	uv_timer_t timer;
};

static const struct feature_env *term_env;
static struct term *terms;
static uv_timer_t term_timer;
static bool term_timer_ready;
static int term_next_id = 1;

static int term_count(void)
{
	int n = 0;

	for (struct term *t = terms; t; t = t->next)
		n++;
	return n;
}

static struct term *term_find(int id)
{
	for (struct term *t = terms; t; t = t->next)
		if (t->id == id && t->attached)
			return t;
	return NULL;
}

static void term_audit(const struct term *t, const char *what, const char *extra)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	log_info("terminal %d: %s peer=%s user=%s%s", t->id, what, t->peer, t->user, extra);
	if (!term_env || !term_env->paths.auth_log)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fd = open(term_env->paths.auth_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dprintf(fd, "%s %s peer=%s user=%s id=%d%s\n", stamp, what, t->peer, t->user, t->id, extra);
	close(fd);
}

static void term_reap_closed(uv_handle_t *h)
{
	free(h->data);
}

static void term_reap_tick(uv_timer_t *timer)
{
	struct term_reap *r = timer->data;
	int st;

	if (waitpid(r->pid, &st, WNOHANG) != 0) {
		uv_timer_stop(timer);
		uv_close((uv_handle_t *)timer, term_reap_closed);
		return;
	}
	if (++r->ticks == TERM_KILL_AFTER)
		kill(-r->pid, SIGKILL);
}

/* The shell's group hangs up as on a modem's line drop; what ignores
 * SIGHUP gets SIGKILL 3 s later; the shell is reaped here (the
 * supervisor reaps only its engines). */
static void term_reap(pid_t pid)
{
	struct term_reap *r;
	int st;

	if (pid <= 0)
		return;
	kill(-pid, SIGHUP);
	kill(-pid, SIGCONT);
	if (waitpid(pid, &st, WNOHANG) != 0)
		return;
	r = xcalloc(1, sizeof(*r));
	r->pid = pid;
	uv_timer_init(term_env->loop, &r->timer);
	uv_unref((uv_handle_t *)&r->timer);
	r->timer.data = r;
	uv_timer_start(&r->timer, term_reap_tick, TERM_REAP_MS, TERM_REAP_MS);
}

static void term_poll_closed(uv_handle_t *h)
{
	struct term *t = h->data;

	sbuf_free(&t->pending);
	free(t);
}

static void term_notify(const char *method, json_t *params)
{
	control_web_notify(method, params);
	json_decref(params);
}

bool term_end(int id, const char *reason)
{
	struct term *t = NULL;
	char extra[160];

	for (struct term **pp = &terms; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			t = *pp;
			*pp = t->next;
			break;
		}
	if (!t)
		return false;
	if (!t->attached) {
		sbuf_free(&t->pending);
		free(t);
		return true;
	}
	snprintf(extra, sizeof(extra), " seconds=%lld bytes_in=%llu bytes_out=%llu reason=%s",
		 (now_ms() - t->opened) / 1000, t->bytes_in, t->bytes_out, reason);
	term_audit(t, "terminal-close", extra);
	term_notify("terminal.exit", json_pack("{s:i, s:s}", "id", t->id, "reason", reason));
	uv_poll_stop(&t->poll);
	close(t->master);
	term_reap(t->pid);
	uv_close((uv_handle_t *)&t->poll, term_poll_closed);
	return true;
}

static void term_poll_cb(uv_poll_t *p, int status, int events);

static void term_watch(struct term *t)
{
	int ev = (t->unacked < TERM_UNACKED_MAX ? UV_READABLE : 0) | (t->pending.len ? UV_WRITABLE : 0);

	if (ev == t->events)
		return;
	t->events = ev;
	if (ev)
		uv_poll_start(&t->poll, ev, term_poll_cb);
	else
		uv_poll_stop(&t->poll);
}

static void term_output(struct term *t)
{
	unsigned char buf[TERM_READ_MAX];
	ssize_t n = read(t->master, buf, sizeof(buf));
	size_t b64len;
	char *b64;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EIO: the shell and everything it left on the terminal are gone */
		term_end(t->id, "exit");
		return;
	}
	b64len = sodium_base64_encoded_len((size_t)n, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(b64len);
	sodium_bin2base64(b64, b64len, buf, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	term_notify("terminal.output", json_pack("{s:i, s:s}", "id", t->id, "data", b64));
	free(b64);
	t->bytes_out += (unsigned long long)n;
	t->unacked += (size_t)n;
	term_watch(t);
}

static void term_flush(struct term *t)
{
	ssize_t n = write(t->master, t->pending.s, t->pending.len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		term_end(t->id, "exit");
		return;
	}
	memmove(t->pending.s, t->pending.s + n, t->pending.len - (size_t)n);
	t->pending.len -= (size_t)n;
	t->pending.s[t->pending.len] = '\0';
	term_watch(t);
}

static void term_poll_cb(uv_poll_t *p, int status, int events)
{
	struct term *t = p->data;
	int id = t->id;

	core_enter();
	if (status < 0)
		term_end(id, "exit");
	else {
		if ((events & UV_WRITABLE) && t->pending.len)
			term_flush(t);
		if ((events & UV_READABLE) && term_find(id))
			term_output(t);
	}
	core_leave();
}

static long long term_idle_limit(void)
{
	const json_t *doc = term_env && term_env->engine ? term_env->engine->running : NULL;

	return doc ? doc_int(doc, "terminal.idle_timeout", TERM_IDLE_DEFAULT) : TERM_IDLE_DEFAULT;
}

static void term_tick(uv_timer_t *timer)
{
	long long now = now_ms(), idle = term_idle_limit() * 1000;

	(void)timer;
	core_enter();
	for (struct term *t = terms, *next; t; t = next) {
		next = t->next;
		if (!t->attached && now > t->expires)
			term_end(t->id, "expired");
		else if (t->attached && now - t->last_input > idle)
			term_end(t->id, "idle");
	}
	if (!terms)
		uv_timer_stop(&term_timer);
	core_leave();
}

int term_ticket_new(const char *user, const char *peer, char *ticket_out)
{
	struct term *t;

	if (term_count() >= TERM_MAX_SESSIONS)
		return -1;
	t = xcalloc(1, sizeof(*t));
	t->id = term_next_id++;
	t->master = -1;
	sbuf_init(&t->pending);
	snprintf(t->user, sizeof(t->user), "%s", user);
	snprintf(t->peer, sizeof(t->peer), "%s", peer);
	auth_random_hex(ticket_out, TERM_TICKET_BYTES);
	auth_hash_token(ticket_out, t->key);
	t->expires = now_ms() + TERM_TICKET_MS;
	t->next = terms;
	terms = t;
	if (term_timer_ready && !uv_is_active((uv_handle_t *)&term_timer))
		uv_timer_start(&term_timer, term_tick, TERM_TICK_MS, TERM_TICK_MS);
	return 0;
}

/* root's login shell, as login(1) would start it: "-bash" */
static pid_t term_spawn(unsigned cols, unsigned rows, int *master)
{
	struct passwd *pw = getpwuid(0);
	const char *shell = pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
	const char *home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/";
	const char *base;
	char *argv[2], *envp[9];
	pid_t pid;

	if (access(shell, X_OK) < 0)
		shell = "/bin/sh";
	base = strrchr(shell, '/') ? strrchr(shell, '/') + 1 : shell;
	argv[0] = xasprintf("-%s", base);
	argv[1] = NULL;
	envp[0] = xstrdup("TERM=xterm-256color");
	envp[1] = xasprintf("HOME=%s", home);
	envp[2] = xasprintf("SHELL=%s", shell);
	envp[3] = xstrdup("USER=root");
	envp[4] = xstrdup("LOGNAME=root");
	envp[5] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	envp[6] = xstrdup("LANG=C.UTF-8");
	envp[7] = xstrdup("COLORTERM=truecolor");
	envp[8] = NULL;
	pid = spawn_pty(shell, argv, envp, home, (unsigned short)cols, (unsigned short)rows,
			master);
	free(argv[0]);
	for (size_t i = 0; envp[i]; i++)
		free(envp[i]);
	return pid;
}

int term_attach(const char *ticket, const char *peer, unsigned cols, unsigned rows,
		const char **why)
{
	unsigned char key[32];
	struct term *t;
	pid_t pid;

	auth_hash_token(ticket, key);
	for (t = terms; t; t = t->next)
		if (!t->attached && !sodium_memcmp(t->key, key, sizeof(key)))
			break;
	if (!t || now_ms() > t->expires) {
		*why = "ticket: not a ticket of terminal.open, already used, or older than 60 s";
		return -1;
	}
	if (strcmp(t->peer, peer)) {
		/* a ticket is the browser's that asked for it, not a stolen copy's */
		term_end(t->id, "peer");
		*why = "ticket: issued to another address";
		return -1;
	}
	pid = term_spawn(cols, rows, &t->master);
	if (pid < 0) {
		term_end(t->id, "spawn");
		*why = "the shell could not be started";
		return -1;
	}
	t->pid = pid;
	t->attached = true;
	t->opened = t->last_input = now_ms();
	uv_poll_init(term_env->loop, &t->poll, t->master);
	t->poll.data = t;
	t->events = -1;
	term_watch(t);
	term_audit(t, "terminal-open", "");
	return t->id;
}

void term_input(int id, const unsigned char *data, size_t len)
{
	struct term *t = term_find(id);

	if (!t)
		return;
	t->last_input = now_ms();
	t->bytes_in += len;
	if (t->pending.len + len > TERM_INPUT_MAX) {
		term_end(id, "input-overflow");
		return;
	}
	sbuf_addn(&t->pending, (const char *)data, len);
	term_flush(t);
}

void term_resize(int id, unsigned cols, unsigned rows)
{
	struct term *t = term_find(id);
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	/* the kernel sends SIGWINCH to the terminal's foreground group */
	if (t)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

void term_acked(int id, size_t bytes)
{
	struct term *t = term_find(id);

	if (!t)
		return;
	t->unacked = bytes >= t->unacked ? 0 : t->unacked - bytes;
	term_watch(t);
}

json_t *term_list(void)
{
	json_t *a = json_array();
	long long now = now_ms();

	for (struct term *t = terms; t; t = t->next)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
			"id", t->id, "user", t->user, "peer", t->peer,
			"state", t->attached ? "open" : "ticket",
			"seconds", (json_int_t)(t->attached ? (now - t->opened) / 1000 : 0),
			"idle_seconds", (json_int_t)(t->attached ? (now - t->last_input) / 1000 : 0),
			"bytes_in", (json_int_t)t->bytes_in, "bytes_out", (json_int_t)t->bytes_out));
	return a;
}

static void term_end_all(const char *reason)
{
	while (terms)
		term_end(terms->id, reason);
}

/* difosd-web went away: its sockets, and so the sessions, are gone */
static void term_web_gone(void)
{
	term_end_all("web-closed");
}

void term_init(const struct feature_env *env)
{
	term_env = env;
	if (!env->loop)
		return;
	uv_timer_init(env->loop, &term_timer);
	uv_unref((uv_handle_t *)&term_timer);
	term_timer_ready = true;
	control_on_web_gone(term_web_gone);
}

void term_stop(void)
{
	term_end_all("shutdown");
	if (term_timer_ready) {
		uv_timer_stop(&term_timer);
		uv_close((uv_handle_t *)&term_timer, NULL);
		term_timer_ready = false;
	}
}
