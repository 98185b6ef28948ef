// TftpTransfer against real TFTP servers (tftpd-hpa, atftpd) through a lossy
// path: downloads and uploads under loss, duplication, delay and reordering
// must all finish with the file's SHA-256.
//
// Two ways to spoil the path:
// - tests/peers/udp_lossy_relay.py, a user-space relay with a seeded
//   generator between the client and the server on loopback. It needs
//   nothing from the kernel, so these rows always run.
// - The kernel, inside a network namespace of the test's own (CTest runs this
//   program a second time under tests/run_in_netns.sh): nftables rules on
//   the namespace's loopback drop or duplicate datagrams, and netem delays
//   and reorders them where the kernel has it (sch_netem; many cloud
//   kernels lack it, and those rows skip).
//
// Servers give up too: in.tftpd sends a block 6 times, then exits, and after
// an upload answers one retransmitted last block only. Uncapped random loss
// of 20% both ways would make it fail a 200-block download about a third of
// the time on its own. So the relay never drops the same datagram twice in a
// row, and the kernel's 20% is every fifth datagram; random kernel loss (5%)
// is used for downloads, where in.tftpd's retries make a failure (all six
// sends of one block lost, ~1e-6 per block) negligible.

#include "net/tftp/tftptransfer.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QUdpSocket>

#include <functional>
#include <unistd.h>

using namespace Qt::StringLiterals;
using peers::ProgramRun;
using peers::runProgram;
using procfs::udpPortBound;
using testfiles::sha256Of;
using testfiles::writeRandom;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

// The client's first retransmission timeout, and how often it may retry:
// short and many, so that losses cost little time and never end a transfer.
constexpr int ClientTimeoutMs = 50;
constexpr int ClientRetries = 30;

std::optional<quint16> freeUdpPort()
{
    QUdpSocket probe;
    if (!probe.bind(QHostAddress::LocalHost, 0))
        return std::nullopt;
    return probe.localPort();
}

// A TFTP server process on a loopback port of its own.
struct Server
{
    std::unique_ptr<peers::Process> process;
    quint16 port = 0;
    QString problem; // why it is not running

    bool running() const { return process != nullptr; }

    void start(const QString &program, const std::function<QStringList(quint16)> &arguments)
    {
        for (int attempt = 0; attempt < 5; ++attempt) {
            const std::optional<quint16> free = freeUdpPort();
            if (!free) {
                problem = u"no free UDP port on 127.0.0.1"_s;
                continue;
            }
            auto candidate = std::make_unique<peers::Process>();
            if (!candidate->start(program, arguments(*free))) {
                problem = u"cannot start %1"_s.arg(program);
                return;
            }
            const bool settled = peers::waitUntil(
                [&] {
                    return candidate->process().state() != QProcess::Running || udpPortBound(*free);
                },
                10'000);
            if (settled && candidate->process().state() == QProcess::Running) {
                process = std::move(candidate);
                port = *free;
                problem.clear();
                return;
            }
            problem = u"%1 did not start on port %2: %3"_s.arg(program).arg(*free).arg(
                QString::fromLocal8Bit(candidate->errors() + candidate->output()).trimmed());
        }
    }
};

// tests/peers/udp_lossy_relay.py in front of a server.
struct Relay
{
    peers::Process process;
    quint16 port = 0;

