#include "net/cli/clioptions.h"

#include "net/core/endpoint.h"
#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"

#include <QCommandLineParser>

#include <limits>

using namespace Qt::StringLiterals;

namespace {

struct OptionSpec
{
    QStringList names;
    QString valueName; // empty for a flag
    // Which commands take it: s = tcp-server, c = tcp-client, u = udp.
    QString commands;
};

const QList<OptionSpec> &optionSpecs()
{
    static const QList<OptionSpec> specs {
        { { u"listen"_s, u"l"_s }, u"ADDR:PORT"_s, u"s"_s },
        { { u"max-clients"_s }, u"N"_s, u"s"_s },
        { { u"connect"_s, u"c"_s }, u"HOST:PORT"_s, u"c"_s },
        { { u"local"_s }, u"ADDR:PORT"_s, u"c"_s },
        { { u"timeout"_s }, u"MS"_s, u"c"_s },
        { { u"reconnect"_s }, {}, u"c"_s },
        { { u"bind"_s, u"b"_s }, u"ADDR:PORT"_s, u"u"_s },
        { { u"to"_s, u"t"_s }, u"HOST:PORT"_s, u"u"_s },
        { { u"reply-to-sender"_s }, {}, u"u"_s },
        { { u"join"_s }, u"GROUP"_s, u"u"_s },
        { { u"multicast-if"_s }, u"IFACE"_s, u"u"_s },
        { { u"ttl"_s }, u"N"_s, u"u"_s },
        { { u"encoding"_s, u"e"_s }, u"NAME"_s, u"scu"_s },
        { { u"escapes"_s }, {}, u"scu"_s },
        { { u"send"_s, u"s"_s }, u"TEXT"_s, u"scu"_s },
        { { u"send-hex"_s, u"x"_s }, u"HEX"_s, u"scu"_s },
        { { u"send-file"_s, u"f"_s }, u"PATH"_s, u"scu"_s },
        { { u"chunk"_s }, u"BYTES"_s, u"scu"_s },
        { { u"interval"_s, u"i"_s }, u"MS"_s, u"scu"_s },
        { { u"count"_s, u"n"_s }, u"N"_s, u"scu"_s },
        { { u"stdin"_s }, {}, u"scu"_s },
        { { u"echo"_s }, {}, u"scu"_s },
        { { u"reply"_s }, u"TEXT"_s, u"scu"_s },
        { { u"time-server"_s }, {}, u"scu"_s },
        { { u"quiet"_s, u"q"_s }, {}, u"scu"_s },
        { { u"json"_s }, {}, u"scu"_s },
        { { u"log-file"_s }, u"PATH"_s, u"scu"_s },
        { { u"log-json"_s }, {}, u"scu"_s },
        { { u"close-after-send"_s }, {}, u"cu"_s },
        { { u"linger"_s }, u"MS"_s, u"cu"_s },
        { { u"duration"_s }, u"MS"_s, u"scu"_s },
        { { u"help"_s, u"h"_s }, {}, u"scu"_s },
    };
    return specs;
}

QChar commandLetter(Session::Kind kind)
{
    switch (kind) {
    case Session::Kind::TcpServer:
        return u's';
    case Session::Kind::TcpClient:
        return u'c';
    case Session::Kind::Udp:
        return u'u';
    }
    return u'?';
}

CliParse usageError(const QString &message)
{
    CliParse result;
    result.outcome = CliParse::Outcome::UsageError;
    result.message = message;
    return result;
}

std::optional<int> parseCount(
    const QString &option, const QString &text, int minimum, QString *error)
{
    bool ok = false;
    const qlonglong value = text.toLongLong(&ok);
    if (!ok) {
        *error = u"--%1: '%2' is not a number"_s.arg(option, text);
        return std::nullopt;
    }
    if (value < minimum || value > std::numeric_limits<int>::max()) {
        *error = u"--%1: %2 is out of range (%3 or more)"_s.arg(option, text).arg(minimum);
        return std::nullopt;
    }
    return int(value);
}

// Bytes for --send/--reply TEXT: hex when the encoding is hex, else text in
// the encoding, with C escapes when asked.
BytesResult payloadFrom(const QString &text, const CliOptions &options)
{
    if (options.hex)
        return Hex::parse(text);
    if (options.escapes)
        return Escapes::encode(text, options.encoding);
    return TextCodec::encode(text, options.encoding);
}

} // namespace

