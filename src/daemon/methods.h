/* Every method table of difosd: the core's parts, then each feature's. */
#ifndef DIFOS_DAEMON_METHODS_H
#define DIFOS_DAEMON_METHODS_H

/* Registers them all (difosd, difosctl and the tests call it once). */
void methods_register_all(void);

#endif