    bool start(quint16 serverPort, const QStringList &faults)
    {
        if (!process.startScript(u"udp_lossy_relay.py"_s,
                QStringList { u"--server"_s, u"127.0.0.1:%1"_s.arg(serverPort) } + faults))
            return false;
        const auto line = process.waitForLine("port ");
        port = line ? line->toUShort() : 0;
        return port != 0;
    }
    // "in=N out=N dropped=N duplicated=N overtaken=N" as a map.
    QHash<QByteArray, qint64> stats()
    {
        QHash<QByteArray, qint64> values;
        process.write("stats\n");
        const auto line = process.waitForLine("stats ");
        if (!line)
            return values;
        for (const QByteArray &pair : line->split(' ')) {
            const qsizetype equals = pair.indexOf('=');
            if (equals > 0)
                values.insert(pair.first(equals), pair.mid(equals + 1).toLongLong());
        }
        return values;
    }
};

// One transfer to its end in a local event loop.
TftpResult run(const TftpRequest &request, int timeoutMs = 120'000)
{
    TftpResult outcome;
    TftpTransfer transfer(request);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&transfer, &TftpTransfer::finished, &loop, [&](const TftpResult &result) {
        outcome = result;
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    transfer.start();
    if (!finished)
        loop.exec();
    if (!finished) {
        outcome.status = TftpStatus::TimedOut;
        outcome.errorString = u"test: the transfer did not finish in %1 ms"_s.arg(timeoutMs);
    }
    return outcome;
}

// Counters of the fault rules: "counter packets N" of each rule, summed.
qint64 nftCounter(const QByteArray &listing)
{
    static const QRegularExpression counter(u"counter packets (\\d+)"_s);
    qint64 total = 0;
    auto matches = counter.globalMatch(QString::fromUtf8(listing));
    while (matches.hasNext())
        total += matches.next().captured(1).toLongLong();
    return total;
}

} // namespace

class TestTftpFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void relay_data();
    void relay();
    void kernel_data();
    void kernel();
    void kernelCli_data();
    void kernelCli();

private:
    QString served(const QString &name) const { return m_root + u'/' + name; }
    QString out(const QString &name) const { return m_out + u'/' + name; }
    void addRows(bool kernel);
    void startAtftpd();
    // Applies one fault to the namespace's loopback; empty when done, else why not.
    QString applyKernelFault(const QString &kind, const QString &spec);
    void clearKernelFaults();
    qint64 kernelFaultCount();

    QTemporaryDir m_dir;
    QString m_root;
    QString m_out;
    QHash<QString, QByteArray> m_sha;
    // Downloads: in.tftpd retransmits after 20 ms. Uploads: it waits a
    // second, so that it is still there to answer a retransmitted last block
    // after its final ACK was lost (it answers one, once).
    Server m_fast;
    Server m_patient;
    Server m_atftpd;
    bool m_inNamespace = false;
    QString m_nftProblem;
    QString m_netemProblem;
    bool m_netemApplied = false;
    int m_uploads = 0;
};

void TestTftpFaults::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_root = m_dir.filePath(u"srv"_s);
    m_out = m_dir.filePath(u"out"_s);
    QVERIFY(QDir().mkpath(m_root));
    QVERIFY(QDir().mkpath(m_out));
    QFile::setPermissions(m_root, QFileDevice::Permissions(0x7777));
    QFile::setPermissions(m_dir.path(), QFileDevice::Permissions(0x7755));
    const QList<std::pair<QString, qint64>> files { { u"f64k.bin"_s, 64 * KiB },
        { u"f256k.bin"_s, 256 * KiB }, { u"f1m.bin"_s, 1 * MiB }, { u"f1m7.bin"_s, 1 * MiB + 7 } };
    quint32 seed = 61;
    for (const auto &[name, size] : files) {
        QVERIFY(writeRandom(served(name), size, seed++));
        m_sha.insert(name, sha256Of(served(name)));
    }

