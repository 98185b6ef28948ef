// TftpTransfer and `socklab-cli tftp` against real TFTP servers started here
// on ephemeral loopback ports (tftpd-hpa, atftpd), dnsmasq in a network
// namespace of its own (it serves only port 69), and tests/peers/tftp_evil.py
// for what no well-behaved server does. Files are compared by SHA-256.

#include "net/tftp/tftptransfer.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>
#include <QUdpSocket>

#include <csignal>
#include <functional>
#include <unistd.h>

using namespace Qt::StringLiterals;
using CliRun = peers::ProgramRun;
using peers::cliPath;
using peers::runCli;
using peers::runProgram;
using procfs::udpPortBound;
using testfiles::entries;
using testfiles::readBytes;
using testfiles::sha256Of;
using testfiles::writeBytes;
using testfiles::writeRandom;

namespace {

// 67,584 blocks of 512 bytes: block numbers wrap past 65535, and the size is
// a multiple of 512, so the transfer ends with an empty block.
constexpr qint64 BigSize = 33 * 1024 * 1024;

// Text whose line ends, once in netascii, straddle the 512-byte block
// boundaries (CR at the end of one block, LF or NUL at the start of the next).
QByteArray netasciiText()
{
    QByteArray text = QByteArray(511, 'a') + '\n';
    text += QByteArray(510, 'b') + '\r';
    text += "\r\n\n\rmixed\r\n";
    for (int line = 0; line < 300; ++line)
        text += "line " + QByteArray::number(line) + (line % 7 == 0 ? "\r\n" : "\n");
    text += QByteArray(700, 'c') + '\r';
    return text;
}

std::optional<quint16> freeUdpPort(const QHostAddress &address)
{
    QUdpSocket probe;
    if (!probe.bind(address, 0))
        return std::nullopt;
    return probe.localPort();
}

// A server may finish writing a little after its last ACK: wait (up to a
// bound) for the file to reach its size.
bool waitForSize(const QString &path, qint64 size)
{
    return peers::waitUntil([&] { return QFileInfo(path).size() == size; }, 10'000);
}

struct Run
{
    TftpResult result;
    QList<qint64> progress; // done, per signal
    qint64 lastTotal = -2;
};

// Runs one transfer to its end in a local event loop (never a sleep: the
// loop wakes for every datagram).
Run run(const TftpRequest &request, int timeoutMs = 120'000,
    const std::function<void(TftpTransfer &)> &started = {})
{
    Run outcome;
    TftpTransfer transfer(request);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&transfer, &TftpTransfer::progress, &loop, [&](qint64 done, qint64 total) {
        outcome.progress.append(done);
        outcome.lastTotal = total;
    });
    QObject::connect(&transfer, &TftpTransfer::finished, &loop, [&](const TftpResult &result) {
        outcome.result = result;
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    transfer.start();
    if (started)
        started(transfer);
    if (!finished)
        loop.exec();
    if (!finished) {
        outcome.result.status = TftpStatus::TimedOut;
        outcome.result.errorString = u"test: the transfer did not finish in %1 ms"_s.arg(timeoutMs);
    }
    return outcome;
}

// A real server process on a port of its own.
struct Server
{
    std::unique_ptr<peers::Process> process;
    QString host;
    quint16 port = 0;
    QString problem; // why it is not running
    bool running() const { return process != nullptr; }
    QString address() const
    {
        return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
    }
};

// Servers that take a fixed port on their command line: pick a free one,
// start, and try another if the server could not have it after all.
void startServer(Server &server, const QString &host, const QString &program,
    const std::function<QStringList(quint16)> &arguments)
{
    const bool v6 = host.contains(u':');
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::optional<quint16> port = freeUdpPort(QHostAddress(host));
        if (!port) {
            server.problem = u"no free UDP port on %1"_s.arg(host);
            continue;
        }
        auto process = std::make_unique<peers::Process>();
        if (!process->start(program, arguments(*port))) {
            server.problem = u"cannot start %1"_s.arg(program);
            return;
        }
        const bool settled = peers::waitUntil(
            [&] {
                return process->process().state() != QProcess::Running || udpPortBound(*port, v6);
            },
            10'000);
        if (settled && process->process().state() == QProcess::Running) {
            server.process = std::move(process);
            server.host = host;
            server.port = *port;
            server.problem.clear();
            return;
        }
        server.problem = u"%1 did not start on port %2: %3"_s.arg(program).arg(*port).arg(
            QString::fromLocal8Bit(process->errors() + process->output()).trimmed());
    }
}

// tests/peers/tftp_evil.py, one scenario, one transfer.
struct Evil : peers::ScriptPeer
{
    bool start(const QString &scenario, const QStringList &extra = {})
    {
        return ScriptPeer::start(
            u"tftp_evil.py"_s, QStringList { u"--scenario"_s, scenario } + extra);
    }
};

} // namespace

class TestTftp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void download_data();
    void download();
    void upload_data();
    void upload();
    void netascii_data();
    void netascii();
    void dnsmasq_data();
    void dnsmasq();
    void dnsmasqRefusesUpload();

    void serverErrorKeepsOldFile();
    void existingFileRefusedBeforeContact();
    void overwriteKeepsPermissions();
    void defaultLocalNameStaysInFolder();
    void localProblems();
    void progressAndTotal();

    void evilDownload_data();
    void evilDownload();
    void evilErrorMidTransfer();
    void evilProtocol_data();
    void evilProtocol();
    void evilIgnoredOptions();
    void evilRefusedOptions();
    void evilSilentServer();
    void evilStallTimesOut();
    void cancelMidTransfer();
    void cancelBeforeStart();
    void evilUpload_data();
    void evilUpload();
    void evilUploadError();

    void cliHelp();
    void cliUsageErrors_data();
    void cliUsageErrors();
    void cliGetPut();
    void cliJson();
    void cliFailures();
    void cliCancelOnSigint();

private:
    const Server &server(const QString &name) const;
    QString out(const QString &name) const { return m_out + u'/' + name; }
    QString served(const QString &name) const { return m_root + u'/' + name; }
    TftpRequest downloadFrom(
        const Server &server, const QString &remote, const QString &local) const;
    CliRun runInNamespace(const QStringList &cliArguments);

    QTemporaryDir m_dir;
    QString m_root; // what the servers serve and receive
    QString m_out; // downloads go here
    QString m_evilFile; // content for the scripted server
    QHash<QString, QByteArray> m_sha; // served file -> SHA-256
    Server m_hpa;
    Server m_hpa6;
    Server m_atftpd;
    QString m_dnsmasqProblem;
    int m_uploads = 0;
};

void TestTftp::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_root = m_dir.filePath(u"srv"_s);
    m_out = m_dir.filePath(u"out"_s);
    QVERIFY(QDir().mkpath(m_root));
    QVERIFY(QDir().mkpath(m_out));
    // Servers drop privileges or check "world" permissions before creating files.
    QFile::setPermissions(m_root, QFileDevice::Permissions(0x7777));
    QFile::setPermissions(m_dir.path(), QFileDevice::Permissions(0x7755));

