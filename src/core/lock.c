/* The core lock and the calls a worker hands to the loop thread (lock.h). */
#include <pthread.h>
#include <stdlib.h>

#include "core/lock.h"
#include "core/util.h"

static pthread_mutex_t lock_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lock_turn = PTHREAD_COND_INITIALIZER;
static unsigned long lock_next_ticket, lock_serving;
static pthread_t lock_owner;
static int lock_depth;          /* the owner's nesting; 0: free */
static bool lock_ready;
static pthread_t loop_thread;

/* one call handed to the loop thread */
struct loop_call {
	void (*fn)(void *arg);
	void *arg;
	bool done;
	struct loop_call *next;
};

static uv_async_t calls_async;
static struct loop_call *calls_head, **calls_tail = &calls_head;
static pthread_cond_t calls_done = PTHREAD_COND_INITIALIZER;

static bool lock_mine(void)
{
	return lock_depth > 0 && pthread_equal(lock_owner, pthread_self());
}

/* Takes the lock in ticket order; lock_mutex held by the caller. */
static void lock_take(void)
{
	unsigned long ticket = lock_next_ticket++;

	while (ticket != lock_serving || lock_depth > 0)
		pthread_cond_wait(&lock_turn, &lock_mutex);
	lock_owner = pthread_self();
	lock_depth = 1;
}

static void lock_give(void)
{
	lock_depth = 0;
	lock_serving++;
	pthread_cond_broadcast(&lock_turn);
}

void core_enter(void)
{
	if (!lock_ready)
		return;
	pthread_mutex_lock(&lock_mutex);
	if (lock_mine())
		lock_depth++;
	else
		lock_take();
	pthread_mutex_unlock(&lock_mutex);
}

void core_leave(void)
{
	if (!lock_ready)
		return;
	pthread_mutex_lock(&lock_mutex);
	if (lock_mine() && --lock_depth == 0)
		lock_give();
	pthread_mutex_unlock(&lock_mutex);
}

bool core_on_loop_thread(void)
{
	return !lock_ready || pthread_equal(loop_thread, pthread_self());
}

/* The worker's nesting is kept across the wait and given back after it. */
static __thread int outside_depth;

void core_outside_begin(void)
{
	if (core_on_loop_thread())
		return;
	pthread_mutex_lock(&lock_mutex);
	if (lock_mine()) {
		outside_depth = lock_depth;
		lock_give();
	}
	pthread_mutex_unlock(&lock_mutex);
}

void core_outside_end(void)
{
	if (core_on_loop_thread() || !outside_depth)
		return;
	pthread_mutex_lock(&lock_mutex);
	lock_take();
	lock_depth = outside_depth;
	outside_depth = 0;
	pthread_mutex_unlock(&lock_mutex);
}

static void calls_run(uv_async_t *a)
{
	(void)a;
	for (;;) {
		struct loop_call *c;

		pthread_mutex_lock(&lock_mutex);
		c = calls_head;
		if (c && !(calls_head = c->next))
			calls_tail = &calls_head;
		pthread_mutex_unlock(&lock_mutex);
		if (!c)
			return;
		core_enter();
		c->fn(c->arg);
		core_leave();
		pthread_mutex_lock(&lock_mutex);
		c->done = true;
		pthread_cond_broadcast(&calls_done);
		pthread_mutex_unlock(&lock_mutex);
	}
}

void core_on_loop(void (*fn)(void *arg), void *arg)
{
	struct loop_call c = { .fn = fn, .arg = arg };

	if (core_on_loop_thread()) {
		fn(arg);
		return;
	}
	/* the loop thread needs the lock to run it: let go while waiting */
	core_outside_begin();
	pthread_mutex_lock(&lock_mutex);
	*calls_tail = &c;
	calls_tail = &c.next;
	uv_async_send(&calls_async);
	while (!c.done)
		pthread_cond_wait(&calls_done, &lock_mutex);
	pthread_mutex_unlock(&lock_mutex);
	core_outside_end();
}

/* read and advanced with the lock held */
static unsigned long state_version;

void core_state_changed(void)
{
	state_version++;
}

unsigned long core_state_version(void)
{
	return state_version;
}

void core_lock_init(uv_loop_t *loop)
{
	loop_thread = pthread_self();
	uv_async_init(loop, &calls_async, calls_run);
	uv_unref((uv_handle_t *)&calls_async);
	lock_ready = true;
}

void core_lock_close(void)
{
	if (!lock_ready)
		return;
	uv_close((uv_handle_t *)&calls_async, NULL);
	lock_ready = false;
}
