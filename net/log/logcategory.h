#pragma once

#include <QLoggingCategory>

// Diagnostics of the traffic log and its files (socklab.net.log), for
// developers: never the traffic log itself, which is what users see. Only
// warnings show by default; a failure the user is told of anyway (a file that
// cannot be written) is a debug message, so it is not said twice.
Q_DECLARE_LOGGING_CATEGORY(lcNetLog)
