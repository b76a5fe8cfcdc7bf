/* PBX › Extensions, private: the strength check of the SIP passwords. */
#ifndef DIFOS_EXTENSIONS_INT_H
#define DIFOS_EXTENSIONS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/auth.h"

/* auth_password_strength_of (the number must not be in the password), with
 * the verdict "strong" remembered: a password found strong once for that
 * number is not checked again while the process runs; a remembered verdict
 * has no score (-1). */
void ext_password_strength(const char *password, const char *number, struct auth_strength *out);

/* How many times the library was asked (for the tests). */
size_t ext_password_checks(void);

#endif
