/* The router dashboard: its reads, gathered and pushed to the web. */
#ifndef DIFOS_DASHBOARD_H
#define DIFOS_DASHBOARD_H

#include "rpc/rpc.h"

/* reads.c: the methods "interfaces" and "system" */
json_t *dashboard_interfaces(struct rpc_call *c);
json_t *dashboard_system(struct rpc_call *c);

/* dashboard_print.c: difosctl's tables of them */
void dashboard_print_interfaces(const json_t *res);
void dashboard_print_system(const json_t *res);

#endif
