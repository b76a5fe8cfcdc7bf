/*
 * Failed logins per source address. After AUTH_FREE_FAILURES failures
 * within the window an address waits, twice as long for every further
 * failure. Each failure is also written as one line to the auth log that
 * intrusion prevention reads:
 *
 *   2026-11-21T10:00:00Z login-failed peer=192.0.2.7 user=admin
 *
 * The peer comes from the socket, never from a header; the user name is
 * reduced to [A-Za-z0-9._-] and comes last, so attacker-chosen text cannot
 * fake a peer field.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/util.h"

#define AUTH_PEERS          256
#define AUTH_FREE_FAILURES  5
#define AUTH_WINDOW_MS      (10 * 60 * 1000LL)
#define AUTH_FIRST_WAIT_MS  (30 * 1000LL)
#define AUTH_MAX_WAIT_MS    (3600 * 1000LL)

struct peer_record {
	char addr[64];
	int failures;
	long long first, last, blocked_until;
};

static struct peer_record peers[AUTH_PEERS];
static char *log_path;

void auth_throttle_log(const char *path)
{
	free(log_path);
	log_path = path ? xstrdup(path) : NULL;
}

void auth_throttle_reset(void)
{
	memset(peers, 0, sizeof(peers));
}

static struct peer_record *peer_find(const char *addr, bool create)
{
	struct peer_record *oldest = &peers[0];

	for (int i = 0; i < AUTH_PEERS; i++) {
		if (peers[i].addr[0] && !strcmp(peers[i].addr, addr))
			return &peers[i];
		if (peers[i].last < oldest->last)
			oldest = &peers[i];
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	return oldest;
}

long long auth_throttle_wait(const char *peer)
{
	struct peer_record *p = peer_find(peer ? peer : "", false);
	long long now = auth_now_ms();

	if (!p || p->blocked_until <= now)
		return 0;
	return (p->blocked_until - now + 999) / 1000;
}

static void auth_log_failure(const char *peer, const char *user)
{
	char name[33], stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t n = 0;
	int fd;

	for (const char *u = user ? user : ""; *u && n < sizeof(name) - 1; u++)
		name[n++] = isalnum((unsigned char)*u) || strchr("._-", *u) ? *u : '?';
	name[n] = '\0';
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!log_path)
		return;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dprintf(fd, "%s login-failed peer=%s user=%s\n", stamp, peer, n ? name : "-");
	close(fd);
}

void auth_throttle_failed(const char *peer, const char *user)
{
	struct peer_record *p = peer_find(peer ? peer : "", true);
	long long now = auth_now_ms();

	if (now - p->first > AUTH_WINDOW_MS && p->blocked_until <= now) {
		p->first = now;
		p->failures = 0;
	}
	p->failures++;
	p->last = now;
	if (p->failures >= AUTH_FREE_FAILURES) {
		long long wait = AUTH_FIRST_WAIT_MS;
		for (int i = AUTH_FREE_FAILURES; i < p->failures && wait < AUTH_MAX_WAIT_MS; i++)
			wait *= 2;
		p->blocked_until = now + (wait < AUTH_MAX_WAIT_MS ? wait : AUTH_MAX_WAIT_MS);
	}
	auth_log_failure(peer ? peer : "-", user);
}

void auth_throttle_passed(const char *peer)
{
	struct peer_record *p = peer_find(peer ? peer : "", false);

	if (p)
		memset(p, 0, sizeof(*p));
}
