#include "net/cli/optiontable.h"

#include "net/core/endpoint.h"
#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/textcodec.h"

#include <QCommandLineParser>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

constexpr Commands Server = Command::TcpServer;
constexpr Commands Client = Command::TcpClient;
constexpr Commands Udp = Command::Udp;
constexpr Commands Sessions = SessionCommands;
constexpr Commands Get = Command::TftpGet;
constexpr Commands AnyTftp = TftpCommands;

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

// An option taking a whole number of at least minimum into field.
auto count(const QString &name, int minimum, int SessionConfig::*field)
{
    return [name, minimum, field](CommandLine &line, const QString &value) {
        QString error;
        if (const auto parsed = parseCount(name, value, minimum, &error))
            line.cli.session.*field = *parsed;
        return error;
    };
}

auto flag(bool SessionConfig::*field)
{
    return [field](CommandLine &line, const QString &) {
        line.cli.session.*field = true;
        return QString();
    };
}

// --listen, --local, --bind: ADDR:PORT, port 0 allowed.
auto local(const QString &name)
{
    return [name](CommandLine &line, const QString &value) -> QString {
        const HostPortResult parsed = parseHostPort(value, true);
        if (!parsed.value)
            return u"--%1: %2"_s.arg(name, parsed.error);
        QString error;
        const auto address = parseListenAddress(parsed.value->host, &error);
        if (!address)
            return u"--%1: %2"_s.arg(name, error);
        SessionConfig &config = line.cli.session;
        config.localAddress = *address;
        config.localPort = parsed.value->port;
        config.hasLocal = true;
        return {};
    };
}

// --connect, --to: HOST:PORT with a host and a port.
auto remote(const QString &name)
{
    return [name](CommandLine &line, const QString &value) -> QString {
        const HostPortResult parsed = parseHostPort(value, false);
        if (!parsed.value)
            return u"--%1: %2"_s.arg(name, parsed.error);
        if (parsed.value->host.isEmpty())
            return u"--%1: a host is needed, as in 127.0.0.1:%2"_s.arg(name).arg(
                parsed.value->port);
        line.cli.session.remoteHost = parsed.value->host;
        line.cli.session.remotePort = parsed.value->port;
        return {};
    };
}

// Bytes for --send/--reply TEXT: hex when the encoding is hex, else text in
// the encoding, with C escapes when asked.
BytesResult payloadFrom(const QString &text, const SessionConfig &config)
{
    if (config.hex)
        return Hex::parse(text);
    if (config.escapes)
        return Escapes::encode(text, config.encoding);
    return TextCodec::encode(text, config.encoding);
}

QString applySend(CommandLine &line, const QString &value)
{
    SessionConfig &config = line.cli.session;
    const BytesResult bytes = payloadFrom(value, config);
    if (!bytes.ok())
        return u"--send: %1"_s.arg(bytes.error);
    config.payloadKind
        = config.hex ? SessionConfig::PayloadKind::Hex : SessionConfig::PayloadKind::Text;
    config.payload = bytes.bytes;
    config.payloadText = value;
    return {};
}

QString applySendHex(CommandLine &line, const QString &value)
{
    const BytesResult bytes = Hex::parse(value);
    if (!bytes.ok())
        return u"--send-hex: %1"_s.arg(bytes.error);
    SessionConfig &config = line.cli.session;
    config.payloadKind = SessionConfig::PayloadKind::Hex;
    config.payload = bytes.bytes;
    config.payloadText = value;
    return {};
}

QString applyEncoding(CommandLine &line, const QString &name)
{
    if (name.compare(u"hex"_s, Qt::CaseInsensitive) == 0) {
        line.cli.session.hex = true;
        return {};
    }
    if (const QString problem = TextCodec::checkName(name); !problem.isEmpty())
        return u"--encoding: %1"_s.arg(problem);
    line.cli.session.encoding = *TextCodec::canonicalName(name);
    return {};
}

QString applyReply(CommandLine &line, const QString &value)
{
    SessionConfig &config = line.cli.session;
    const BytesResult bytes = payloadFrom(value, config);
    if (!bytes.ok())
        return u"--reply: %1"_s.arg(bytes.error);
    if (bytes.bytes.isEmpty())
        return u"--reply: the reply is empty"_s;
    config.responder.mode = Responder::Mode::FixedReply;
    config.responder.fixedReply = bytes.bytes;
    return {};
}