    const QList<std::pair<QString, qint64>> files {
        { u"empty.bin"_s, 0 },
        { u"s511.bin"_s, 511 },
        { u"s512.bin"_s, 512 },
        { u"s513.bin"_s, 513 },
        { u"m3072.bin"_s, 3072 },
        { u"m65464x2.bin"_s, 2 * 65464 },
        { u"big.bin"_s, BigSize },
    };
    quint32 seed = 1;
    for (const auto &[name, size] : files) {
        QVERIFY(writeRandom(served(name), size, seed++));
        m_sha.insert(name, sha256Of(served(name)));
    }
    QVERIFY(writeBytes(served(u"text.txt"_s), netasciiText()));
    m_sha.insert(u"text.txt"_s, sha256Of(served(u"text.txt"_s)));
    m_evilFile = m_dir.filePath(u"evil.bin"_s);
    QVERIFY(writeRandom(m_evilFile, 20'000, 99));

    const QString inTftpd
        = QStandardPaths::findExecutable(u"in.tftpd"_s, { u"/usr/sbin"_s, u"/sbin"_s });
    if (inTftpd.isEmpty()) {
        m_hpa.problem = m_hpa6.problem = u"in.tftpd not installed (apt-get install tftpd-hpa)"_s;
    } else {
        const std::pair<Server *, QString> instances[] { { &m_hpa, u"127.0.0.1"_s },
            { &m_hpa6, u"::1"_s } };
        for (const auto &[server, host] : instances) {
            const bool v6 = host.contains(u':');
            startServer(*server, host, inTftpd, [&](quint16 port) {
                const QString address
                    = v6 ? u"[%1]:%2"_s.arg(host).arg(port) : u"%1:%2"_s.arg(host).arg(port);
                return QStringList { u"-L"_s, u"-s"_s, u"-a"_s, address, u"-u"_s, u"root"_s,
                    u"-c"_s, u"-B"_s, u"65464"_s, m_root };
            });
        }
    }

    // atftpd conflicts with tftpd-hpa as a package: the script unpacks it
    // into the build tree.
    const QString cache = QCoreApplication::applicationDirPath() + u"/tftp-peers"_s;
    const CliRun fetch
        = runProgram(u"sh"_s, { peers::testsDir() + u"/fetch-atftpd.sh"_s, cache }, 180'000);
    const QString atftpd = QString::fromLocal8Bit(fetch.out).trimmed().split(u'\n').last();
    if (fetch.exitCode != 0 || !QFileInfo(atftpd).isExecutable()) {
        m_atftpd.problem = u"atftpd unavailable: tests/fetch-atftpd.sh failed (%1)"_s.arg(
            QString::fromLocal8Bit(fetch.err).trimmed().split(u'\n').last());
    } else {
        startServer(m_atftpd, u"127.0.0.1"_s, atftpd, [&](quint16 port) {
            return QStringList { u"--daemon"_s, u"--no-fork"_s, u"--port"_s, QString::number(port),
                u"--bind-address"_s, u"127.0.0.1"_s, u"--user"_s, u"root"_s, u"--group"_s,
                u"root"_s, u"--logfile"_s, u"-"_s, m_root };
        });
    }

    if (::geteuid() != 0)
        m_dnsmasqProblem
            = u"dnsmasq serves TFTP only on port 69, so it runs in a network namespace "
              "of its own, and making one needs root"_s;
    else if (QStandardPaths::findExecutable(u"dnsmasq"_s, { u"/usr/sbin"_s, u"/sbin"_s }).isEmpty())
        m_dnsmasqProblem = u"dnsmasq not installed (apt-get install dnsmasq-base)"_s;
    else if (QStandardPaths::findExecutable(u"unshare"_s).isEmpty())
        m_dnsmasqProblem = u"unshare not found (util-linux)"_s;

    qInfo("in.tftpd: %s; in.tftpd IPv6: %s; atftpd: %s; dnsmasq: %s",
        qPrintable(m_hpa.running() ? m_hpa.address() : m_hpa.problem),
        qPrintable(m_hpa6.running() ? m_hpa6.address() : m_hpa6.problem),
        qPrintable(m_atftpd.running() ? m_atftpd.address() : m_atftpd.problem),
        qPrintable(m_dnsmasqProblem.isEmpty() ? u"in a namespace"_s : m_dnsmasqProblem));
}

void TestTftp::cleanupTestCase()
{
    for (Server *server : { &m_hpa, &m_hpa6, &m_atftpd }) {
        if (server->process)
            server->process->stop();
    }
}

void TestTftp::init()
{
    // Each test starts with an empty download folder.
    QDir folder(m_out);
    for (const QString &entry : entries(m_out))
        QVERIFY(folder.remove(entry));
}

const Server &TestTftp::server(const QString &name) const
{
    if (name == u"atftpd"_s)
        return m_atftpd;
    if (name == u"in.tftpd-v6"_s)
        return m_hpa6;
    return m_hpa;
}

TftpRequest TestTftp::downloadFrom(
    const Server &from, const QString &remote, const QString &local) const
{
    TftpRequest request;
    request.host = from.host;
    request.port = from.port;
    request.remoteName = remote;
    request.localPath = local;
    return request;
}

// ---- Real servers ----------------------------------------------------------

namespace {

struct Variant
{
    const char *name;
    int blockSize;
    int windowSize;
    bool tsize;
};

void addTransferRows(bool upload)
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<int>("windowSize");
    QTest::addColumn<bool>("tsize");

    const QStringList small { u"empty.bin"_s, u"s511.bin"_s, u"s512.bin"_s, u"s513.bin"_s,
        u"m3072.bin"_s, u"m65464x2.bin"_s };
    const QList<Variant> common { { "plain", 0, 0, false }, { "blksize 1024 tsize", 1024, 0, true },
        { "blksize 65464", 65464, 0, false } };
    for (const QString &server : { u"in.tftpd"_s, u"atftpd"_s }) {
        QList<Variant> variants = common;
        if (server == u"atftpd"_s)
            variants.append({ "blksize 1024 window 4", 1024, 4, true });
        for (const QString &file : small) {
            for (const Variant &v : variants) {
                QTest::addRow("%s %s %s", qPrintable(server), qPrintable(file), v.name)
                    << server << file << v.blockSize << v.windowSize << v.tsize;
            }
        }
    }
    QTest::newRow("in.tftpd big plain") << u"in.tftpd"_s << u"big.bin"_s << 0 << 0 << false;
    QTest::newRow("in.tftpd big 65464 tsize")
        << u"in.tftpd"_s << u"big.bin"_s << 65464 << 0 << true;
    QTest::newRow("in.tftpd-v6 s513 plain") << u"in.tftpd-v6"_s << u"s513.bin"_s << 0 << 0 << false;
    QTest::newRow("in.tftpd-v6 big 65464")
        << u"in.tftpd-v6"_s << u"big.bin"_s << 65464 << 0 << true;
    QTest::newRow("atftpd big plain") << u"atftpd"_s << u"big.bin"_s << 0 << 0 << false;
    if (!upload) {
        QTest::newRow("atftpd big 65464 window 4")
            << u"atftpd"_s << u"big.bin"_s << 65464 << 4 << true;
        QTest::newRow("atftpd big 512 window 8")
            << u"atftpd"_s << u"big.bin"_s << 512 << 8 << false;
    } else {
        // atftpd keeps the default receive buffer (208 KiB): a window of four
        // 64 KiB blocks overflows it and every window waits for a timeout.
        QTest::newRow("atftpd big 8192 window 4")
            << u"atftpd"_s << u"big.bin"_s << 8192 << 4 << true;
        QTest::newRow("atftpd big 1428 window 8")
            << u"atftpd"_s << u"big.bin"_s << 1428 << 8 << true;
    }
}

} // namespace

void TestTftp::download_data()
{
    addTransferRows(false);
}

void TestTftp::download()
{
    QFETCH(QString, server);
    QFETCH(QString, file);
    QFETCH(int, blockSize);
    QFETCH(int, windowSize);
    QFETCH(bool, tsize);
    const Server &from = this->server(server);
    if (!from.running())
        QSKIP(qPrintable(from.problem));

    TftpRequest request = downloadFrom(from, file, m_out);
    request.blockSize = blockSize;
    request.windowSize = windowSize;
    request.transferSize = tsize;
    const Run outcome = run(request);
    const TftpResult &result = outcome.result;
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(result.localPath, out(file));
    QCOMPARE(sha256Of(out(file)), m_sha.value(file));
    QCOMPARE(result.bytes, QFileInfo(served(file)).size());
    QCOMPARE(result.blockSize, blockSize > 0 ? blockSize : 512);
    QCOMPARE(result.windowSize, windowSize > 0 ? windowSize : 1);
    QCOMPARE(result.optionsAcknowledged, blockSize > 0 || tsize || windowSize > 0);
    if (tsize)
        QCOMPARE(result.transferSize, QFileInfo(served(file)).size());
    QCOMPARE(result.strangerPackets, 0);
    QCOMPARE(entries(m_out), QStringList { file });
    QVERIFY(QFileInfo(out(file)).permissions().testFlag(QFileDevice::ReadOther));
    if (file == u"big.bin"_s)
        qInfo("%s: %.1f MiB/s", QTest::currentDataTag(),
            double(result.bytes) / 1048576.0 * 1000.0
                / double(std::max<qint64>(result.elapsedMs, 1)));
}

void TestTftp::upload_data()
{
    addTransferRows(true);
}

void TestTftp::upload()
{
    QFETCH(QString, server);
    QFETCH(QString, file);
    QFETCH(int, blockSize);
    QFETCH(int, windowSize);
    QFETCH(bool, tsize);
    const Server &to = this->server(server);
    if (!to.running())
        QSKIP(qPrintable(to.problem));

    // The source lives outside what the server serves, under a new remote name.
    const QString source = out(file);
    QVERIFY(QFile::copy(served(file), source));
    const QString remote = u"up%1-%2"_s.arg(++m_uploads).arg(file);
    TftpRequest request;
    request.direction = TftpRequest::Direction::Upload;
    request.host = to.host;
    request.port = to.port;
    request.localPath = source;
    request.remoteName = remote;
    request.blockSize = blockSize;
    request.windowSize = windowSize;
    request.transferSize = tsize;
    const Run outcome = run(request);
    const TftpResult &result = outcome.result;
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(result.bytes, QFileInfo(source).size());
    QCOMPARE(result.blockSize, blockSize > 0 ? blockSize : 512);
    QCOMPARE(result.windowSize, windowSize > 0 ? windowSize : 1);
    // atftpd sends the last ACK before its buffered writes reach the file.
    QVERIFY(waitForSize(served(remote), QFileInfo(source).size()));
    QCOMPARE(sha256Of(served(remote)), m_sha.value(file));
    if (file == u"big.bin"_s) {
        qInfo("%s: %.1f MiB/s", QTest::currentDataTag(),
            double(result.bytes) / 1048576.0 * 1000.0
                / double(std::max<qint64>(result.elapsedMs, 1)));
    }
    QFile::remove(served(remote));
}

void TestTftp::netascii_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<bool>("upload");
    QTest::addColumn<int>("blockSize");
    for (const QString &server : { u"in.tftpd"_s, u"atftpd"_s }) {
        QTest::addRow("%s get", qPrintable(server)) << server << false << 0;
        QTest::addRow("%s put", qPrintable(server)) << server << true << 0;
        QTest::addRow("%s get blksize 100", qPrintable(server)) << server << false << 100;
        QTest::addRow("%s put blksize 100", qPrintable(server)) << server << true << 100;
    }
}

void TestTftp::netascii()
{
    // The servers convert to and from the local form (LF) on their side, so
    // a round trip through netascii gives back the very same bytes.
    QFETCH(QString, server);
    QFETCH(bool, upload);
    QFETCH(int, blockSize);
    const Server &peer = this->server(server);
    if (!peer.running())
        QSKIP(qPrintable(peer.problem));
    TftpRequest request = downloadFrom(peer, u"text.txt"_s, out(u"text.txt"_s));
    request.mode = Tftp::Mode::Netascii;
    request.blockSize = blockSize;
    request.transferSize = true; // must not be sent in netascii (tftpd-hpa refuses it)
    QString check = out(u"text.txt"_s);
    if (upload) {
        QVERIFY(QFile::copy(served(u"text.txt"_s), out(u"text.txt"_s)));
        request.direction = TftpRequest::Direction::Upload;
        request.remoteName = u"up%1-text.txt"_s.arg(++m_uploads);
        check = served(request.remoteName);
    }
    const Run outcome = run(request);
    QVERIFY2(outcome.result.ok(), qPrintable(outcome.result.errorString));
    QCOMPARE(outcome.result.bytes, qint64(netasciiText().size()));
    QVERIFY(waitForSize(check, netasciiText().size()));
    QCOMPARE(readBytes(check), netasciiText());
}

CliRun TestTftp::runInNamespace(const QStringList &cliArguments)
{
    // A fresh network namespace: only its own loopback, where dnsmasq may
    // have port 69. And a fresh PID namespace, whose first process is this
    // shell: when it ends, however it ends, the kernel ends dnsmasq too.
    static const QString script = uR"sh(root=$1; work=$2; shift 2
ip link set lo up || exit 90
rm -f "$work/dnsmasq.pid"
dnsmasq --port=0 --enable-tftp --tftp-root="$root" --listen-address=127.0.0.1 \
    --bind-interfaces --user=root --group=root --edns-packet-max=65535 --conf-file=/dev/null \
    --pid-file="$work/dnsmasq.pid" --log-facility="$work/dnsmasq.log" || exit 91
trap 'kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null' EXIT
"$@"
)sh"_s;
    const QStringList arguments = QStringList { u"--net"_s, u"--pid"_s, u"--fork"_s, u"sh"_s,
        u"-c"_s, script, u"sh"_s, m_root, m_dir.path(), cliPath() }
        + cliArguments;
    return runProgram(u"unshare"_s, arguments);
}

