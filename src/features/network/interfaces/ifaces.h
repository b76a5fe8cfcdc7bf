/* Custom interfaces: extra ports with a zone and a static address. */
#ifndef DIFOS_IFACES_H
#define DIFOS_IFACES_H

#include <jansson.h>
#include <stdbool.h>

/* True when dev is the LAN bridge, a LAN member or the WAN port; *owner
 * then names the owner ("the LAN", "the WAN") for messages. */
bool ifaces_device_taken(const json_t *doc, const char *dev, const char **owner);

#endif