CliParse parseCli(const QStringList &arguments)
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

    CliOptions options;
    if (command == u"tcp-server"_s)
        options.kind = Session::Kind::TcpServer;
    else if (command == u"tcp-client"_s)
        options.kind = Session::Kind::TcpClient;
    else if (command == u"udp"_s)
        options.kind = Session::Kind::Udp;
    else
        return usageError(
            u"unknown command '%1' (use tcp-server, tcp-client, udp or tftp)"_s.arg(command));

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const OptionSpec &spec : optionSpecs()) {
        QCommandLineOption option(spec.names);
        if (!spec.valueName.isEmpty())
            option.setValueName(spec.valueName);
        parser.addOption(option);
    }
    if (!parser.parse(QStringList { arguments.first() } + args.mid(1)))
        return usageError(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return usageError(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));

    const QChar letter = commandLetter(options.kind);
    for (const OptionSpec &spec : optionSpecs()) {
        if (parser.isSet(spec.names.first()) && !spec.commands.contains(letter))
            return usageError(u"--%1 does not apply to %2"_s.arg(spec.names.first(), command));
    }
    if (parser.isSet(u"help"_s)) {
        CliParse result;
        result.outcome = CliParse::Outcome::Help;
        result.message = cliHelp(command);
        return result;
    }

    QString error;
    auto local = [&](const QString &name) -> bool {
        const HostPortResult parsed = parseHostPort(parser.value(name), true);
        if (!parsed.value) {
            error = u"--%1: %2"_s.arg(name, parsed.error);
            return false;
        }
        const auto address = parseListenAddress(parsed.value->host, &error);
        if (!address) {
            error = u"--%1: %2"_s.arg(name, error);
            return false;
        }
        options.localAddress = *address;
        options.localPort = parsed.value->port;
        options.hasLocal = true;
        return true;
    };
    auto remote = [&](const QString &name) -> bool {
        const HostPortResult parsed = parseHostPort(parser.value(name), false);
        if (!parsed.value) {
            error = u"--%1: %2"_s.arg(name, parsed.error);
            return false;
        }
        if (parsed.value->host.isEmpty()) {
            error
                = u"--%1: a host is needed, as in 127.0.0.1:%2"_s.arg(name).arg(parsed.value->port);
            return false;
        }
        options.remoteHost = parsed.value->host;
        options.remotePort = parsed.value->port;
        return true;
    };

    switch (options.kind) {
    case Session::Kind::TcpServer:
        if (!parser.isSet(u"listen"_s))
            return usageError(u"tcp-server needs --listen ADDR:PORT (port 0 picks a free port)"_s);
        if (!local(u"listen"_s))
            return usageError(error);
        break;
    case Session::Kind::TcpClient:
        if (!parser.isSet(u"connect"_s))
            return usageError(u"tcp-client needs --connect HOST:PORT"_s);
        if (!remote(u"connect"_s))
            return usageError(error);
        if (parser.isSet(u"local"_s) && !local(u"local"_s))
            return usageError(error);
        break;
    case Session::Kind::Udp:
        if (!parser.isSet(u"bind"_s))
            return usageError(u"udp needs --bind ADDR:PORT (port 0 picks a free port)"_s);
        if (!local(u"bind"_s))
            return usageError(error);
        if (parser.isSet(u"to"_s) && !remote(u"to"_s))
            return usageError(error);
        break;
    }

    auto intOption = [&](const QString &name, int minimum, int *target) -> bool {
        if (!parser.isSet(name))
            return true;
        const auto value = parseCount(name, parser.value(name), minimum, &error);
        if (!value)
            return false;
        *target = *value;
        return true;
    };
    int chunk = 0;
    if (!intOption(u"max-clients"_s, 1, &options.maxClients)
        || !intOption(u"timeout"_s, 1, &options.connectTimeoutMs)
        || !intOption(u"ttl"_s, 0, &options.ttl)
        || !intOption(u"interval"_s, 1, &options.intervalMs)
        || !intOption(u"count"_s, 0, &options.count)
        || !intOption(u"linger"_s, 0, &options.lingerMs)
        || !intOption(u"duration"_s, 1, &options.durationMs) || !intOption(u"chunk"_s, 1, &chunk))
        return usageError(error);
    options.chunkSize = chunk;
    if (parser.isSet(u"ttl"_s) && options.ttl > 255)
        return usageError(u"--ttl: %1 is out of range (0-255)"_s.arg(options.ttl));
    if (parser.isSet(u"count"_s) && !parser.isSet(u"interval"_s))
        return usageError(u"--count goes with --interval MS"_s);
    if (parser.isSet(u"interval"_s) && !parser.isSet(u"count"_s))
        options.count = 0; // until stopped

    options.reconnect = parser.isSet(u"reconnect"_s);
    options.replyToSender = parser.isSet(u"reply-to-sender"_s);
    options.multicastInterface = parser.value(u"multicast-if"_s);
    for (const QString &text : parser.values(u"join"_s)) {
        const QHostAddress group(text);
        if (group.isNull() || !group.isMulticast())
            return usageError(u"--join: '%1' is not a multicast group address"_s.arg(text));
        options.groups.append(group);
    }

    if (parser.isSet(u"encoding"_s)) {
        const QString name = parser.value(u"encoding"_s);
        if (name.compare(u"hex"_s, Qt::CaseInsensitive) == 0) {
            options.hex = true;
        } else {
            if (const QString problem = TextCodec::checkName(name); !problem.isEmpty())
                return usageError(u"--encoding: %1"_s.arg(problem));
            options.encoding = *TextCodec::canonicalName(name);
        }
    }
    options.escapes = parser.isSet(u"escapes"_s);

    const int payloads = int(parser.isSet(u"send"_s)) + int(parser.isSet(u"send-hex"_s))
        + int(parser.isSet(u"send-file"_s));
    if (payloads > 1)
        return usageError(u"choose one of --send, --send-hex and --send-file"_s);
    if (parser.isSet(u"send"_s)) {
        const BytesResult bytes = payloadFrom(parser.value(u"send"_s), options);
        if (!bytes.ok())
            return usageError(u"--send: %1"_s.arg(bytes.error));
        options.payloadKind
            = options.hex ? CliOptions::PayloadKind::Hex : CliOptions::PayloadKind::Text;
        options.payload = bytes.bytes;
    } else if (parser.isSet(u"send-hex"_s)) {
        const BytesResult bytes = Hex::parse(parser.value(u"send-hex"_s));
        if (!bytes.ok())
            return usageError(u"--send-hex: %1"_s.arg(bytes.error));
        options.payloadKind = CliOptions::PayloadKind::Hex;
        options.payload = bytes.bytes;
    } else if (parser.isSet(u"send-file"_s)) {
        options.payloadKind = CliOptions::PayloadKind::File;
        options.sendFile = parser.value(u"send-file"_s);
        if (parser.isSet(u"interval"_s))
            return usageError(u"--interval repeats --send or --send-hex, not --send-file"_s);
    }
    if ((options.payloadKind == CliOptions::PayloadKind::Text
            || options.payloadKind == CliOptions::PayloadKind::Hex)
        && options.payload.isEmpty())
        return usageError(u"--send: nothing to send (the payload is empty)"_s);
    if (parser.isSet(u"interval"_s) && options.payload.isEmpty())
        return usageError(u"--interval needs --send TEXT or --send-hex HEX"_s);
    options.stdinLines = parser.isSet(u"stdin"_s);

    const int responders = int(parser.isSet(u"echo"_s)) + int(parser.isSet(u"reply"_s))
        + int(parser.isSet(u"time-server"_s));
    if (responders > 1)
        return usageError(u"choose one of --echo, --reply and --time-server"_s);
    if (parser.isSet(u"echo"_s)) {
        options.responder.mode = Responder::Mode::Echo;
    } else if (parser.isSet(u"time-server"_s)) {
        options.responder.mode = Responder::Mode::TimeServer;
    } else if (parser.isSet(u"reply"_s)) {
        const BytesResult bytes = payloadFrom(parser.value(u"reply"_s), options);
        if (!bytes.ok())
            return usageError(u"--reply: %1"_s.arg(bytes.error));
        if (bytes.bytes.isEmpty())
            return usageError(u"--reply: the reply is empty"_s);
        options.responder.mode = Responder::Mode::FixedReply;
        options.responder.fixedReply = bytes.bytes;
    }

    if (parser.isSet(u"quiet"_s) && parser.isSet(u"json"_s))
        return usageError(u"choose one of --quiet and --json"_s);
    if (parser.isSet(u"quiet"_s))
        options.output = CliOptions::Output::Quiet;
    else if (parser.isSet(u"json"_s))
        options.output = CliOptions::Output::Json;
    options.logFile = parser.value(u"log-file"_s);
    options.logJson = parser.isSet(u"log-json"_s);
    if (options.logJson && options.logFile.isEmpty())
        return usageError(u"--log-json goes with --log-file PATH"_s);

    options.closeAfterSend = parser.isSet(u"close-after-send"_s);
    if (options.closeAfterSend && options.payloadKind == CliOptions::PayloadKind::None
        && !options.stdinLines)
        return usageError(
            u"--close-after-send needs something to send (--send, --send-hex, --send-file or --stdin)"_s);
    if (options.closeAfterSend && options.intervalMs > 0 && options.count == 0)
        return usageError(u"--close-after-send with --interval needs --count N"_s);
    if (options.kind == Session::Kind::Udp && options.payloadKind != CliOptions::PayloadKind::None
        && options.remoteHost.isEmpty())
        return usageError(u"udp: sending needs a destination (--to HOST:PORT)"_s);

    CliParse result;
    result.outcome = CliParse::Outcome::Run;
    result.options = options;
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

