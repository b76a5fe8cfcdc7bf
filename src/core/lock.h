/*
 * The core lock: difosd's state (the engine, the features, the supervisor,
 * the store) is touched by one thread at a time. The loop thread takes the
 * lock in every callback that enters the core; the apply worker holds it
 * for its whole run and lets go only while it waits on the outside world
 * (a command, an nft transaction, an engine starting), touching nothing
 * shared meanwhile. So requests are answered during the long waits of an
 * apply, and every piece of state is still only ever seen whole.
 *
 * libuv itself is the loop thread's alone: a worker that must start a
 * timer, an engine or an event asks the loop thread to do it (core_on_loop).
 * The lock is fair (tickets): a waiting request is let in at the worker's
 * next wait, not starved by it.
 */
#ifndef DIFOS_CORE_LOCK_H
#define DIFOS_CORE_LOCK_H

#include <stdbool.h>
#include <uv.h>

/* Called once on the loop thread before the loop runs (or never: offline
 * tools and unit tests, where the lock costs nothing and nothing waits). */
void core_lock_init(uv_loop_t *loop);
void core_lock_close(void);

/* Around core code; nests on one thread. */
void core_enter(void);
void core_leave(void);

/* Around a wait on the outside world, in a worker: others may run the core
 * meanwhile. On the loop thread (which never waits for a worker) a no-op. */
void core_outside_begin(void);
void core_outside_end(void);

/* True on the loop thread (and when no loop was set up). */
bool core_on_loop_thread(void);

/* Runs fn(arg) on the loop thread, with the lock, and returns when it ran;
 * called on the loop thread, it simply calls fn. */
void core_on_loop(void (*fn)(void *arg), void *arg);

/* The state's version: advanced by whatever changes the core's state (a
 * method that is no read, a feature's state, an engine's start, stop or
 * output, an event). A read may keep what it computed while the version
 * stands still (status, for a second). */
void core_state_changed(void);
unsigned long core_state_version(void);

#endif
