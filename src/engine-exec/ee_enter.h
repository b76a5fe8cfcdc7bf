/*
 * Entering the engine root: a mount namespace of our own, the host paths
 * bound at the same paths inside the root, then chroot. Needs CAP_SYS_ADMIN
 * and CAP_SYS_CHROOT; tested by tests/integration/test_engine_exec.py.
 */
#ifndef DIFOS_EE_ENTER_H
#define DIFOS_EE_ENTER_H

#include <stddef.h>

#include "ee_args.h"

/* Returns 0 inside the root with "/" as working folder, or -1 with err set. */
int ee_enter(const struct ee_args *a, char *err, size_t errlen);

/* --bind-at: a mount namespace of our own, each SRC bound over DST (no
 * root). Returns 0, or -1 with err set. */
int ee_bind_at(const struct ee_args *a, char *err, size_t errlen);

#endif
