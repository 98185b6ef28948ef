#pragma once

// What every test shares, header-only and for test use only:
// - peers: programs (socat, nc, the python3 scripts in tests/peers/, the real
//   socklab-cli) started on ephemeral loopback ports, stopped by PID, and
//   the lines they print read back;
// - testfiles: files the tests write, read and compare;
// - procfs: what the kernel says about sockets and processes.
// Watching a net/ Session is in sessiontest.h, driving widgets in
// widgettest.h (they need the layers these tests may not link).

#include <QByteArray>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <memory>
#include <optional>
#include <unistd.h>

namespace peers {

inline QString testsDir()
{
    return QStringLiteral(SOCKLAB_TESTS_DIR);
}

inline QString script(const QString &name)
{
    return testsDir() + QStringLiteral("/peers/") + name;
}

inline QString python()
{
    const QString found = QStandardPaths::findExecutable(QStringLiteral("python3"));
    return found.isEmpty() ? QStringLiteral("python3") : found;
}

// Waits, running the event loop, until done() is true or the time is up.
template<typename Predicate> bool waitUntil(Predicate done, int timeoutMs = 10'000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QTest::qSleep(1);
    }
    return true;
}

// A peer process. Its standard output is collected; lines can be awaited.
class Process
{
public:
    Process()
        : m_process(std::make_unique<QProcess>())
    {
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
    }
    ~Process() { stop(); }
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    bool start(const QString &program, const QStringList &arguments)
    {
        m_process->start(program, arguments);
        return m_process->waitForStarted(10'000);
    }
    // A Python script from tests/peers/.
    bool startScript(const QString &name, const QStringList &arguments)
    {
        return start(python(), QStringList { QStringLiteral("-u"), script(name) } + arguments);
    }

    QProcess &process() { return *m_process; }
    qint64 pid() const { return m_process->processId(); }

    void write(const QByteArray &data) { m_process->write(data); }
    void closeWrite() { m_process->closeWriteChannel(); }

    // Everything the peer printed so far.
    QByteArray output()
    {
        m_output += m_process->readAllStandardOutput();
        return m_output;
    }
    QByteArray errors()
    {
        m_errors += m_process->readAllStandardError();
        return m_errors;
    }

    // The next whole line of output (without its newline), waiting for it.
    std::optional<QByteArray> readLine(int timeoutMs = 10'000)
    {
        const bool got
            = waitUntil([this] { return output().indexOf('\n', m_lineStart) >= 0; }, timeoutMs);
        if (!got)
            return std::nullopt;
        const qsizetype end = m_output.indexOf('\n', m_lineStart);
        QByteArray line = m_output.mid(m_lineStart, end - m_lineStart);
        m_lineStart = end + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        return line;
    }

    // Waits for a line starting with prefix; returns the rest of it.
    std::optional<QByteArray> waitForLine(const QByteArray &prefix, int timeoutMs = 10'000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            const auto line = readLine(int(timeoutMs - clock.elapsed()));
            if (!line)
                return std::nullopt;
            if (line->startsWith(prefix))
                return line->mid(prefix.size());
        }
        return std::nullopt;
    }

    bool waitForFinished(int timeoutMs = 10'000)
    {
        return waitUntil([this] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    }
    int exitCode() const { return m_process->exitCode(); }

    void signal(int number)
    {
        if (m_process->state() != QProcess::NotRunning)
            ::kill(pid_t(m_process->processId()), number);
    }

    // Stops the peer by PID: SIGTERM, then SIGKILL if it lingers.
    void stop()
    {
        if (m_process->state() == QProcess::NotRunning)
            return;
        signal(SIGTERM);
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    QByteArray m_errors;
    qsizetype m_lineStart = 0;
};

// The socklab-cli under test.
inline QString cliPath()
{
    return QStringLiteral(SOCKLAB_CLI_PATH);
}

// How a program run to its end went. A program that would not start or did
// not end in time has exit code -1 and says so on err.
struct ProgramRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs a program to its end (it must end by itself: its input is closed) in
// folder, or in this process's folder when it is empty.
inline ProgramRun runProgram(const QString &program, const QStringList &arguments,
    int timeoutMs = 120'000, const QString &folder = {})
{
    Process process;
    if (!folder.isEmpty())
        process.process().setWorkingDirectory(folder);
    if (!process.start(program, arguments))
        return { -1, {}, "cannot start " + program.toUtf8() };
    process.closeWrite();
    if (!process.process().waitForFinished(timeoutMs)) {
        process.stop();
        return { -1, process.output(), process.errors() + "(timed out)" };
    }
    return { process.exitCode(), process.output(), process.errors() };
}

// socklab-cli, run to its end.
inline ProgramRun runCli(
    const QStringList &arguments, const QString &folder = {}, int timeoutMs = 120'000)
{
    return runProgram(cliPath(), arguments, timeoutMs, folder);
}

inline QByteArray sha256Of(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

// A port number as a script prints it ("port N").
inline std::optional<quint16> toPort(const std::optional<QByteArray> &text)
{
    if (!text)
        return std::nullopt;
    bool ok = false;
    const uint value = text->trimmed().toUInt(&ok);
    if (!ok || value == 0 || value > 65535)
        return std::nullopt;
    return quint16(value);
}

// Starts a script from tests/peers/ that prints "port N" first; returns N.
inline std::optional<quint16> startPeer(
    Process &peer, const QString &script, const QStringList &arguments)
{
    if (!peer.startScript(script, arguments))
        return std::nullopt;
    return toPort(peer.waitForLine("port "));
}

// A script from tests/peers/ with the port it printed ("port N"), and the
// lines it prints afterwards.
struct ScriptPeer
{
    Process process;
    quint16 port = 0;

    bool start(const QString &script, const QStringList &arguments)
    {
        port = startPeer(process, script, arguments).value_or(0);
        return port != 0;
    }
    // The rest of the next line starting with prefix.
    QByteArray line(const QByteArray &prefix, int timeoutMs = 10'000)
    {
        return process.waitForLine(prefix, timeoutMs).value_or("(none)");
    }
};

// A command line for the TCP scripts (tcp_server.py, tcp_client.py):
// "VERB" or "VERB HEX".
inline QByteArray command(const char *verb, const QByteArray &data = {})
{
    QByteArray line(verb);
    if (!data.isEmpty())
        line += ' ' + data.toHex();
    return line + '\n';
}

// Bytes of a TCP script's "got HEX" lines until size bytes came; any other
// line (eof, reset, timeout) or the time running out ends the wait early.
inline QByteArray gotBytes(Process &peer, qsizetype size, int timeoutMs = 10'000)
{
    QByteArray data;
    QElapsedTimer clock;
    clock.start();
    while (data.size() < size) {
        const qint64 left = timeoutMs - clock.elapsed();
        if (left <= 0)
            break;
        const auto line = peer.readLine(int(left));
        if (!line || !line->startsWith("got "))
            break;
        data += QByteArray::fromHex(line->mid(4));
    }
    return data;
}

// One "rx ADDRESS PORT LENGTH MS TTL HEX" line of udp_receiver.py.
struct RxLine
{
    QHostAddress address;
    quint16 port = 0;
    qsizetype length = 0;
    qint64 millis = 0;
    int ttl = -1; // "-" when the kernel did not say
    QByteArray data;
};

// The fields after "rx ".
inline std::optional<RxLine> parseRx(const QByteArray &rest)
{
    const QList<QByteArray> fields = rest.split(' ');
    if (fields.size() != 6)
        return std::nullopt;
    RxLine line;
    line.address = QHostAddress(QString::fromLatin1(fields.at(0)));
    line.port = quint16(fields.at(1).toUInt());
    line.length = fields.at(2).toLongLong();
    line.millis = fields.at(3).toLongLong();
    line.ttl = fields.at(4) == "-" ? -1 : fields.at(4).toInt();
    line.data = fields.at(5) == "-" ? QByteArray() : QByteArray::fromHex(fields.at(5));
    return line;
}

inline std::optional<RxLine> parseRx(const std::optional<QByteArray> &rest)
{
    return rest ? parseRx(*rest) : std::nullopt;
}

// Every "rx" line up to "end", then the "total" line's fields.
struct Received
{
    QList<RxLine> datagrams;
    qint64 bytes = -1;
    qint64 count = -1;
    QByteArray sha256;
    QByteArray end;
};

// Reads a script's report: "rx ..." lines (udp_receiver.py), then
// "total BYTES COUNT SHA256" or "total BYTES SHA256" (the TCP scripts), then
// "end REASON". Other lines are passed over; "timeout" or silence for
// timeoutMs gives nothing.
inline std::optional<Received> collect(Process &peer, int timeoutMs = 30'000)
{
    Received result;
    while (const auto line = peer.readLine(timeoutMs)) {
        if (line->startsWith("rx ")) {
            const auto rx = parseRx(line->mid(3));
            if (!rx)
                return std::nullopt;
            result.datagrams.append(*rx);
        } else if (line->startsWith("total ")) {
            const QList<QByteArray> fields = line->mid(6).split(' ');
            if (fields.size() == 3) {
                result.bytes = fields.at(0).toLongLong();
                result.count = fields.at(1).toLongLong();
                result.sha256 = fields.at(2);
            } else if (fields.size() == 2) {
                result.bytes = fields.at(0).toLongLong();
                result.sha256 = fields.at(1);
            }
        } else if (line->startsWith("end ")) {
            result.end = line->mid(4);
            return result;
        } else if (*line == "timeout") {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

// The TCP port a process listens on, read from the kernel's socket tables
// (for peers such as socat that are told to listen on port 0 and do not say
// which port they got).
inline std::optional<quint16> listeningTcpPort(qint64 pid, int timeoutMs = 5000)
{
    auto inodes = [pid] {
        QStringList found;
        const QDir fdDir(QStringLiteral("/proc/%1/fd").arg(pid));
        for (const QString &entry :
            fdDir.entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files)) {
            QByteArray link(256, '\0');
            const QByteArray path = fdDir.filePath(entry).toLocal8Bit();
            const ssize_t n = ::readlink(path.constData(), link.data(), size_t(link.size()));
            if (n > 0) {
                link.truncate(n);
                if (link.startsWith("socket:["))
                    found.append(QString::fromLatin1(link.mid(8, link.size() - 9)));
            }
        }
        return found;
    };
    std::optional<quint16> port;
    waitUntil(
        [&] {
            const QStringList sockets = inodes();
            for (const char *table : { "/proc/net/tcp", "/proc/net/tcp6" }) {
                QFile file(QString::fromLatin1(table));
                if (!file.open(QIODevice::ReadOnly))
                    continue;
                const QList<QByteArray> lines = file.readAll().split('\n');
                for (const QByteArray &line : lines) {
                    const QList<QByteArray> fields = line.simplified().split(' ');
                    // sl local rem st ... inode is field 9; state 0A is LISTEN
                    if (fields.size() < 10 || fields.at(3) != "0A")
                        continue;
                    if (!sockets.contains(QString::fromLatin1(fields.at(9))))
                        continue;
                    const QByteArray local = fields.at(1);
                    bool ok = false;
                    const uint value = local.mid(local.lastIndexOf(':') + 1).toUInt(&ok, 16);
                    if (ok && value > 0) {
                        port = quint16(value);
                        return true;
                    }
                }
            }
            return false;
        },
        timeoutMs);
    return port;
}

} // namespace peers

namespace testfiles {

// Everything in a folder, hidden files (a left-over temporary) included.
inline QStringList entries(const QString &folder)
{
    return QDir(folder).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

// The file's bytes, or a text no test writes when it cannot be read.
inline QByteArray readBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(missing)");
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && file.write(bytes) == bytes.size();
}

// size pseudo-random bytes, the same for the same seed.
inline bool writeRandom(const QString &path, qint64 size, quint32 seed)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QRandomGenerator random(seed);
    QList<quint32> chunk(64 * 1024);
    for (qint64 left = size; left > 0;) {
        random.fillRange(chunk.data(), chunk.size());
        const qint64 n = std::min<qint64>(left, chunk.size() * 4);
        if (file.write(reinterpret_cast<const char *>(chunk.constData()), n) != n)
            return false;
        left -= n;
    }
    return true;
}

// The file's SHA-256 in hex, or a text that matches no hash.
inline QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "(cannot read " + path.toUtf8() + ')';
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

} // namespace testfiles

namespace procfs {

// Whether some UDP socket is bound to the port (from the kernel's tables).
inline bool udpPortBound(quint16 port, bool v6 = false)
{
    QFile table(v6 ? QStringLiteral("/proc/net/udp6") : QStringLiteral("/proc/net/udp"));
    if (!table.open(QIODevice::ReadOnly))
        return false;
    const QByteArray suffix = ':' + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    const QList<QByteArray> lines = table.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 2 && fields.at(1).endsWith(suffix))
            return true;
    }
    return false;
}

// A process's resident set (kB), or -1.
inline qint64 residentKb(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}

// Open descriptors of a process (its /proc/PID/fd entries).
inline int descriptorCount(qint64 pid)
{
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                   .entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files)
                   .size());
}

} // namespace procfs