std::optional<int> parseInteger(const QString &text, int min, int max)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

// --blksize, --windowsize: N in min..max.
auto tftpRange(const QString &name, int min, int max, int TftpRequest::*field)
{
    return [name, min, max, field](CommandLine &line, const QString &value) -> QString {
        const auto parsed = parseInteger(value, min, max);
        if (!parsed)
            return u"--%1 '%2' is not a number in %3..%4"_s.arg(name, value).arg(min).arg(max);
        line.tftp.request.*field = *parsed;
        return {};
    };
}

QString applyTftpTimeout(CommandLine &line, const QString &value)
{
    bool ok = false;
    const double seconds = value.toDouble(&ok);
    if (!ok || !(seconds >= 0.01 && seconds <= 255.0))
        return u"--timeout '%1' is not a number of seconds in 0.01..255"_s.arg(value);
    TftpRequest &request = line.tftp.request;
    request.timeoutMs = int(std::lround(seconds * 1000.0));
    // The server's own timeout (RFC 2349) is whole seconds.
    if (!line.tftp.noOptions)
        request.timeoutOption
            = std::clamp(int(std::ceil(seconds)), Tftp::MinTimeout, Tftp::MaxTimeout);
    return {};
}

} // namespace

QString commandName(Command command)
{
    switch (command) {
    case Command::TcpServer:
        return u"tcp-server"_s;
    case Command::TcpClient:
        return u"tcp-client"_s;
    case Command::Udp:
        return u"udp"_s;
    case Command::TftpGet:
        return u"tftp get"_s;
    case Command::TftpPut:
        return u"tftp put"_s;
    }
    return {};
}

Command sessionCommand(Session::Kind kind)
{
    switch (kind) {
    case Session::Kind::TcpServer:
        return Command::TcpServer;
    case Session::Kind::TcpClient:
        return Command::TcpClient;
    case Session::Kind::Udp:
        return Command::Udp;
    }
    return Command::TcpServer;
}

