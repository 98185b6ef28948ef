#pragma once

#include <QLoggingCategory>

// Diagnostics for developers, apart from the traffic log that users read: a
// refused setsockopt, a poller that cannot watch a socket, a retransmission,
// a codec the build lacks, a log file that cannot be written. Warnings and
// above show by default; more with QT_LOGGING_RULES, for instance
// "socklab.net.tcp.debug=true" or "socklab.net.*.debug=true". A failure the
// user is told of anyway is a debug message, so it is not said twice.
Q_DECLARE_LOGGING_CATEGORY(lcTcp) // socklab.net.tcp
Q_DECLARE_LOGGING_CATEGORY(lcUdp) // socklab.net.udp
Q_DECLARE_LOGGING_CATEGORY(lcTftp) // socklab.net.tftp
Q_DECLARE_LOGGING_CATEGORY(lcText) // socklab.net.text
Q_DECLARE_LOGGING_CATEGORY(lcNetLog) // socklab.net.log
