#include "net/io/logging.h"

Q_LOGGING_CATEGORY(lcTcp, "socklab.net.tcp", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUdp, "socklab.net.udp", QtWarningMsg)
