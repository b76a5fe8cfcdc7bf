#include "core/daemon.h"

struct daemon difosd;