// Options are applied in this order: the endpoints, the numbers, then the
// encoding before the payloads and replies it reads.
const QList<Option> &optionTable()
{
    using Line = CommandLine;
    const QString none;
    static const QList<Option> table {
        { { u"listen"_s, u"l"_s }, u"ADDR:PORT"_s, u"listen here (required)"_s, Server,
            u"TCP server"_s, local(u"listen"_s) },
        { { u"max-clients"_s }, u"N"_s, u"accept at most N clients at once (others are closed)"_s,
            Server, u"TCP server"_s, count(u"max-clients"_s, 1, &SessionConfig::maxClients) },
        { { u"connect"_s, u"c"_s }, u"HOST:PORT"_s, u"connect to this server (required)"_s, Client,
            u"TCP client"_s, remote(u"connect"_s) },
        { { u"local"_s }, u"ADDR:PORT"_s, u"connect from this local address and port"_s, Client,
            u"TCP client"_s, local(u"local"_s) },
        { { u"timeout"_s }, u"MS"_s, u"give up connecting after MS milliseconds (10000)"_s, Client,
            u"TCP client"_s, count(u"timeout"_s, 1, &SessionConfig::connectTimeoutMs) },
        { { u"reconnect"_s }, none,
            u"reconnect after a failure or a lost connection,\n"
            "waiting 0.5 s, 1 s, 2 s ... up to 30 s"_s,
            Client, u"TCP client"_s, flag(&SessionConfig::reconnect) },
        { { u"bind"_s, u"b"_s }, u"ADDR:PORT"_s, u"bind the socket here (required)"_s, Udp,
            u"UDP"_s, local(u"bind"_s) },
        { { u"to"_s, u"t"_s }, u"HOST:PORT"_s,
            u"where --send and --stdin go (broadcast and multicast\naddresses too)"_s, Udp,
            u"UDP"_s, remote(u"to"_s) },
        { { u"reply-to-sender"_s }, none, u"send to whoever sent last instead of --to"_s, Udp,
            u"UDP"_s, flag(&SessionConfig::replyToSender) },
        { { u"join"_s }, u"GROUP"_s, u"join a multicast group (repeatable)"_s, Udp, u"UDP"_s,
            [](Line &line, const QString &text) -> QString {
                const QHostAddress group(text);
                if (group.isNull() || !group.isMulticast())
                    return u"--join: '%1' is not a multicast group address"_s.arg(text);
                line.cli.session.groups.append(group);
                return {};
            } },
        { { u"multicast-if"_s }, u"IFACE"_s, u"interface for multicast (e.g. eth0, lo)"_s, Udp,
            u"UDP"_s,
            [](Line &line, const QString &value) {
                line.cli.session.multicastInterface = value;
                return QString();
            } },
        { { u"ttl"_s }, u"N"_s, u"multicast TTL (1)"_s, Udp, u"UDP"_s,
            [](Line &line, const QString &value) -> QString {
                QString error;
                const auto ttl = parseCount(u"ttl"_s, value, 0, &error);
                if (!ttl)
                    return error;
                if (*ttl > 255)
                    return u"--ttl: %1 is out of range (0-255)"_s.arg(*ttl);
                line.cli.session.ttl = *ttl;
                return {};
            } },
        { { u"close-after-send"_s }, none, u"close once everything is sent and --linger passed"_s,
            Client | Udp, u"TCP client and UDP"_s, flag(&SessionConfig::closeAfterSend) },
        { { u"linger"_s }, u"MS"_s, u"wait for replies after the last send (500)"_s, Client | Udp,
            u"TCP client and UDP"_s, count(u"linger"_s, 0, &SessionConfig::lingerMs) },
        { { u"interval"_s, u"i"_s }, u"MS"_s, u"repeat --send/--send-hex every MS milliseconds"_s,
            Sessions, u"Text and bytes"_s, count(u"interval"_s, 1, &SessionConfig::intervalMs) },
        { { u"count"_s, u"n"_s }, u"N"_s, u"... N times (default: until stopped)"_s, Sessions,
            u"Text and bytes"_s, count(u"count"_s, 0, &SessionConfig::count) },
        { { u"chunk"_s }, u"BYTES"_s, u"chunk (UDP: datagram) size for --send-file"_s, Sessions,
            u"Text and bytes"_s,
            [](Line &line, const QString &value) {
                QString error;
                if (const auto chunk = parseCount(u"chunk"_s, value, 1, &error))
                    line.cli.session.chunkSize = *chunk;
                return error;
            } },
        { { u"encoding"_s, u"e"_s }, u"NAME"_s,
            u"utf-8, gb2312, gbk, gb18030, big5, latin1 or hex\n"
            "(how received data is shown and --send is read)"_s,
            Sessions, u"Text and bytes"_s, applyEncoding },
        { { u"escapes"_s }, none, u"read \\r \\n \\t \\\\ \\0 \\xNN in --send and --reply"_s,
            Sessions, u"Text and bytes"_s, flag(&SessionConfig::escapes) },
        { { u"send"_s, u"s"_s }, u"TEXT"_s,
            u"send TEXT once connected (TCP server: to each client\n"
            "as it connects, or to all with --interval)"_s,
            Sessions, u"Text and bytes"_s, applySend },
        { { u"send-hex"_s, u"x"_s }, u"HEX"_s,
            u"send bytes given as hex: \"41 42\", 4142, 0x41,0x42"_s, Sessions, u"Text and bytes"_s,
            applySendHex },
        { { u"send-file"_s, u"f"_s }, u"PATH"_s, u"stream a file (with back-pressure)"_s, Sessions,
            u"Text and bytes"_s,
            [](Line &line, const QString &value) {
                line.cli.session.payloadKind = SessionConfig::PayloadKind::File;
                line.cli.session.sendFile = value;
                return QString();
            } },
        { { u"stdin"_s }, none, u"send each line typed on standard input"_s, Sessions,
            u"Text and bytes"_s,
            [](Line &line, const QString &) {
                line.cli.stdinLines = true;
                return QString();
            },
            u"the window has no standard input to read; type into the send box, or use "
            "socklab-cli for --stdin"_s },
        { { u"echo"_s }, none, u"send back whatever arrives"_s, Sessions, u"Responders"_s,
            [](Line &line, const QString &) {
                line.cli.session.responder.mode = Responder::Mode::Echo;
                return QString();
            } },
        { { u"reply"_s }, u"TEXT"_s, u"answer every message with TEXT"_s, Sessions, u"Responders"_s,
            applyReply },
        { { u"time-server"_s }, none,
            u"answer with the local time, the request being a\n"
            "strftime format (empty: %Y-%m-%d %X)"_s,
            Sessions, u"Responders"_s,
            [](Line &line, const QString &) {
                line.cli.session.responder.mode = Responder::Mode::TimeServer;
                return QString();
            } },
        { { u"quiet"_s, u"q"_s }, none, u"only the counters, at the end"_s, Sessions, u"Output"_s,
            [](Line &line, const QString &) {
                line.cli.output = CliOptions::Output::Quiet;
                return QString();
            },
            u"the window has no console output to quiet; use socklab-cli for that"_s },
        { { u"json"_s }, none,
            u"one JSON object per event (time, event, session,\n"
            "peer, port, bytes, text, hex)"_s,
            Sessions, u"Output"_s,
            [](Line &line, const QString &) {
                line.cli.output = CliOptions::Output::Json;
                return QString();
            },
            u"the window shows events in its log, not on standard output; for JSON "
            "lines use --log-file PATH --log-json, or socklab-cli"_s },
        { { u"log-file"_s }, u"PATH"_s, u"also append every event to PATH (--log-json: JSON)"_s,
            Sessions, u"Output"_s,
            [](Line &line, const QString &value) {
                line.cli.session.logFile = value;
                return QString();
            } },
        { { u"log-json"_s }, none, u"write --log-file as JSON lines"_s, Sessions, u"Output"_s,
            flag(&SessionConfig::logJson) },

        { { u"duration"_s }, u"MS"_s, u"stop after MS milliseconds"_s, Sessions, u"Output"_s,
            count(u"duration"_s, 1, &SessionConfig::durationMs) },

        { { u"output"_s, u"o"_s }, u"LOCAL"_s,
            u"get: the file to write, or a folder to write it into"_s, Get, u"TFTP"_s,
            [](Line &line, const QString &value) {
                line.tftp.request.localPath = value;
                return QString();
            } },
        { { u"overwrite"_s }, none, u"get: replace LOCAL if it exists"_s, Get, u"TFTP"_s,
            [](Line &line, const QString &) {
                line.tftp.request.overwrite = true;
                return QString();
            } },
        { { u"mode"_s }, u"MODE"_s,
            u"octet (default) or netascii (text: CR LF line ends on the wire)"_s, AnyTftp,
            u"TFTP"_s,
            [](Line &line, const QString &value) -> QString {
                const std::optional<Tftp::Mode> chosen = Tftp::parseMode(value.toLatin1());
                if (!chosen)
                    return u"mode '%1' is not octet or netascii"_s.arg(value);
                line.tftp.request.mode = *chosen;
                return {};
            } },
        { { u"blksize"_s }, u"N"_s, u"ask for blocks of N bytes (8-65464; RFC 2348)"_s, AnyTftp,
            u"TFTP"_s,
            tftpRange(
                u"blksize"_s, Tftp::MinBlockSize, Tftp::MaxBlockSize, &TftpRequest::blockSize) },
        { { u"windowsize"_s }, u"N"_s,
            u"ask for N blocks per acknowledgement (1-65535; RFC 7440)"_s, AnyTftp, u"TFTP"_s,
            tftpRange(u"windowsize"_s, Tftp::MinWindowSize, Tftp::MaxWindowSize,
                &TftpRequest::windowSize) },
        { { u"tsize"_s }, none, u"ask for (get) or announce (put) the file size (RFC 2349)"_s,
            AnyTftp, u"TFTP"_s,
            [](Line &line, const QString &) {
                line.tftp.request.transferSize = true;
                return QString();
            } },
        { { u"no-options"_s }, none, u"plain RFC 1350: no options at all"_s, AnyTftp, u"TFTP"_s,
            [](Line &line, const QString &) {
                line.tftp.noOptions = true;
                return QString();
            } },
        { { u"timeout"_s }, u"S"_s,
            u"wait S seconds (0.01-255) before retransmitting, doubling\n"
            "on each retry; also asked of the server (whole seconds)"_s,
            AnyTftp, u"TFTP"_s, applyTftpTimeout },
        { { u"retries"_s }, u"N"_s, u"retransmissions before giving up (0-100, default 5)"_s,
            AnyTftp, u"TFTP"_s,
            [](Line &line, const QString &value) -> QString {
                const auto retries = parseInteger(value, 0, 100);
                if (!retries)
                    return u"--retries '%1' is not a number in 0..100"_s.arg(value);
                line.tftp.request.retries = *retries;
                return {};
            } },

        { { u"json"_s }, none, u"print progress and the result as JSON lines"_s, AnyTftp, u"TFTP"_s,
            [](Line &line, const QString &) {
                line.tftp.json = true;
                return QString();
            } },

        { { u"help"_s, u"h"_s }, none, u"this help"_s, Sessions | AnyTftp, u"Help"_s,
            [](Line &, const QString &) { return QString(); } },
    };
    return table;
}

