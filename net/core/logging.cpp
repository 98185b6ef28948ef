#include "net/core/logging.h"

Q_LOGGING_CATEGORY(lcTcp, "socklab.net.tcp", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUdp, "socklab.net.udp", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTftp, "socklab.net.tftp", QtWarningMsg)
Q_LOGGING_CATEGORY(lcText, "socklab.net.text", QtWarningMsg)
Q_LOGGING_CATEGORY(lcNetLog, "socklab.net.log", QtWarningMsg)
