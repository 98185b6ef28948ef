#pragma once

#include "net/cli/optiontable.h"

#include <QString>
#include <QStringList>

struct CliParse
{
    enum class Outcome { Run, Help, Version, UsageError };
    Outcome outcome = Outcome::UsageError;
    CliOptions options;
    QString message; // the help text, or the one-line usage error
};

// Who reads the command line: socklab-cli, or the window (socklab tcp-server
// ...), which refuses the options it has no use for, naming them.
enum class Front { Cli, Window };

// arguments as QCoreApplication::arguments() gives them (program first).
CliParse parseCli(const QStringList &arguments, Front front = Front::Cli);
QString cliHelp(const QString &command = {});