void TestTftp::dnsmasq_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("blockSize");
    for (const QString &file : { u"empty.bin"_s, u"s511.bin"_s, u"s512.bin"_s, u"s513.bin"_s,
             u"m3072.bin"_s, u"m65464x2.bin"_s }) {
        QTest::addRow("%s plain", qPrintable(file)) << file << QStringList() << 512;
        QTest::addRow("%s blksize 1024 tsize", qPrintable(file))
            << file << QStringList { u"--blksize"_s, u"1024"_s, u"--tsize"_s } << 1024;
        QTest::addRow("%s blksize 65464", qPrintable(file))
            << file << QStringList { u"--blksize"_s, u"65464"_s } << 65464;
    }
    QTest::newRow("big plain") << u"big.bin"_s << QStringList() << 512;
    QTest::newRow("big 65464 tsize")
        << u"big.bin"_s << QStringList { u"--blksize"_s, u"65464"_s, u"--tsize"_s } << 65464;
    // dnsmasq knows no windowsize: it must drop it and grant the rest.
    QTest::newRow("big windowsize dropped")
        << u"big.bin"_s << QStringList { u"--blksize"_s, u"8192"_s, u"--windowsize"_s, u"8"_s }
        << 8192;
}

void TestTftp::dnsmasq()
{
    if (!m_dnsmasqProblem.isEmpty())
        QSKIP(qPrintable(m_dnsmasqProblem));
    QFETCH(QString, file);
    QFETCH(QStringList, options);
    QFETCH(int, blockSize);
    const CliRun cli = runInNamespace(
        QStringList { u"tftp"_s, u"get"_s, u"127.0.0.1"_s, file, u"-o"_s, m_out, u"--json"_s }
        + options);
    if (cli.exitCode == 90 || cli.exitCode == 91)
        QSKIP(qPrintable(
            u"cannot set up dnsmasq in a network namespace (exit %1): %2"_s.arg(cli.exitCode)
                .arg(QString::fromLocal8Bit(cli.err))));
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const QJsonObject last = QJsonDocument::fromJson(cli.out.trimmed().split('\n').last()).object();
    QCOMPARE(last.value(u"status"_s).toString(), u"success"_s);
    QCOMPARE(last.value(u"blksize"_s).toInt(), blockSize);
    QCOMPARE(last.value(u"windowsize"_s).toInt(), 1);
    QCOMPARE(sha256Of(out(file)), m_sha.value(file));
}

