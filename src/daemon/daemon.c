#include "daemon/daemon.h"

struct daemon difosd;