    // run_in_netns.sh says where it put us; it checked it is not the
    // machine's own namespace before it set anything up.
    m_inNamespace = qEnvironmentVariableIsSet("SOCKLAB_NETNS_IF");
    if (m_inNamespace) {
        // in.tftpd -a exits 66 in a fresh namespace until lo has a second address.
        runProgram(u"ip"_s, { u"addr"_s, u"add"_s, u"127.0.0.2/8"_s, u"dev"_s, u"lo"_s });
        const QString nft
            = QStandardPaths::findExecutable(u"nft"_s, { u"/usr/sbin"_s, u"/sbin"_s });
        if (nft.isEmpty()) {
            m_nftProblem = u"nft not installed (apt-get install nftables)"_s;
        } else {
            const ProgramRun made = runProgram(nft,
                { u"add table ip socklab_faults; "
                  "add chain ip socklab_faults pre { type filter hook prerouting priority 0; }"_s });
            if (made.exitCode != 0)
                m_nftProblem = u"nftables unusable here: %1"_s.arg(
                    QString::fromLocal8Bit(made.err).trimmed());
        }
        const ProgramRun netem = runProgram(
            u"tc"_s, { u"qdisc"_s, u"add"_s, u"dev"_s, u"lo"_s, u"root"_s, u"netem"_s });
        if (netem.exitCode != 0)
            m_netemProblem = u"no netem in this kernel (tc: %1)"_s.arg(
                QString::fromLocal8Bit(netem.err).trimmed());
        else
            runProgram(u"tc"_s, { u"qdisc"_s, u"del"_s, u"dev"_s, u"lo"_s, u"root"_s });
    }

