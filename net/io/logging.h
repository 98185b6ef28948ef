#pragma once

#include <QLoggingCategory>

// Diagnostics of the socket layer, apart from the traffic log the user reads:
// a refused setsockopt, a poller that cannot watch a socket. Warnings and
// above are shown by default; more with QT_LOGGING_RULES, for instance
// "socklab.net.tcp.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcTcp)
Q_DECLARE_LOGGING_CATEGORY(lcUdp)
