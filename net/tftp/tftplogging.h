#pragma once

#include <QLoggingCategory>

// Diagnostics of net/tftp (retransmissions, refused strangers, buffer sizes),
// apart from what a transfer reports in its result.
Q_DECLARE_LOGGING_CATEGORY(lcTftp)
