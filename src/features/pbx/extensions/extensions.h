/* PBX › Extensions: the section and what it adds to the Asterisk files. */
#ifndef DIFOS_EXTENSIONS_H
#define DIFOS_EXTENSIONS_H

#include "apply/feature.h"

extern const struct sc_field *const extensions_sections[];

#endif
