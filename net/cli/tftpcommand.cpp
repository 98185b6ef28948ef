#include "net/cli/tftpcommand.h"

#include "net/cli/optiontable.h"
#include "net/core/endpoint.h"
#include "net/io/platform.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>

#include <QTimer>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

// Set by SIGINT or SIGTERM. A timer looks at it: a descriptor for the event
// loop to watch (as SignalWatcher has) would be polled once more per block.
volatile std::sig_atomic_t g_stopSignal = 0;

extern "C" void onStopSignal(int number)
{
    g_stopSignal = number;
}

struct Parsed
{
    std::optional<TftpCommand> command;
    QString message; // help text or usage error
    int exitCode = ExitSuccess;
};

Parsed usageError(const QString &message)
{
    return { std::nullopt, message, ExitUsage };
}

// SERVER[:PORT]: "host", "host:69", "1.2.3.4", "[::1]", "[::1]:69", "::1".
std::optional<HostPort> parseServer(QStringView text, QString *error)
{
    const QStringView input = text.trimmed();
    if (input.isEmpty()) {
        *error = u"no server given"_s;
        return std::nullopt;
    }
    if (input.startsWith(u'[') && input.endsWith(u']')) {
        const QString inner = input.sliced(1, input.size() - 2).toString();
        if (QHostAddress(inner).protocol() != QAbstractSocket::IPv6Protocol) {
            *error = u"'%1' is not an IPv6 address (brackets are only for IPv6)"_s.arg(input);
            return std::nullopt;
        }
        return HostPort { inner, 69 };
    }
    const qsizetype colons = input.count(u':');
    if (colons == 0) {
        bool digitsOnly = true;
        for (const QChar c : input)
            digitsOnly = digitsOnly && c >= u'0' && c <= u'9';
        if (digitsOnly) {
            *error = u"'%1' looks like a port; write SERVER[:PORT]"_s.arg(input);
            return std::nullopt;
        }
        if (const QString problem = remoteHostError(input); !problem.isEmpty()) {
            *error = problem;
            return std::nullopt;
        }
        return HostPort { input.toString(), 69 };
    }
    if (colons >= 2 && QHostAddress(input.toString()).protocol() == QAbstractSocket::IPv6Protocol) {
        // "fe80::1:69" could be an address alone or one with a port.
        const qsizetype last = input.lastIndexOf(u':');
        const QString head = input.first(last).toString();
        const QStringView tail = input.sliced(last + 1);
        bool tailIsNumber = !tail.isEmpty();
        for (const QChar c : tail)
            tailIsNumber = tailIsNumber && c >= u'0' && c <= u'9';
        if (tailIsNumber && QHostAddress(head).protocol() == QAbstractSocket::IPv6Protocol) {
            *error = u"'%1' is ambiguous: write [%2]:%3 for an IPv6 address with a port"_s.arg(
                input, head, tail);
            return std::nullopt;
        }
        return HostPort { input.toString(), 69 };
    }
    const HostPortResult parsed = parseHostPort(input, false);
    if (!parsed.value) {
        *error = parsed.error;
        return std::nullopt;
    }
    if (parsed.value->host.isEmpty()) {
        *error = u"no server in '%1'"_s.arg(input);
        return std::nullopt;
    }
    return parsed.value;
}

