/*
 * How difosd hands log bytes to the reader process (src/ips-reader): a
 * frame is an 8-byte header — the service (0 ssh, 1 asterisk, 2 gui),
 * three zero bytes, the payload's length as 32 bits little endian, at most
 * IPS_FRAME_MAX — then that many bytes of the log, cut anywhere.
 */
#ifndef DIFOS_IPS_FRAME_H
#define DIFOS_IPS_FRAME_H

#include <stdint.h>

#define IPS_FRAME_HEADER 8
#define IPS_FRAME_MAX 65536

static inline void ips_frame_header(unsigned char *h, int service, uint32_t len)
{
	h[0] = (unsigned char)service;
	h[1] = h[2] = h[3] = 0;
	for (int i = 0; i < 4; i++)
		h[4 + i] = (unsigned char)(len >> (8 * i));
}

#endif