void TestTftp::dnsmasqRefusesUpload()
{
    if (!m_dnsmasqProblem.isEmpty())
        QSKIP(qPrintable(m_dnsmasqProblem));
    const CliRun cli = runInNamespace(
        { u"tftp"_s, u"put"_s, u"127.0.0.1"_s, served(u"s513.bin"_s), u"nope.bin"_s });
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.startsWith("socklab-cli: tftp: server error 4 (Illegal TFTP operation)"),
        cli.err.constData());
    QCOMPARE(cli.err.count('\n'), 1);
}

// ---- Local files -----------------------------------------------------------

void TestTftp::serverErrorKeepsOldFile()
{
    if (!m_hpa.running())
        QSKIP(qPrintable(m_hpa.problem));
    const QString target = out(u"keep.bin"_s);
    QVERIFY(writeBytes(target, "old content"));
    TftpRequest request = downloadFrom(m_hpa, u"no-such-file.bin"_s, target);
    request.overwrite = true;
    const TftpResult result = run(request).result;
    QCOMPARE(result.status, TftpStatus::ServerError);
    QCOMPARE(result.serverErrorCode, 1);
    QVERIFY2(result.errorString.startsWith(u"server error 1 (File not found)"_s),
        qPrintable(result.errorString));
    QCOMPARE(readBytes(target), "old content");
    QCOMPARE(entries(m_out), QStringList { u"keep.bin"_s });
}

void TestTftp::existingFileRefusedBeforeContact()
{
    Evil evil;
    QVERIFY(evil.start(u"silent"_s));
    const QString target = out(u"exists.bin"_s);
    QVERIFY(writeBytes(target, "precious"));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"first"_s;
    request.localPath = target;
    const TftpResult refused = run(request).result;
    QCOMPARE(refused.status, TftpStatus::LocalError);
    QVERIFY2(refused.errorString.contains(u"already exists (choose overwrite"_s),
        qPrintable(refused.errorString));
    QCOMPARE(readBytes(target), "precious");

    // The server's first request is the next transfer's, so the refused one
    // never reached it.
    request.remoteName = u"second"_s;
    request.localPath = out(u"other.bin"_s);
    request.timeoutMs = 50;
    request.retries = 0;
    QCOMPARE(run(request).result.status, TftpStatus::TimedOut);
    QVERIFY2(evil.line("request ").startsWith("rrq second "), evil.process.output().constData());
    QCOMPARE(entries(m_out), QStringList { u"exists.bin"_s });
}

