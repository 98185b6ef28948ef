#pragma once

// Real peers for socket tests: programs (socat, nc, python3 scripts) started
// on ephemeral loopback ports and stopped by PID. Header-only, test use only.

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTest>

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
