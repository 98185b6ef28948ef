#include "net/cli/clioptions.h"

#include "net/core/endpoint.h"
#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"

using namespace Qt::StringLiterals;

namespace {

CliParse usageError(const QString &message)
{
    CliParse result;
    result.outcome = CliParse::Outcome::UsageError;
    result.message = message;
    return result;
}

// What no single option can check: the options that go together or exclude
// each other, and what each command needs. The order is that of the messages
// socklab-cli has always given for a line with more than one problem.
QString checkAfterApplying(const OptionParse &parse, CliOptions &options)
{
    SessionConfig &config = options.session;
    if (parse.isSet(u"count"_s) && !parse.isSet(u"interval"_s))
        return u"--count goes with --interval MS"_s;
    if (parse.isSet(u"interval"_s) && !parse.isSet(u"count"_s))
        config.count = 0; // until stopped
    if (config.payloadKind == SessionConfig::PayloadKind::File && parse.isSet(u"interval"_s))
        return u"--interval repeats --send or --send-hex, not --send-file"_s;
    if ((config.payloadKind == SessionConfig::PayloadKind::Text
            || config.payloadKind == SessionConfig::PayloadKind::Hex)
        && config.payload.isEmpty())
        return u"--send: nothing to send (the payload is empty)"_s;
    if (parse.isSet(u"interval"_s) && config.payload.isEmpty())
        return u"--interval needs --send TEXT or --send-hex HEX"_s;
    if (config.logJson && config.logFile.isEmpty())
        return u"--log-json goes with --log-file PATH"_s;
    if (config.closeAfterSend && config.payloadKind == SessionConfig::PayloadKind::None
        && !options.stdinLines)
        return u"--close-after-send needs something to send (--send, --send-hex, --send-file or --stdin)"_s;
    if (config.closeAfterSend && config.intervalMs > 0 && config.count == 0)
        return u"--close-after-send with --interval needs --count N"_s;
    if (config.kind == Session::Kind::Udp && config.payloadKind != SessionConfig::PayloadKind::None
        && config.remoteHost.isEmpty())
        return u"udp: sending needs a destination (--to HOST:PORT)"_s;
    return {};
}

} // namespace

CliParse parseCli(const QStringList &arguments, Front front)
{
    const QStringList args = arguments.mid(1);
    if (args.isEmpty())
        return usageError(u"no command given (tcp-server, tcp-client, udp, tftp); see --help"_s);
    const QString command = args.first();
    if (command == u"-h"_s || command == u"--help"_s || command == u"help"_s) {
        CliParse result;
        result.outcome = CliParse::Outcome::Help;
        result.message = cliHelp(args.size() > 1 ? args.at(1) : QString());
        return result;
    }
    if (command == u"--version"_s || command == u"-V"_s) {
        CliParse result;
        result.outcome = CliParse::Outcome::Version;
        result.message = u"socklab-cli " SOCKLAB_VERSION ""_s;
        return result;
    }

    CommandLine line;
    if (command == u"tcp-server"_s)
        line.cli.session.kind = Session::Kind::TcpServer;
    else if (command == u"tcp-client"_s)
        line.cli.session.kind = Session::Kind::TcpClient;
    else if (command == u"udp"_s)
        line.cli.session.kind = Session::Kind::Udp;
    else
        return usageError(
            u"unknown command '%1' (use tcp-server, tcp-client, udp or tftp)"_s.arg(command));

    const OptionParse parse = readOptions(
        sessionCommand(line.cli.session.kind), QStringList { arguments.first() } + args.mid(1));
    if (!parse.error.isEmpty())
        return usageError(parse.error);
    if (!parse.positional.isEmpty())
        return usageError(u"unexpected argument '%1'"_s.arg(parse.positional.first()));
    if (parse.help) {
        CliParse result;
        result.outcome = CliParse::Outcome::Help;
        result.message = cliHelp(command);
        return result;
    }
    if (front == Front::Window) {
        for (const Option *option : parse.given) {
            if (!option->windowRefusal.isEmpty())
                return usageError(u"--%1: %2"_s.arg(option->names.first(), option->windowRefusal));
        }
    }

    switch (line.cli.session.kind) {
    case Session::Kind::TcpServer:
        if (!parse.isSet(u"listen"_s))
            return usageError(u"tcp-server needs --listen ADDR:PORT (port 0 picks a free port)"_s);
        break;
    case Session::Kind::TcpClient:
        if (!parse.isSet(u"connect"_s))
            return usageError(u"tcp-client needs --connect HOST:PORT"_s);
        break;
    case Session::Kind::Udp:
        if (!parse.isSet(u"bind"_s))
            return usageError(u"udp needs --bind ADDR:PORT (port 0 picks a free port)"_s);
        break;
    }
    auto exclusive = [&parse](std::initializer_list<QString> names) {
        int given = 0;
        for (const QString &name : names)
            given += parse.isSet(name) ? 1 : 0;
        return given > 1;
    };
    if (exclusive({ u"send"_s, u"send-hex"_s, u"send-file"_s }))
        return usageError(u"choose one of --send, --send-hex and --send-file"_s);
    if (exclusive({ u"echo"_s, u"reply"_s, u"time-server"_s }))
        return usageError(u"choose one of --echo, --reply and --time-server"_s);
    if (exclusive({ u"quiet"_s, u"json"_s }))
        return usageError(u"choose one of --quiet and --json"_s);

    if (const QString error = applyOptions(parse, line); !error.isEmpty())
        return usageError(error);
    if (const QString error = checkAfterApplying(parse, line.cli); !error.isEmpty())
        return usageError(error);

    CliParse result;
    result.outcome = CliParse::Outcome::Run;
    result.options = line.cli;
    return result;
}

QString cliHelp(const QString &command)
{
    Q_UNUSED(command)
    return uR"(Usage: socklab-cli COMMAND [OPTIONS]

A network debugging assistant for the console: TCP server, TCP client, UDP
and TFTP.

Commands:
  tcp-server --listen ADDR:PORT   accept many clients, log and answer them
  tcp-client --connect HOST:PORT  connect to a server
  udp --bind ADDR:PORT            bind a UDP socket, send and receive datagrams
  tftp get|put SERVER[:PORT] ...  download or upload a file with TFTP
                                  (socklab-cli tftp --help)

Addresses: 127.0.0.1:9000, [::1]:9000, :9000 or 9000 (any address, IPv4 and
IPv6), 0.0.0.0:9000 (IPv4 only), [::]:9000 (IPv6 only). Port 0 picks a free
port; the real port is printed when listening.
)"_s + optionHelp(SessionCommands, 26)
        + uR"(
Exit status: 0 success, 1 runtime error (port in use, refused, reset ...),
2 usage error. SIGINT and SIGTERM stop cleanly and print the counters.

Examples:
  socklab-cli tcp-server --listen :9000 --echo
  socklab-cli tcp-client --connect example.org:80 --escapes \
      --send 'GET / HTTP/1.0\r\nHost: example.org\r\n\r\n'
  socklab-cli udp --bind 127.0.0.1:0 --to 127.0.0.1:9999 --send hello -e gb2312
  socklab-cli udp --bind :9999 --time-server
)"_s;
}
