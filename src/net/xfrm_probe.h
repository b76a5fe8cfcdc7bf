/*
 * Does the kernel take IPsec ESP states? Some kernels have XFRM without
 * the ESP transform (no esp4/esp6): an IKE daemon then needs its own,
 * userspace ESP. Asked once by adding an ESP state on the loopback and
 * removing it again.
 */
#ifndef DIFOS_XFRM_PROBE_H
#define DIFOS_XFRM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* true when an ESP state (AES-CBC, HMAC-SHA1) could be added; else the
 * kernel's reason in why */
bool net_xfrm_esp_works(char *why, size_t whylen);

#endif
