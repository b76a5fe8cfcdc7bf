/* PBX › Trunks: the section and what it adds to the Asterisk files. */
#ifndef DIFOS_TRUNKS_H
#define DIFOS_TRUNKS_H

#include "apply/feature.h"

extern const struct sc_field *const trunks_sections[];

#endif