QString OptionParse::prefix() const
{
    return TftpCommands.testFlag(command) ? commandName(command) + u": "_s : QString();
}

OptionParse readOptions(Command command, const QStringList &arguments)
{
    OptionParse result;
    result.command = command;
    QCommandLineParser parser;
    // "-send" is --send for the session commands, as it always was; tftp reads
    // "-o" the usual way.
    if (SessionCommands.testFlag(command))
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    QList<const Option *> mine;
    for (const Option &option : optionTable()) {
        if (!option.commands.testFlag(command))
            continue;
        QCommandLineOption qtOption(option.names);
        if (!option.valueName.isEmpty())
            qtOption.setValueName(option.valueName);
        parser.addOption(qtOption);
        mine.append(&option);
    }
    if (!parser.parse(arguments)) {
        const QStringList unknown = parser.unknownOptionNames();
        if (!unknown.isEmpty()) {
            QStringList owners;
            for (const Option &option : optionTable()) {
                if (!option.names.contains(unknown.first()))
                    continue;
                for (const Command other : { Command::TcpServer, Command::TcpClient, Command::Udp,
                         Command::TftpGet, Command::TftpPut }) {
                    if (option.commands.testFlag(other) && !owners.contains(commandName(other)))
                        owners.append(commandName(other));
                }
            }
            if (!owners.isEmpty()) {
                result.error = result.prefix()
                    + u"%1%2 does not apply to %3 (only to %4)"_s.arg(
                        unknown.first().size() == 1 ? u"-"_s : u"--"_s, unknown.first(),
                        commandName(command), owners.join(u", "_s));
                return result;
            }
        }
        result.error = result.prefix() + parser.errorText();
        return result;
    }
    result.positional = parser.positionalArguments();
    for (const Option *option : std::as_const(mine)) {
        if (!parser.isSet(option->names.first()))
            continue;
        result.given.append(option);
        result.values.insert(option->names.first(),
            option->valueName.isEmpty() ? QStringList {} : parser.values(option->names.first()));
    }
    result.help = result.isSet(u"help"_s);
    return result;
}

