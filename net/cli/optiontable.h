#pragma once

#include "net/core/sessionconfig.h"
#include "net/tftp/tftptransfer.h"

#include <QFlags>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

// Exit status of socklab-cli, whatever the command (and of the window when
// its command line is wrong).
inline constexpr int ExitSuccess = 0;
inline constexpr int ExitFailure = 1; // a runtime error: port in use, refused, transfer failed
inline constexpr int ExitUsage = 2; // the command line is wrong

// The commands of socklab-cli (and of the window's command line).
enum class Command : unsigned {
    TcpServer = 0x01,
    TcpClient = 0x02,
    Udp = 0x04,
    TftpGet = 0x08,
    TftpPut = 0x10,
};
Q_DECLARE_FLAGS(Commands, Command)
Q_DECLARE_OPERATORS_FOR_FLAGS(Commands)

inline constexpr Commands SessionCommands
    = Commands(Command::TcpServer) | Command::TcpClient | Command::Udp;
inline constexpr Commands TftpCommands = Commands(Command::TftpGet) | Command::TftpPut;

QString commandName(Command command); // "tcp-server", ..., "tftp get"
Command sessionCommand(Session::Kind kind);

// Everything the command line asked for, checked: a CliOptions either comes
// with an empty error or is not used. What describes the session is its
// SessionConfig; how the console shows it and whether it reads standard
// input are socklab-cli's own.
struct CliOptions
{
    enum class Output { Human, Json, Quiet };

    SessionConfig session;
    Output output = Output::Human;
    bool stdinLines = false;
};

// socklab-cli tftp get|put: one transfer.
struct TftpCommand
{
    TftpRequest request;
    QString server; // as the user wrote it, for messages
    bool json = false;
    bool noOptions = false;
};

// What a command line's options set; each option writes its part.
struct CommandLine
{
    Command command = Command::TcpServer;
    CliOptions cli; // the session commands
    TftpCommand tftp; // tftp get|put
};

// One option, declared once: its names (long first), its argument, its help,
// the commands it belongs to, how it sets the command line, and whether the
// window's command line refuses it.
struct Option
{
    QStringList names;
    QString valueName; // empty: a flag
    QString help; // lines after the first are indented under it
    Commands commands;
    QString section; // the heading it is listed under in --help
    // Sets value (empty for a flag; once per value of a repeated option)
    // into line, in table order; an error names the option ("--ttl: ...").
    std::function<QString(CommandLine &line, const QString &value)> apply;
    // Why the window refuses the option; empty: the window honours it.
    QString windowRefusal = {};
};

const QList<Option> &optionTable();

// A command line read with the table's options for one command.
struct OptionParse
{
    Command command = Command::TcpServer;
    QString error; // a one-line usage error; empty when reading went through
    bool help = false; // -h/--help was given
    QStringList positional;
    QList<const Option *> given; // in table order
    QHash<QString, QStringList> values; // by first name

    bool isSet(const QString &name) const { return values.contains(name); }
    QString value(const QString &name) const { return values.value(name).value(0); }
    // "tftp get: " for the tftp commands, where every usage error starts so.
    QString prefix() const;
};

// Reads arguments (the program name, then the command's options and
// operands). An option of another command is "option 'x' does not apply to
// udp"; an unknown one is Qt's "Unknown option 'x'.".
OptionParse readOptions(Command command, const QStringList &arguments);
// Applies the options given to line, in table order; the first error (with
// the command's prefix) or an empty string.
QString applyOptions(const OptionParse &parse, CommandLine &line);

// "  -e, --encoding NAME     utf-8, gb2312 ..." for every option of commands,
// under the headings of their sections, in table order.
QString optionHelp(Commands commands, int column);
