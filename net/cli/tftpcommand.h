#pragma once

#include <QString>
#include <QStringList>

// socklab-cli tftp get|put: one transfer with a TFTP server, run to the end
// in its own event loop. arguments are as QCoreApplication::arguments() gives
// them ("socklab-cli", "tftp", ...). Returns the exit code: 0 success, 1 the
// transfer failed, 2 the command line is wrong.
int runTftpCommand(const QStringList &arguments);

QString tftpHelp();