QString applyOptions(const OptionParse &parse, CommandLine &line)
{
    line.command = parse.command;
    for (const Option *option : parse.given) {
        const QStringList values = option->valueName.isEmpty()
            ? QStringList { QString() }
            : parse.values.value(option->names.first());
        for (const QString &value : values) {
            if (const QString error = option->apply(line, value); !error.isEmpty())
                return parse.prefix() + error;
        }
    }
    return {};
}

QString optionHelp(Commands commands, int column)
{
    QStringList sections;
    for (const Option &option : optionTable()) {
        if ((option.commands & commands) && !sections.contains(option.section))
            sections.append(option.section);
    }
    QString text;
    for (const QString &section : std::as_const(sections)) {
        text += u'\n' + section + u":\n"_s;
        for (const Option &option : optionTable()) {
            if (!(option.commands & commands) || option.section != section)
                continue;
            QString left = u"  "_s;
            for (qsizetype i = 1; i < option.names.size(); ++i)
                left += u"-%1, "_s.arg(option.names.at(i));
            left += u"--"_s + option.names.first();
            if (!option.valueName.isEmpty())
                left += u' ' + option.valueName;
            const QStringList lines = option.help.split(u'\n');
            if (left.size() + 2 > column)
                text += left + u'\n' + QString(column, u' ');
            else
                text += left.leftJustified(column);
            text += lines.join(u'\n' + QString(column, u' ')) + u'\n';
        }
    }
    return text;
}