void TestTftp::overwriteKeepsPermissions()
{
    if (!m_hpa.running())
        QSKIP(qPrintable(m_hpa.problem));
    const QString target = out(u"s513.bin"_s);
    QVERIFY(writeBytes(target, "old"));
    const auto mode = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup;
    QVERIFY(QFile::setPermissions(target, mode));
    TftpRequest request = downloadFrom(m_hpa, u"s513.bin"_s, target);
    request.overwrite = true;
    const TftpResult result = run(request).result;
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(sha256Of(target), m_sha.value(u"s513.bin"_s));
    // Owner, group and other (Qt's "user" bits mirror the owner's for us).
    QCOMPARE(QFileInfo(target).permissions() & 0x7077, mode & 0x7077);
    QCOMPARE(entries(m_out), QStringList { u"s513.bin"_s });
}

void TestTftp::defaultLocalNameStaysInFolder()
{
    Evil evil;
    QVERIFY(evil.start(u"normal"_s, { u"--file"_s, m_evilFile }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"../../etc/escape.bin"_s;
    request.localPath = m_out;
    const TftpResult result = run(request).result;
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(result.localPath, out(u"escape.bin"_s));
    QCOMPARE(sha256Of(out(u"escape.bin"_s)), sha256Of(m_evilFile));
    QCOMPARE(entries(m_out), QStringList { u"escape.bin"_s });

    request.remoteName = u"dir/.."_s;
    const TftpResult refused = run(request).result;
    QCOMPARE(refused.status, TftpStatus::InvalidRequest);
    QVERIFY2(refused.errorString.contains(u"cannot make a local file name"_s),
        qPrintable(refused.errorString));
}

void TestTftp::localProblems()
{
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = 9; // nothing is sent: each request fails before that
    request.remoteName = u"x"_s;
    request.localPath = m_dir.filePath(u"no/such/folder/x.bin"_s);
    TftpResult result = run(request).result;
    QCOMPARE(result.status, TftpStatus::LocalError);
    QVERIFY2(result.errorString.contains(u"does not exist"_s), qPrintable(result.errorString));

    request.direction = TftpRequest::Direction::Upload;
    request.localPath = m_dir.filePath(u"missing.bin"_s);
    result = run(request).result;
    QCOMPARE(result.status, TftpStatus::LocalError);
    QVERIFY2(result.errorString.contains(u"missing.bin does not exist"_s),
        qPrintable(result.errorString));

    request.localPath = m_root;
    result = run(request).result;
    QCOMPARE(result.status, TftpStatus::LocalError);
    QVERIFY2(result.errorString.contains(u"is a folder"_s), qPrintable(result.errorString));

    request.direction = TftpRequest::Direction::Download;
    request.localPath = m_out;
    request.blockSize = 7;
    result = run(request).result;
    QCOMPARE(result.status, TftpStatus::InvalidRequest);
    QVERIFY2(result.errorString.contains(u"block size 7 is outside 8..65464"_s),
        qPrintable(result.errorString));

    request.blockSize = 512;
    request.remoteName = QString(600, u'n');
    result = run(request).result;
    QCOMPARE(result.status, TftpStatus::InvalidRequest);
    QVERIFY2(result.errorString.contains(u"more than the 512"_s), qPrintable(result.errorString));
    QCOMPARE(entries(m_out), QStringList());
}

void TestTftp::progressAndTotal()
{
    if (!m_hpa.running())
        QSKIP(qPrintable(m_hpa.problem));
    TftpRequest request = downloadFrom(m_hpa, u"big.bin"_s, m_out);
    request.blockSize = 1024;
    request.transferSize = true;
    const Run outcome = run(request);
    QVERIFY2(outcome.result.ok(), qPrintable(outcome.result.errorString));
    QVERIFY(outcome.progress.size() >= 2);
    QCOMPARE(outcome.progress.first(), qint64(0));
    QCOMPARE(outcome.progress.last(), BigSize);
    QCOMPARE(outcome.lastTotal, BigSize);
    QVERIFY(std::is_sorted(outcome.progress.begin(), outcome.progress.end()));
}

// ---- The scripted misbehaving server ----------------------------------------

void TestTftp::evilDownload_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<int>("windowSize");
    QTest::addColumn<QString>("host");
    for (const char *scenario : { "normal", "loss", "duplicate", "reorder", "stranger" }) {
        QTest::addRow("%s", scenario) << QString::fromLatin1(scenario) << 1 << u"127.0.0.1"_s;
        QTest::addRow("%s window 4", scenario)
            << QString::fromLatin1(scenario) << 4 << u"127.0.0.1"_s;
    }
    QTest::newRow("stranger IPv6") << u"stranger"_s << 1 << u"::1"_s;
    QTest::newRow("loss IPv6 window 4") << u"loss"_s << 4 << u"::1"_s;
}

void TestTftp::evilDownload()
{
    QFETCH(QString, scenario);
    QFETCH(int, windowSize);
    QFETCH(QString, host);
    Evil evil;
    QVERIFY(evil.start(scenario, { u"--file"_s, m_evilFile, u"--host"_s, host }));
    TftpRequest request;
    request.host = host;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = out(u"evil.bin"_s);
    if (windowSize > 1) {
        request.blockSize = 1024;
        request.windowSize = windowSize;
    }
    request.timeoutMs = 300;
    request.retries = 10;
    const TftpResult result = run(request, 60'000).result;
    QVERIFY2(result.ok(),
        qPrintable(
            result.errorString + u"; server said: "_s + QString::fromUtf8(evil.process.output())));
    QCOMPARE(sha256Of(out(u"evil.bin"_s)), sha256Of(m_evilFile));
    QCOMPARE(result.windowSize, windowSize);
    if (scenario == u"stranger"_s) {
        QCOMPARE(evil.line("stranger-error "), "5");
        QCOMPARE(result.strangerPackets, 1);
    } else {
        QCOMPARE(result.strangerPackets, 0);
    }
    QCOMPARE(entries(m_out), QStringList { u"evil.bin"_s });
}

void TestTftp::evilErrorMidTransfer()
{
    Evil evil;
    QVERIFY(evil.start(u"error"_s, { u"--file"_s, m_evilFile }));
    const QString target = out(u"evil.bin"_s);
    QVERIFY(writeBytes(target, "the old file"));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = target;
    request.overwrite = true;
    const TftpResult result = run(request).result;
    QCOMPARE(result.status, TftpStatus::ServerError);
    QCOMPARE(result.serverErrorCode, 3);
    QCOMPARE(result.serverMessage, u"simulated disk full"_s);
    QCOMPARE(result.errorString,
        u"server error 3 (Disk full or allocation exceeded): simulated disk full"_s);
    QCOMPARE(result.bytes, qint64(3 * 512));
    QCOMPARE(readBytes(target), "the old file");
    QCOMPARE(entries(m_out), QStringList { u"evil.bin"_s });
}

void TestTftp::evilProtocol_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<QByteArray>("clientError");
    QTest::addColumn<QString>("message");
    QTest::newRow("oversized")
        << u"oversized"_s << 0
        << QByteArray("4 DATA block 1 carries 513 bytes, more than the block size 512")
        << u"DATA block 1 carries 513 bytes, more than the block size 512"_s;
    QTest::newRow("truncated") << u"truncated"_s << 0 << QByteArray("4 malformed 3-byte packet")
                               << u"malformed 3-byte packet from the server: truncated packet"_s;
    QTest::newRow("oack unrequested")
        << u"oack-unrequested"_s << 1024
        << QByteArray("8 the server acknowledged option 'secretsauce'")
        << u"the server acknowledged option 'secretsauce', which was not requested"_s;
    QTest::newRow("oack bigger")
        << u"oack-bigger"_s << 1024 << QByteArray("8 the server answered blksize 2048")
        << u"the server answered blksize 2048, outside 8..1024 (asked 1024)"_s;
    QTest::newRow("oack unasked") << u"oack-bigger"_s << 0
                                  << QByteArray("8 the server sent an OACK")
                                  << u"the server sent an OACK to a request without options"_s;
}

void TestTftp::evilProtocol()
{
    QFETCH(QString, scenario);
    QFETCH(int, blockSize);
    QFETCH(QByteArray, clientError);
    QFETCH(QString, message);
    Evil evil;
    QVERIFY(evil.start(scenario, { u"--file"_s, m_evilFile }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = m_out;
    request.blockSize = blockSize;
    if (scenario == u"oack-bigger"_s && blockSize == 0)
        request.transferSize = false; // a plain request, answered with an OACK all the same
    const TftpResult result = run(request).result;
    QCOMPARE(result.status, TftpStatus::ProtocolError);
    QCOMPARE(result.errorString, message);
    // We tell the server why we stop (ERROR 4 or 8).
    QVERIFY2(evil.line("client-error ").startsWith(clientError), evil.process.output().constData());
    QCOMPARE(entries(m_out), QStringList());
}

void TestTftp::evilIgnoredOptions()
{
    Evil evil;
    QVERIFY(evil.start(u"ignore-options"_s, { u"--file"_s, m_evilFile }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = m_out;
    request.blockSize = 8192;
    request.windowSize = 8;
    request.transferSize = true;
    const TftpResult result = run(request).result;
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QVERIFY(!result.optionsAcknowledged);
    QVERIFY(result.fellBackToPlain);
    QCOMPARE(result.blockSize, 512);
    QCOMPARE(result.windowSize, 1);
    QCOMPARE(sha256Of(out(u"evil.bin"_s)), sha256Of(m_evilFile));
}

void TestTftp::evilRefusedOptions()
{
    Evil evil;
    QVERIFY(evil.start(u"refuse-options"_s, { u"--file"_s, m_evilFile }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = m_out;
    request.blockSize = 1024;
    const TftpResult result = run(request).result;
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QVERIFY(result.fellBackToPlain);
    QCOMPARE(result.blockSize, 512);
    QVERIFY(evil.line("request ").startsWith("rrq evil.bin octet blksize=1024 at"));
    QVERIFY(evil.line("request ").startsWith("rrq evil.bin octet at"));
    QCOMPARE(sha256Of(out(u"evil.bin"_s)), sha256Of(m_evilFile));
}

void TestTftp::evilSilentServer()
{
    Evil evil;
    QVERIFY(evil.start(u"silent"_s));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"nothing"_s;
    request.localPath = m_out;
    request.timeoutMs = 100;
    request.retries = 3;
    QElapsedTimer clock;
    clock.start();
    const TftpResult result = run(request).result;
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(result.status, TftpStatus::TimedOut);
    QVERIFY2(result.errorString.startsWith(
                 u"no answer from 127.0.0.1:%1 after 3 retransmissions ("_s.arg(evil.port)),
        qPrintable(result.errorString));
    // 100 + 200 + 400 + 800 ms of waiting, and not much more.
    QVERIFY2(elapsed >= 1400 && elapsed < 5000, qPrintable(QString::number(elapsed)));
    QCOMPARE(result.retransmissions, 3);
    // The server saw the request four times, each wait about twice the last.
    QList<double> times;
    for (int i = 0; i < 4; ++i) {
        const QByteArray line = evil.line("request ");
        times.append(line.mid(line.lastIndexOf(' ') + 1).toDouble());
    }
    for (int i = 2; i < 4; ++i) {
        const double gap = times[i] - times[i - 1];
        const double previous = times[i - 1] - times[i - 2];
        QVERIFY2(gap > 1.3 * previous, qPrintable(u"gaps %1 then %2"_s.arg(previous).arg(gap)));
    }
    QCOMPARE(entries(m_out), QStringList());
}

void TestTftp::evilStallTimesOut()
{
    Evil evil;
    QVERIFY(evil.start(u"stall"_s, { u"--file"_s, m_evilFile, u"--stall-after"_s, u"3"_s }));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = m_out;
    request.timeoutMs = 100;
    request.retries = 2;
    const TftpResult result = run(request).result;
    QCOMPARE(result.status, TftpStatus::TimedOut);
    QVERIFY2(result.errorString.startsWith(
                 u"127.0.0.1:%1 stopped sending after block 3, 2 retransmissions"_s.arg(evil.port)),
        qPrintable(result.errorString));
    QCOMPARE(evil.line("client-error "), "0 timed out");
    QCOMPARE(entries(m_out), QStringList());
}

void TestTftp::cancelMidTransfer()
{
    Evil evil;
    QVERIFY(evil.start(u"stall"_s, { u"--file"_s, m_evilFile, u"--stall-after"_s, u"3"_s }));
    const QString target = out(u"evil.bin"_s);
    QVERIFY(writeBytes(target, "before"));
    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.remoteName = u"evil.bin"_s;
    request.localPath = target;
    request.overwrite = true;
    request.timeoutMs = 10'000;
    const Run outcome = run(request, 30'000, [&](TftpTransfer &transfer) {
        // Once the server has sent its blocks and waits, cancel.
        QVERIFY(evil.process.waitForLine("stalled").has_value());
        QCOMPARE(readBytes(target), "before");
        transfer.cancel();
    });
    QCOMPARE(outcome.result.status, TftpStatus::Cancelled);
    QCOMPARE(outcome.result.bytes, qint64(3 * 512));
    QCOMPARE(evil.line("client-error "), "0 cancelled by the user");
    QCOMPARE(readBytes(target), "before");
    QCOMPARE(entries(m_out), QStringList { u"evil.bin"_s });
}

void TestTftp::cancelBeforeStart()
{
    TftpTransfer transfer(TftpRequest {});
    bool finished = false;
    TftpResult result;
    connect(&transfer, &TftpTransfer::finished, this, [&](const TftpResult &r) {
        finished = true;
        result = r;
    });
    transfer.cancel();
    QTRY_VERIFY(finished);
    QCOMPARE(result.status, TftpStatus::Cancelled);
    transfer.cancel(); // nothing more
    transfer.start(); // nor this
    QTest::qWait(0);
    QVERIFY(transfer.isFinished());
}

void TestTftp::evilUpload_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<int>("windowSize");
    for (const char *scenario : { "normal", "loss", "dup-ack" }) {
        QTest::addRow("%s", scenario) << QString::fromLatin1(scenario) << 1;
        QTest::addRow("%s window 4", scenario) << QString::fromLatin1(scenario) << 4;
    }
}

void TestTftp::evilUpload()
{
    QFETCH(QString, scenario);
    QFETCH(int, windowSize);
    Evil evil;
    QVERIFY(evil.start(scenario));
    TftpRequest request;
    request.direction = TftpRequest::Direction::Upload;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.localPath = m_evilFile;
    if (windowSize > 1) {
        request.blockSize = 1024;
        request.windowSize = windowSize;
    }
    // A timeout the duplicated ACKs cannot hide behind.
    request.timeoutMs = scenario == u"dup-ack"_s ? 5000 : 300;
    const TftpResult result = run(request, 60'000).result;
    QVERIFY2(result.ok(),
        qPrintable(
            result.errorString + u"; server said: "_s + QString::fromUtf8(evil.process.output())));
    QCOMPARE(result.remoteName, u"evil.bin"_s);
    const QList<QByteArray> summary = evil.line("upload sha256 ").split(' ');
    QCOMPARE(summary.value(0), sha256Of(m_evilFile));
    if (scenario == u"dup-ack"_s) {
        // No Sorcerer's Apprentice: a duplicate ACK never brings DATA again.
        QCOMPARE(summary.value(2), summary.value(4));
        QCOMPARE(result.retransmissions, 0);
    }
}

void TestTftp::evilUploadError()
{
    Evil evil;
    QVERIFY(evil.start(u"error"_s));
    TftpRequest request;
    request.direction = TftpRequest::Direction::Upload;
    request.host = u"127.0.0.1"_s;
    request.port = evil.port;
    request.localPath = m_evilFile;
    request.remoteName = u"full.bin"_s;
    const TftpResult result = run(request).result;
    QCOMPARE(result.status, TftpStatus::ServerError);
    QCOMPARE(result.errorString,
        u"server error 3 (Disk full or allocation exceeded): simulated disk full"_s);
}

// ---- socklab-cli tftp ------------------------------------------------------

void TestTftp::cliHelp()
{
    const CliRun cli = runCli({ u"tftp"_s, u"--help"_s });
    QCOMPARE(cli.exitCode, 0);
    for (const char *word : { "tftp get SERVER[:PORT] REMOTE",
             "tftp put SERVER[:PORT] LOCAL [REMOTE]", "--blksize", "--windowsize", "--tsize",
             "--timeout", "--retries", "--no-options", "--overwrite", "--json", "--mode" })
        QVERIFY2(cli.out.contains(word), word);
    QVERIFY(cli.err.isEmpty());
    QCOMPARE(runCli({ u"tftp"_s, u"get"_s, u"--help"_s }).exitCode, 0);
}

void TestTftp::cliUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    const QStringList get { u"tftp"_s, u"get"_s, u"127.0.0.1:6969"_s, u"x"_s };
    QTest::newRow("no verb") << QStringList { u"tftp"_s } << QByteArray("get or put");
    QTest::newRow("bad verb") << QStringList { u"tftp"_s, u"fetch"_s }
                              << QByteArray("unknown command 'fetch'");
    QTest::newRow("no remote") << QStringList { u"tftp"_s, u"get"_s, u"127.0.0.1"_s }
                               << QByteArray("usage: socklab-cli tftp get");
    QTest::newRow("too many") << get + QStringList { u"y"_s }
                              << QByteArray("usage: socklab-cli tftp get");
    QTest::newRow("bad port") << QStringList { u"tftp"_s, u"get"_s, u"127.0.0.1:70000"_s, u"x"_s }
                              << QByteArray("out of range");
    QTest::newRow("ambiguous v6") << QStringList { u"tftp"_s, u"get"_s, u"fe80::1:69"_s, u"x"_s }
                                  << QByteArray("ambiguous");
    QTest::newRow("port only") << QStringList { u"tftp"_s, u"get"_s, u"6969"_s, u"x"_s }
                               << QByteArray("looks like a port");
    QTest::newRow("blksize small")
        << get + QStringList { u"--blksize"_s, u"7"_s } << QByteArray("--blksize '7'");
    QTest::newRow("blksize big") << get + QStringList { u"--blksize"_s, u"65465"_s }
                                 << QByteArray("8..65464");
    QTest::newRow("windowsize 0") << get + QStringList { u"--windowsize"_s, u"0"_s }
                                  << QByteArray("--windowsize '0'");
    QTest::newRow("mode") << get + QStringList { u"--mode"_s, u"mail"_s }
                          << QByteArray("mode 'mail'");
    QTest::newRow("no-options and blksize")
        << get + QStringList { u"--no-options"_s, u"--blksize"_s, u"1024"_s }
        << QByteArray("--no-options");
    QTest::newRow("timeout") << get + QStringList { u"--timeout"_s, u"0"_s }
                             << QByteArray("--timeout '0'");
    QTest::newRow("retries") << get + QStringList { u"--retries"_s, u"-1"_s }
                             << QByteArray("--retries");
    QTest::newRow("unknown option") << get + QStringList { u"--bogus"_s } << QByteArray("bogus");
    QTest::newRow("put -o") << QStringList { u"tftp"_s, u"put"_s, u"127.0.0.1"_s, u"f"_s, u"-o"_s,
        u"x"_s } << QByteArray("tftp put: -o does not apply to tftp put (only to tftp get)");
    QTest::newRow("put too many") << QStringList { u"tftp"_s, u"put"_s, u"h"_s, u"l"_s, u"r"_s,
        u"extra"_s } << QByteArray("usage: socklab-cli tftp put");
    QTest::newRow("no local name")
        << QStringList { u"tftp"_s, u"get"_s, u"h"_s, u"dir/"_s } << QByteArray("give one with -o");
}

void TestTftp::cliUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const CliRun cli = runCli(arguments);
    QCOMPARE(cli.exitCode, 2);
    QVERIFY(cli.out.isEmpty());
    QVERIFY2(cli.err.startsWith("socklab-cli: ") && cli.err.contains(message), cli.err.constData());
    QCOMPARE(cli.err.count('\n'), 1);
}

void TestTftp::cliGetPut()
{
    if (!m_hpa.running())
        QSKIP(qPrintable(m_hpa.problem));
    CliRun cli = runCli({ u"tftp"_s, u"get"_s, m_hpa.address(), u"m65464x2.bin"_s, u"-o"_s, m_out,
        u"--blksize"_s, u"65464"_s, u"--tsize"_s });
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    QVERIFY2(cli.out.startsWith("received m65464x2.bin -> "), cli.out.constData());
    QVERIFY(!cli.out.contains('\r')); // no progress line when not on a terminal
    QCOMPARE(sha256Of(out(u"m65464x2.bin"_s)), m_sha.value(u"m65464x2.bin"_s));

    const QString remote = u"cli-up%1.bin"_s.arg(++m_uploads);
    cli = runCli({ u"tftp"_s, u"put"_s, m_hpa.address(), out(u"m65464x2.bin"_s), remote,
        u"--blksize"_s, u"1428"_s });
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    QVERIFY2(cli.out.startsWith("sent "), cli.out.constData());
    QCOMPARE(sha256Of(served(remote)), m_sha.value(u"m65464x2.bin"_s));

    if (m_hpa6.running()) {
        cli = runCli({ u"tftp"_s, u"get"_s, m_hpa6.address(), u"s513.bin"_s, u"-o"_s,
            out(u"v6.bin"_s), u"--no-options"_s });
        QVERIFY2(cli.exitCode == 0, cli.err.constData());
        QCOMPARE(sha256Of(out(u"v6.bin"_s)), m_sha.value(u"s513.bin"_s));
    }
}

void TestTftp::cliJson()
{
    if (!m_hpa.running())
        QSKIP(qPrintable(m_hpa.problem));
    const CliRun cli = runCli({ u"tftp"_s, u"get"_s, m_hpa.address(), u"big.bin"_s, u"-o"_s, m_out,
        u"--blksize"_s, u"8192"_s, u"--tsize"_s, u"--json"_s });
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const QList<QByteArray> lines = cli.out.trimmed().split('\n');
    QVERIFY(lines.size() >= 2);
    for (const QByteArray &line : lines.first(lines.size() - 1)) {
        const QJsonObject progress = QJsonDocument::fromJson(line).object();
        QCOMPARE(progress.value(u"event"_s).toString(), u"progress"_s);
        QVERIFY(progress.contains(u"done"_s) && progress.contains(u"total"_s));
    }
    const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(last.value(u"event"_s).toString(), u"finished"_s);
    QCOMPARE(last.value(u"status"_s).toString(), u"success"_s);
    QCOMPARE(last.value(u"bytes"_s).toInteger(), BigSize);
    QCOMPARE(last.value(u"tsize"_s).toInteger(), BigSize);
    QCOMPARE(last.value(u"blksize"_s).toInt(), 8192);
    QCOMPARE(last.value(u"local"_s).toString(), out(u"big.bin"_s));
    QCOMPARE(sha256Of(out(u"big.bin"_s)), m_sha.value(u"big.bin"_s));
}

void TestTftp::cliFailures()
{
    if (!m_hpa.running())
        QSKIP(qPrintable(m_hpa.problem));
    CliRun cli = runCli({ u"tftp"_s, u"get"_s, m_hpa.address(), u"missing.bin"_s, u"-o"_s, m_out });
    QCOMPARE(cli.exitCode, 1);
    QCOMPARE(cli.err, "socklab-cli: tftp: server error 1 (File not found): File not found\n");
    QCOMPARE(entries(m_out), QStringList());

    QVERIFY(writeBytes(out(u"s513.bin"_s), "mine"));
    cli = runCli(
        { u"tftp"_s, u"get"_s, m_hpa.address(), u"s513.bin"_s, u"-o"_s, m_out, u"--json"_s });
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.contains("already exists (choose overwrite"), cli.err.constData());
    QCOMPARE(QJsonDocument::fromJson(cli.out.trimmed()).object().value(u"status"_s).toString(),
        u"local-error"_s);
    QCOMPARE(readBytes(out(u"s513.bin"_s)), "mine");

    cli = runCli(
        { u"tftp"_s, u"get"_s, m_hpa.address(), u"s513.bin"_s, u"-o"_s, m_out, u"--overwrite"_s });
    QCOMPARE(cli.exitCode, 0);
    QCOMPARE(sha256Of(out(u"s513.bin"_s)), m_sha.value(u"s513.bin"_s));
}

void TestTftp::cliCancelOnSigint()
{
    Evil evil;
    QVERIFY(evil.start(u"stall"_s, { u"--file"_s, m_evilFile, u"--stall-after"_s, u"3"_s }));
    peers::Process cli;
    QVERIFY(cli.start(cliPath(),
        { u"tftp"_s, u"get"_s, u"127.0.0.1:%1"_s.arg(evil.port), u"evil.bin"_s, u"-o"_s, m_out,
            u"--timeout"_s, u"10"_s }));
    QVERIFY(evil.process.waitForLine("stalled").has_value());
    cli.signal(SIGINT);
    QVERIFY(cli.waitForFinished());
    QCOMPARE(cli.exitCode(), 1);
    QCOMPARE(cli.errors(), "socklab-cli: tftp: cancelled\n");
    QCOMPARE(evil.line("client-error "), "0 cancelled by the user");
    QCOMPARE(entries(m_out), QStringList());
}

QTEST_GUILESS_MAIN(TestTftp)
#include "tst_tftp.moc"