Parsed parse(const QStringList &arguments)
{
    // arguments: program, "tftp", then get|put and the rest.
    const QStringList rest = arguments.mid(2);
    if (rest.isEmpty())
        return usageError(u"tftp: say get or put; see socklab-cli tftp --help"_s);
    const QString verb = rest.first();
    if (verb == u"--help"_s || verb == u"-h"_s || verb == u"help"_s)
        return { std::nullopt, tftpHelp(), ExitSuccess };
    if (verb != u"get"_s && verb != u"put"_s)
        return usageError(
            u"tftp: unknown command '%1' (get or put); see socklab-cli tftp --help"_s.arg(verb));
    const bool download = verb == u"get"_s;

    const OptionParse options = readOptions(download ? Command::TftpGet : Command::TftpPut,
        QStringList { arguments.value(0) } + rest.mid(1));
    if (!options.error.isEmpty())
        return usageError(options.error);
    if (options.help)
        return { std::nullopt, tftpHelp(), ExitSuccess };

    const QStringList positional = options.positional;
    const qsizetype most = download ? 2 : 3;
    if (positional.size() < 2 || positional.size() > most) {
        return usageError(download
                ? u"usage: socklab-cli tftp get SERVER[:PORT] REMOTE [-o LOCAL]"_s
                : u"usage: socklab-cli tftp put SERVER[:PORT] LOCAL [REMOTE]"_s);
    }

    CommandLine line;
    TftpCommand &command = line.tftp;
    TftpRequest &request = command.request;
    request.direction
        = download ? TftpRequest::Direction::Download : TftpRequest::Direction::Upload;
    QString error;
    const std::optional<HostPort> server = parseServer(positional.at(0), &error);
    if (!server)
        return usageError(options.prefix() + error);
    command.server = positional.at(0);
    request.host = server->host;
    request.port = server->port;
    if (download) {
        request.remoteName = positional.at(1);
        if (request.remoteName.isEmpty())
            return usageError(u"tftp get: the remote name is empty"_s);
        if (options.value(u"output"_s).isEmpty() && !tftpLocalName(request.remoteName))
            return usageError(
                u"tftp get: cannot make a local name from '%1'; give one with -o"_s.arg(
                    request.remoteName));
    } else {
        request.localPath = positional.at(1);
        request.remoteName = positional.value(2);
        if (request.localPath.isEmpty())
            return usageError(u"tftp put: the local name is empty"_s);
    }
    if (options.isSet(u"no-options"_s)
        && (options.isSet(u"blksize"_s) || options.isSet(u"windowsize"_s)
            || options.isSet(u"tsize"_s)))
        return usageError(
            options.prefix() + u"--no-options cannot go with --blksize, --windowsize or --tsize"_s);
    if (const QString problem = applyOptions(options, line); !problem.isEmpty())
        return usageError(problem);
    return { command, {}, ExitSuccess };
}

QString mebibytes(qint64 bytes)
{
    if (bytes < 1024)
        return u"%1 B"_s.arg(bytes);
    if (bytes < 1024 * 1024)
        return u"%1 KiB"_s.arg(double(bytes) / 1024.0, 0, 'f', 1);
    return u"%1 MiB"_s.arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}

QString rate(qint64 bytes, qint64 ms)
{
    if (ms <= 0)
        return u"-"_s;
    return mebibytes(qint64(double(bytes) * 1000.0 / double(ms))) + u"/s"_s;
}

void writeLine(FILE *stream, const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

QByteArray jsonLine(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject resultJson(const TftpCommand &command, const TftpResult &result)
{
    QJsonObject object {
        { u"event"_s, u"finished"_s },
        { u"status"_s, tftpStatusName(result.status) },
        { u"direction"_s,
            command.request.direction == TftpRequest::Direction::Download ? u"get"_s : u"put"_s },
        { u"server"_s, command.server },
        { u"remote"_s, result.remoteName },
        { u"local"_s, result.localPath },
        { u"bytes"_s, result.bytes },
        { u"elapsed_ms"_s, result.elapsedMs },
        { u"blksize"_s, result.blockSize },
        { u"windowsize"_s, result.windowSize },
        { u"options_acknowledged"_s, result.optionsAcknowledged },
        { u"fell_back"_s, result.fellBackToPlain },
        { u"retransmissions"_s, result.retransmissions },
        { u"stranger_packets"_s, result.strangerPackets },
    };
    if (result.transferSize >= 0)
        object.insert(u"tsize"_s, result.transferSize);
    if (!result.ok())
        object.insert(u"error"_s, result.errorString);
    if (result.serverErrorCode >= 0) {
        object.insert(u"server_error_code"_s, result.serverErrorCode);
        object.insert(u"server_error"_s, result.serverMessage);
    }
    return object;
}

} // namespace

QString tftpHelp()
{
    return uR"(Usage: socklab-cli tftp get SERVER[:PORT] REMOTE [-o LOCAL] [options]
       socklab-cli tftp put SERVER[:PORT] LOCAL [REMOTE] [options]

Downloads (get) or uploads (put) one file with a TFTP server (RFC 1350, with
options per RFC 2347/2348/2349/7440). SERVER is a name, 192.0.2.1, [2001:db8::1]
or any of these with :PORT (default 69). A download goes to a temporary file
that takes its name only when complete; an existing file is kept unless
--overwrite is given. The default local name is REMOTE's last path component.
)"_s + optionHelp(TftpCommands, 23)
        + uR"(
Without --blksize, --windowsize, --tsize and --timeout the request carries no
options. A server that ignores options gets plain RFC 1350 (512-byte blocks).
Exit status: 0 success, 1 the transfer failed, 2 wrong command line.

Examples:
  socklab-cli tftp get 192.0.2.10 pxelinux.0 --blksize 1468
  socklab-cli tftp get [::1]:6969 images/fw.bin -o /tmp/ --blksize 65464 --windowsize 8
  socklab-cli tftp put 127.0.0.1:6969 config.txt --mode netascii
)"_s;
}