    const QString inTftpd
        = QStandardPaths::findExecutable(u"in.tftpd"_s, { u"/usr/sbin"_s, u"/sbin"_s });
    if (inTftpd.isEmpty()) {
        m_fast.problem = m_patient.problem
            = u"in.tftpd not installed (apt-get install tftpd-hpa)"_s;
    } else {
        for (auto [server, micros] : { std::pair { &m_fast, 20'000 }, { &m_patient, 1'000'000 } }) {
            server->start(inTftpd, [&](quint16 port) {
                return QStringList { u"-L"_s, u"-s"_s, u"-a"_s, u"127.0.0.1:%1"_s.arg(port),
                    u"-u"_s, u"root"_s, u"-c"_s, u"-T"_s, QString::number(micros), u"-B"_s,
                    u"65464"_s, m_root };
            });
        }
    }
    // atftpd serves the relay's windowsize rows only. It shares tst_tftp's
    // cache (it conflicts with tftpd-hpa as a package); a namespace has no
    // network to fetch it with anyway.
    if (m_inNamespace) {
        m_atftpd.problem = u"not used in the namespace run"_s;
    } else {
        startAtftpd();
    }
    qInfo("namespace: %s; in.tftpd: %s; atftpd: %s; nftables: %s; netem: %s",
        m_inNamespace ? "own" : "the machine's",
        qPrintable(m_fast.running() ? u"ports %1, %2"_s.arg(m_fast.port).arg(m_patient.port)
                                    : m_fast.problem),
        qPrintable(m_atftpd.running() ? u"port %1"_s.arg(m_atftpd.port) : m_atftpd.problem),
        qPrintable(!m_inNamespace        ? u"-"_s
                : m_nftProblem.isEmpty() ? u"yes"_s
                                         : m_nftProblem),
        qPrintable(!m_inNamespace          ? u"-"_s
                : m_netemProblem.isEmpty() ? u"yes"_s
                                           : m_netemProblem));
}

void TestTftpFaults::startAtftpd()
{
    const ProgramRun fetch = runProgram(u"sh"_s,
        { peers::testsDir() + u"/fetch-atftpd.sh"_s,
            QCoreApplication::applicationDirPath() + u"/tftp-peers"_s },
        180'000);
    const QString atftpd = QString::fromLocal8Bit(fetch.out).trimmed().split(u'\n').last();
    if (fetch.exitCode != 0 || !QFileInfo(atftpd).isExecutable()) {
        m_atftpd.problem = u"atftpd unavailable: tests/fetch-atftpd.sh failed (%1)"_s.arg(
            QString::fromLocal8Bit(fetch.err).trimmed());
    } else {
        m_atftpd.start(atftpd, [&](quint16 port) {
            return QStringList { u"--daemon"_s, u"--no-fork"_s, u"--port"_s, QString::number(port),
                u"--bind-address"_s, u"127.0.0.1"_s, u"--user"_s, u"root"_s, u"--group"_s,
                u"root"_s, u"--retry-timeout"_s, u"1"_s, u"--logfile"_s, u"/dev/null"_s, m_root };
        });
    }
}

void TestTftpFaults::cleanupTestCase()
{
    for (Server *server : { &m_fast, &m_patient, &m_atftpd }) {
        if (server->process)
            server->process->stop();
    }
    if (m_inNamespace && m_nftProblem.isEmpty())
        runProgram(u"nft"_s, { u"delete table ip socklab_faults"_s });
}

void TestTftpFaults::init()
{
    QDir folder(m_out);
    for (const QString &entry : folder.entryList(QDir::Files | QDir::Hidden))
        QVERIFY(folder.remove(entry));
}

void TestTftpFaults::cleanup()
{
    if (m_inNamespace)
        clearKernelFaults();
}

// Columns: server, direction, file, blksize, windowsize, fault kind, spec.
void TestTftpFaults::addRows(bool kernel)
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<bool>("upload");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("blockSize");
    QTest::addColumn<int>("windowSize");
    QTest::addColumn<QString>("kind"); // relay, nft or netem
    QTest::addColumn<QString>("spec"); // relay arguments or the rule

    struct Fault
    {
        const char *name;
        QString kind;
        QString spec;
        QString file;
        bool upload;
    };
    QList<Fault> faults;
    if (!kernel) {
        const QString loss5 = u"--loss 0.05 --seed 11"_s;
        const QString loss20 = u"--loss 0.2 --seed 12"_s;
        const QString dup20 = u"--duplicate 0.2 --seed 13"_s;
        const QString reorder = u"--delay 2 --reorder 0.25 --seed 14"_s;
        for (const bool upload : { false, true }) {
            faults += { { "loss 5%", u"relay"_s, loss5, u"f1m.bin"_s, upload },
                { "loss 20%", u"relay"_s, loss20, u"f256k.bin"_s, upload },
                { "duplicate 20%", u"relay"_s, dup20, u"f1m.bin"_s, upload },
                { "delay 2ms reorder 25%", u"relay"_s, reorder, u"f256k.bin"_s, upload } };
        }
    } else {
        // prerouting: a datagram dropped there was sent, as on a real network
        // (dropped on output, sendto() would fail with EPERM). A copy made by
        // dup comes round again: the mark keeps it from being copied twice.
        const QString random5 = u"meta l4proto udp numgen random mod 1000 < 50 counter drop"_s;
        const QString fifth = u"meta l4proto udp numgen inc mod 5 == 0 counter drop"_s;
        const QString dup20 = u"meta l4proto udp meta mark != 0x5f numgen random mod 100 < 20 "
                              "meta mark set 0x5f counter dup to 127.0.0.1 device lo"_s;
        faults += { { "random loss 5%", u"nft"_s, random5, u"f1m.bin"_s, false } };
        for (const bool upload : { false, true }) {
            faults += { { "every 5th lost (20%)", u"nft"_s, fifth, u"f256k.bin"_s, upload },
                { "duplicate 20%", u"nft"_s, dup20, u"f1m.bin"_s, upload },
                { "netem delay 2ms reorder 25% 50%", u"netem"_s, u"delay 2ms reorder 25% 50%"_s,
                    u"f256k.bin"_s, upload },
                { "netem duplicate 20%", u"netem"_s, u"duplicate 20%"_s, u"f1m.bin"_s, upload } };
        }
        faults += { { "netem loss 5%", u"netem"_s, u"loss 5%"_s, u"f1m.bin"_s, false } };
    }
    if (kernel != m_inNamespace) {
        // One row that says why, rather than one skip per row.
        QTest::newRow(kernel ? "in a namespace only" : "outside the namespace only")
            << QString() << false << QString() << 0 << 0 << QString() << QString();
        return;
    }
    for (const Fault &fault : faults) {
        // Lockstep at 1428 (an Ethernet-sized block), and at 512 for the
        // relay's small downloads (uploads at 512: the CLI rows).
        for (const int blockSize : { 1428, 512 }) {
            if (blockSize == 512 && (kernel || fault.upload || fault.file != u"f256k.bin"_s))
                continue;
            QTest::addRow(
                "in.tftpd %s %s blksize %d", fault.upload ? "put" : "get", fault.name, blockSize)
                << u"in.tftpd"_s << fault.upload << fault.file << blockSize << 0 << fault.kind
                << fault.spec;
        }
    }
    if (!kernel) {
        // RFC 7440 windows: reordering really overtakes within a window.
        QTest::newRow("atftpd get windowsize 8 loss 5% dup 5% reorder 25%")
            << u"atftpd"_s << false << u"f1m7.bin"_s << 1428 << 8 << u"relay"_s
            << u"--loss 0.05 --duplicate 0.05 --delay 2 --reorder 0.25 --seed 15"_s;
        QTest::newRow("atftpd get windowsize 8 loss 20%")
            << u"atftpd"_s << false << u"f256k.bin"_s << 1428 << 8 << u"relay"_s
            << u"--loss 0.2 --seed 16"_s;
        // Uploads to atftpd lose DATA only: atftpd does not linger after its
        // final ACK, so when that one is lost no client can ever hear that
        // the upload is complete (it ends timed out, the file whole on the
        // server). Lost ACKs within a transfer are in the row above.
        QTest::newRow("atftpd put windowsize 8 loss 5% dup 5%")
            << u"atftpd"_s << true << u"f256k.bin"_s << 1428 << 8 << u"relay"_s
            << u"--loss 0.05 --loss-to-client 0 --duplicate 0.05 --seed 15"_s;
        QTest::newRow("atftpd put windowsize 8 loss 20%")
            << u"atftpd"_s << true << u"f256k.bin"_s << 1428 << 8 << u"relay"_s
            << u"--loss 0.2 --loss-to-client 0 --seed 16"_s;
    }
}

QString TestTftpFaults::applyKernelFault(const QString &kind, const QString &spec)
{
    if (kind == u"netem"_s) {
        if (!m_netemProblem.isEmpty())
            return m_netemProblem;
        const ProgramRun added
            = runProgram(u"sh"_s, { u"-c"_s, u"tc qdisc add dev lo root netem "_s + spec });
        if (added.exitCode != 0)
            return u"tc qdisc add dev lo root netem %1: %2"_s.arg(
                spec, QString::fromLocal8Bit(added.err).trimmed());
        m_netemApplied = true;
        return {};
    }
    if (!m_nftProblem.isEmpty())
        return m_nftProblem;
    const ProgramRun added = runProgram(u"nft"_s, { u"add rule ip socklab_faults pre "_s + spec });
    return added.exitCode == 0
        ? QString()
        : u"nft add rule %1: %2"_s.arg(spec, QString::fromLocal8Bit(added.err).trimmed());
}

void TestTftpFaults::clearKernelFaults()
{
    if (m_nftProblem.isEmpty())
        runProgram(u"nft"_s, { u"flush chain ip socklab_faults pre"_s });
    if (m_netemApplied) {
        runProgram(u"tc"_s, { u"qdisc"_s, u"del"_s, u"dev"_s, u"lo"_s, u"root"_s });
        m_netemApplied = false;
    }
}

qint64 TestTftpFaults::kernelFaultCount()
{
    if (m_netemApplied) {
        // "Sent N bytes M pkt (dropped D, ...)": netem's own figures are not
        // split by kind; any packet through it was delayed or copied.
        const ProgramRun shown
            = runProgram(u"tc"_s, { u"-s"_s, u"qdisc"_s, u"show"_s, u"dev"_s, u"lo"_s });
        static const QRegularExpression sent(u"Sent \\d+ bytes (\\d+) pkt"_s);
        const auto match = sent.match(QString::fromUtf8(shown.out));
        return match.hasMatch() ? match.captured(1).toLongLong() : 0;
    }
    return nftCounter(runProgram(u"nft"_s, { u"list chain ip socklab_faults pre"_s }).out);
}

void TestTftpFaults::relay_data()
{
    addRows(false);
}

void TestTftpFaults::relay()
{
    if (m_inNamespace)
        QSKIP("the relay rows run outside the namespace (the plain tst_tftpfaults run)");
    QFETCH(QString, server);
    QFETCH(bool, upload);
    QFETCH(QString, file);
    QFETCH(int, blockSize);
    QFETCH(int, windowSize);
    QFETCH(QString, spec);
    const Server &target = server == u"atftpd"_s ? m_atftpd : upload ? m_patient : m_fast;
    if (!target.running())
        QSKIP(qPrintable(target.problem));

    Relay relay;
    QVERIFY2(relay.start(target.port, spec.split(u' ')), relay.process.errors().constData());

    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = relay.port;
    request.blockSize = blockSize;
    request.windowSize = windowSize;
    request.timeoutMs = ClientTimeoutMs;
    request.retries = ClientRetries;
    QString check = out(file);
    if (upload) {
        request.direction = TftpRequest::Direction::Upload;
        request.localPath = served(file);
        request.remoteName = u"up%1-%2"_s.arg(++m_uploads).arg(file);
        check = served(request.remoteName);
    } else {
        request.remoteName = file;
        request.localPath = m_out;
    }
    if (server == u"atftpd"_s && upload) {
        // atftpd ignores blocks it already has instead of acknowledging them
        // again, and every one of them restarts its own timeout: after its
        // last ACK of a window is lost it answers again only once the client
        // has been quiet for its retry timeout (1 s). A client retransmitting
        // faster would keep it silent for ever.
        request.timeoutMs = 1200;
        request.retries = 10;
    }
    const TftpResult result = run(request);
    const auto stats = relay.stats();
    qInfo("%s: %s in %lld ms, %d retransmissions, %d strangers; relay in %lld dropped %lld "
          "duplicated %lld overtaken %lld",
        QTest::currentDataTag(), qPrintable(tftpStatusName(result.status)), result.elapsedMs,
        result.retransmissions, result.strangerPackets, stats.value("in"), stats.value("dropped"),
        stats.value("duplicated"), stats.value("overtaken"));
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(result.bytes, QFileInfo(served(file)).size());
    QCOMPARE(result.blockSize, blockSize);
    QCOMPARE(result.windowSize, windowSize > 0 ? windowSize : 1);
    // atftpd writes the last blocks after it sent the last ACK.
    QVERIFY(peers::waitUntil(
        [&] { return QFileInfo(check).size() == QFileInfo(served(file)).size(); }, 10'000));
    QCOMPARE(sha256Of(check), m_sha.value(file));

    // The faults were really there.
    QVERIFY2(stats.value("in") > 0, "the relay saw nothing");
    if (spec.contains(u"--loss"_s))
        QVERIFY2(stats.value("dropped") > 0, "nothing was dropped");
    if (spec.contains(u"--duplicate"_s))
        QVERIFY2(stats.value("duplicated") > 0, "nothing was duplicated");
    if (spec.contains(u"--reorder"_s) && windowSize > 1)
        QVERIFY2(stats.value("overtaken") > 0, "nothing was reordered");
}

void TestTftpFaults::kernel_data()
{
    addRows(true);
}

void TestTftpFaults::kernel()
{
    if (!m_inNamespace)
        QSKIP("needs a network namespace of its own: CTest runs these rows as "
              "tst_tftpfaults_netns (tests/run_in_netns.sh)");
    QFETCH(bool, upload);
    QFETCH(QString, file);
    QFETCH(int, blockSize);
    QFETCH(QString, kind);
    QFETCH(QString, spec);
    const Server &target = upload ? m_patient : m_fast;
    if (!target.running())
        QSKIP(qPrintable(target.problem));
    if (const QString problem = applyKernelFault(kind, spec); !problem.isEmpty())
        QSKIP(qPrintable(problem));

    TftpRequest request;
    request.host = u"127.0.0.1"_s;
    request.port = target.port;
    request.blockSize = blockSize;
    request.timeoutMs = ClientTimeoutMs;
    request.retries = ClientRetries;
    QString check = out(file);
    if (upload) {
        request.direction = TftpRequest::Direction::Upload;
        request.localPath = served(file);
        request.remoteName = u"up%1-%2"_s.arg(++m_uploads).arg(file);
        check = served(request.remoteName);
    } else {
        request.remoteName = file;
        request.localPath = m_out;
    }
    const TftpResult result = run(request);
    const qint64 faults = kernelFaultCount();
    qInfo("%s: %s in %lld ms, %d retransmissions, %d strangers; %lld datagrams hit by the rule",
        QTest::currentDataTag(), qPrintable(tftpStatusName(result.status)), result.elapsedMs,
        result.retransmissions, result.strangerPackets, faults);
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(result.bytes, QFileInfo(served(file)).size());
    QVERIFY(peers::waitUntil(
        [&] { return QFileInfo(check).size() == QFileInfo(served(file)).size(); }, 10'000));
    QCOMPARE(sha256Of(check), m_sha.value(file));
    QVERIFY2(faults > 0, "the fault rule never matched");
}

void TestTftpFaults::kernelCli_data()
{
    QTest::addColumn<bool>("upload");
    QTest::newRow("get") << false;
    QTest::newRow("put") << true;
}

// The same through socklab-cli (plain RFC 1350, 512-byte blocks), in the same
// namespace: every fifth datagram lost.
void TestTftpFaults::kernelCli()
{
    if (!m_inNamespace)
        QSKIP("needs a network namespace of its own (tst_tftpfaults_netns)");
    QFETCH(bool, upload);
    const Server &target = upload ? m_patient : m_fast;
    if (!target.running())
        QSKIP(qPrintable(target.problem));
    if (const QString problem
        = applyKernelFault(u"nft"_s, u"meta l4proto udp numgen inc mod 5 == 0 counter drop"_s);
        !problem.isEmpty())
        QSKIP(qPrintable(problem));

    const QString file = u"f64k.bin"_s;
    const QString server = u"127.0.0.1:%1"_s.arg(target.port);
    const QString remote = u"cli-up-%1"_s.arg(file);
    // --no-options: a --timeout would also ask the server for whole seconds.
    const QStringList common { u"--no-options"_s, u"--timeout"_s, u"0.05"_s, u"--retries"_s,
        QString::number(ClientRetries), u"--json"_s };
    const ProgramRun cli = runProgram(peers::cliPath(),
        (upload ? QStringList { u"tftp"_s, u"put"_s, server, served(file), remote }
                : QStringList { u"tftp"_s, u"get"_s, server, file, u"-o"_s, m_out })
            + common,
        120'000);
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const QJsonObject last = QJsonDocument::fromJson(cli.out.trimmed().split('\n').last()).object();
    QCOMPARE(last.value(u"status"_s).toString(), u"success"_s);
    QCOMPARE(last.value(u"bytes"_s).toInteger(), 64 * KiB);
    const QString check = upload ? served(remote) : out(file);
    QVERIFY(peers::waitUntil([&] { return QFileInfo(check).size() == 64 * KiB; }, 10'000));
    QCOMPARE(sha256Of(check), m_sha.value(file));
    const qint64 faults = kernelFaultCount();
    qInfo("socklab-cli tftp %s: %lld ms, %lld retransmissions; %lld datagrams dropped",
        upload ? "put" : "get", last.value(u"elapsed_ms"_s).toInteger(),
        last.value(u"retransmissions"_s).toInteger(), faults);
    QVERIFY(faults > 0);
}

QTEST_GUILESS_MAIN(TestTftpFaults)

#include "tst_tftpfaults.moc"