TCP server:
  --max-clients N         accept at most N clients at once (others are closed)
TCP client:
  --local ADDR:PORT       connect from this local address and port
  --timeout MS            give up connecting after MS milliseconds (10000)
  --reconnect             reconnect after a failure or a lost connection,
                          waiting 0.5 s, 1 s, 2 s ... up to 30 s
  --close-after-send      close once everything is sent and --linger passed
  --linger MS             wait for replies after the last send (500)
UDP:
  --to HOST:PORT          where --send and --stdin go (broadcast and multicast
                          addresses too)
  --reply-to-sender       send to whoever sent last instead of --to
  --join GROUP            join a multicast group (repeatable)
  --multicast-if IFACE    interface for multicast (e.g. eth0, lo)
  --ttl N                 multicast TTL (1)
  --close-after-send, --linger MS   as for the TCP client

Text and bytes:
  -e, --encoding NAME     utf-8, gb2312, gbk, gb18030, big5, latin1 or hex
                          (how received data is shown and --send is read)
  --escapes               read \r \n \t \\ \0 \xNN in --send and --reply
  -s, --send TEXT         send TEXT once connected (TCP server: to each client
                          as it connects, or to all with --interval)
  -x, --send-hex HEX      send bytes given as hex: "41 42", 4142, 0x41,0x42
  -f, --send-file PATH    stream a file (with back-pressure)
  --chunk BYTES           chunk (UDP: datagram) size for --send-file
  -i, --interval MS       repeat --send/--send-hex every MS milliseconds
  -n, --count N           ... N times (default: until stopped)
  --stdin                 send each line typed on standard input
Responders:
  --echo                  send back whatever arrives
  --reply TEXT            answer every message with TEXT
  --time-server           answer with the local time, the request being a
                          strftime format (empty: %Y-%m-%d %X)
Output:
  (default)               one line per event: time, direction, peer, text
  --json                  one JSON object per event (time, event, session,
                          peer, port, bytes, text, hex)
  -q, --quiet             only the counters, at the end
  --log-file PATH         also append every event to PATH (--log-json: JSON)
  --duration MS           stop after MS milliseconds
  -h, --help              this help;  --version

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