int runTftpCommand(const QStringList &arguments)
{
    const Parsed parsed = parse(arguments);
    if (!parsed.command) {
        if (parsed.exitCode == ExitSuccess) {
            std::fputs(parsed.message.toUtf8().constData(), stdout);
            return ExitSuccess;
        }
        std::fprintf(stderr, "socklab-cli: %s\n", parsed.message.toUtf8().constData());
        return parsed.exitCode;
    }
    const TftpCommand &command = *parsed.command;
    const bool interactive = !command.json && platform::stdoutIsTerminal();

    QEventLoop loop;
    TftpTransfer transfer(command.request);
    // ISO C's signal(), which every platform has (on Windows Ctrl+C raises
    // SIGINT); glibc restarts interrupted calls under it, as with SA_RESTART.
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    QTimer stopCheck;
    QObject::connect(&stopCheck, &QTimer::timeout, &transfer, [&transfer] {
        if (g_stopSignal != 0)
            transfer.cancel();
    });
    stopCheck.start(100);

    QElapsedTimer clock;
    clock.start();
    bool progressShown = false;
    QObject::connect(&transfer, &TftpTransfer::progress, &loop, [&](qint64 done, qint64 total) {
        if (command.json) {
            writeLine(stdout,
                jsonLine(
                    { { u"event"_s, u"progress"_s }, { u"done"_s, done }, { u"total"_s, total } }));
            return;
        }
        if (!interactive)
            return;
        QString line = total > 0
            ? u"%1 / %2 (%3%)"_s.arg(mebibytes(done), mebibytes(total)).arg(done * 100 / total)
            : mebibytes(done);
        line += u"  "_s + rate(done, clock.elapsed());
        std::fprintf(stdout, "\r%s\033[K", line.toUtf8().constData());
        std::fflush(stdout);
        progressShown = true;
    });

    int exitCode = ExitFailure;
    QObject::connect(&transfer, &TftpTransfer::finished, &loop, [&](const TftpResult &result) {
        if (progressShown) {
            std::fputs("\r\033[K", stdout);
            std::fflush(stdout);
        }
        if (command.json)
            writeLine(stdout, jsonLine(resultJson(command, result)));
        if (result.ok()) {
            if (!command.json) {
                const bool download = command.request.direction == TftpRequest::Direction::Download;
                QString line = download
                    ? u"received %1 -> %2"_s.arg(result.remoteName, result.localPath)
                    : u"sent %1 -> %2"_s.arg(result.localPath, result.remoteName);
                line += u": %1 in %2 ms (%3), blksize %4, windowsize %5"_s
                            .arg(mebibytes(result.bytes))
                            .arg(result.elapsedMs)
                            .arg(rate(result.bytes, result.elapsedMs))
                            .arg(result.blockSize)
                            .arg(result.windowSize);
                if (result.fellBackToPlain)
                    line += u" (the server ignored or refused the options)"_s;
                writeLine(stdout, line.toUtf8());
            }
            exitCode = ExitSuccess;
        } else {
            std::fprintf(
                stderr, "socklab-cli: tftp: %s\n", result.errorString.toUtf8().constData());
            exitCode = ExitFailure;
        }
        loop.quit();
    });
    transfer.start();
    loop.exec();
    return exitCode;
}
