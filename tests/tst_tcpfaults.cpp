// TCP peers that misbehave while we send (tests/peers/tcp_fault_peer.py):
// one resets mid-send, one half-closes, one stops reading. Both ends of ours
// (TcpClientSession and TcpServerSession, with FileSender) against each.

#include "net/core/responder.h"
#include "net/log/trafficlog.h"
#include "net/send/filesender.h"
#include "net/tcp/tcpclientsession.h"
#include "net/tcp/tcpserversession.h"
#include "sessiontest.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;
using peers::collect;
using peers::sha256Of;
using peers::toPort;
using testfiles::writeBytes;

namespace {

constexpr qint64 MiB = 1024 * 1024;

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator(seed).fillRange(
        reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / qsizetype(sizeof(quint32)));
    return bytes;
}

// The bound a FileSender keeps to: its high-water mark plus one chunk.
qint64 backlogBound(const Session &session)
{
    return FileSender::HighWater + session.maxChunk();
}

} // namespace

class TestTcpFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void clientPeerResetsMidSend();
    void serverPeerResetsMidSend();
    void serverSlowestPeerResets();
    void clientPeerStopsReading();
    void serverPeerStopsReading();
    void clientPeerHalfCloses();
    void serverPeerHalfCloses();
    void echoToHalfClosingClients();

private:
    // Sends a file to a peer that reads nothing, then lets it read.
    void stalledThenDrained(Session &session, peers::Process &peer);

    QTemporaryDir m_dir;
    QString m_big; // 64 MiB
    QByteArray m_bigSha;
};

void TestTcpFaults::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_big = m_dir.filePath(u"big.bin"_s);
    const QByteArray big = randomBytes(64 * MiB, 7);
    QVERIFY(writeBytes(m_big, big));
    m_bigSha = sha256Of(big);
}

// The peer reads 2 MiB of a 64 MiB file, then closes with SO_LINGER 0: the
// client must say "reset", not "closed", and the file must end as failed.
void TestTcpFaults::clientPeerResetsMidSend()
{
    peers::Process peer;
    QVERIFY(peer.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"reset"_s, u"--after"_s, QString::number(2 * MiB) }));
    const auto port = toPort(peer.waitForLine("port "));
    QVERIFY(port);

    TcpClientSession client;
    SessionRecorder events(&client);
    client.setRemote(u"127.0.0.1"_s, *port);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Session::State::Active, 10'000);

    FileSender sender(&client);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    QVERIFY2(sender.start(m_big, &error), qPrintable(error));
    QCOMPARE(peer.waitForLine("reset after "), QByteArray::number(2 * MiB));

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), false);
    QVERIFY2(finished.at(0).at(0).value<SendResult>().message.contains(u"stopped"_s),
        qPrintable(finished.at(0).at(0).value<SendResult>().message));
    QCOMPARE_GE(sender.bytesSent(), 2 * MiB);
    QCOMPARE_LT(sender.bytesSent(), 64 * MiB);
    QCOMPARE(client.state(), Session::State::Idle);
    QCOMPARE(events.reasons, QStringList { u"connection reset by peer"_s });
    QCOMPARE(events.errors.size(), 1);
    QVERIFY2(events.errors.constFirst().endsWith(u": connection reset by peer"_s),
        qPrintable(events.errors.constFirst()));
    QCOMPARE(client.pendingBytes(), 0);
}

// Two clients take the same file; one resets after 1 MiB. The other must
// still get every byte, and the server go on listening.
void TestTcpFaults::serverPeerResetsMidSend()
{
    const qint64 size = 16 * MiB;
    const QString path = m_dir.filePath(u"sixteen.bin"_s);
    const QByteArray data = randomBytes(size, 16);
    QVERIFY(writeBytes(path, data));

    TcpServerSession server;
    SessionRecorder events(&server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), Session::State::Active, 10'000);
    const QString address = u"127.0.0.1:%1"_s.arg(server.serverPort());

    peers::Process resetter;
    QVERIFY(resetter.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"reset"_s, u"--connect"_s, address, u"--after"_s, QString::number(MiB) }));
    QVERIFY(resetter.waitForLine("connected "));
    peers::Process reader;
    QVERIFY(reader.startScript(u"send_tcp_reader.py"_s,
        { u"--port"_s, QString::number(server.serverPort()), u"--bytes"_s,
            QString::number(size) }));
    QVERIFY(reader.waitForLine("connected "));
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 2, 10'000);

    FileSender sender(&server);
    BacklogWatch backlog(&server);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QCOMPARE(resetter.waitForLine("reset after "), QByteArray::number(MiB));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);

    const auto got = collect(reader);
    QVERIFY2(got, reader.output().constData());
    QCOMPARE(got->bytes, size);
    QCOMPARE(got->sha256, sha256Of(data));
    QCOMPARE(server.state(), Session::State::Active);
    // The resetter went first; the reader closes once it has everything.
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 0, 10'000);
    QCOMPARE(events.disconnected, events.connected);
    QVERIFY2(backlog.max() <= backlogBound(server),
        qPrintable(u"backlog reached %1 bytes"_s.arg(backlog.max())));
    QCOMPARE(events.reasons.constFirst(), u"connection reset by peer"_s);
}

// The sender waits while the largest backlog of any client is high. When
// the client that holds it resets, and every other client has all it was
// sent, no more bytes will be written to tell the sender: the dropped client
// itself must. (Once an intermittent hang of serverPeerResetsMidSend.)
void TestTcpFaults::serverSlowestPeerResets()
{
    const qint64 size = 16 * MiB;
    const QString path = m_dir.filePath(u"slowest.bin"_s);
    const QByteArray data = randomBytes(size, 17);
    QVERIFY(writeBytes(path, data));

    TcpServerSession server;
    SessionRecorder events(&server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), Session::State::Active, 10'000);

    peers::Process staller;
    QVERIFY(staller.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"stall"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(server.serverPort()) }));
    QVERIFY(staller.waitForLine("connected "));
    peers::Process reader;
    QVERIFY(reader.startScript(u"send_tcp_reader.py"_s,
        { u"--port"_s, QString::number(server.serverPort()), u"--bytes"_s,
            QString::number(size) }));
    QVERIFY(reader.waitForLine("connected "));
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 2, 10'000);

    FileSender sender(&server);
    QSignalSpy finished(&sender, &FileSender::finished);
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    QObject context;
    connect(&sender, &FileSender::progress, &context, [&] { sinceProgress.restart(); });
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    // The staller's backlog holds the sender; the reader drains its own.
    QVERIFY2(peers::waitUntil(
                 [&] { return sender.bytesSent() > 0 && sinceProgress.elapsed() > 500; }, 30'000),
        "the sender never came to a stop");
    QVERIFY(sender.bytesSent() < size);
    QCOMPARE(finished.size(), 0);

    // Killed with unread bytes in its buffer, the staller's kernel resets.
    staller.signal(SIGKILL);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);
    const auto got = collect(reader);
    QVERIFY2(got, reader.output().constData());
    QCOMPARE(got->bytes, size);
    QCOMPARE(got->sha256, sha256Of(data));
    QCOMPARE(events.reasons.constFirst(), u"connection reset by peer"_s);
}

void TestTcpFaults::stalledThenDrained(Session &session, peers::Process &peer)
{
    FileSender sender(&session);
    BacklogWatch backlog(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    qint64 lastProgress = 0;
    QObject context;
    connect(&sender, &FileSender::progress, &context, [&](qint64 sent, qint64) {
        lastProgress = sent;
        sinceProgress.restart();
        backlog.sample();
    });
    const qint64 rssBefore = procfs::residentKb(QCoreApplication::applicationPid());
    QString error;
    QVERIFY2(sender.start(m_big, &error), qPrintable(error));

    // The peer reads nothing: the kernel's buffers fill, then ours, then
    // the sender waits. Half a second without progress counts as waiting.
    QVERIFY2(
        peers::waitUntil([&] { return lastProgress > 0 && sinceProgress.elapsed() > 500; }, 30'000),
        "the sender never came to a stop");
    // Stalled for a while: nothing more may be taken.
    const qint64 stalledAt = sender.bytesSent();
    QTest::qWait(1000);
    QCOMPARE(sender.bytesSent(), stalledAt);
    QVERIFY(sender.isRunning());
    QCOMPARE(finished.size(), 0);
    const qint64 rssStalled = procfs::residentKb(QCoreApplication::applicationPid());
    qInfo("%s: stalled after %lld bytes, backlog at most %lld, RSS %lld -> %lld kB",
        QTest::currentTestFunction(), stalledAt, backlog.max(), rssBefore, rssStalled);
    QVERIFY2(stalledAt < 24 * MiB,
        qPrintable(u"%1 bytes taken while the peer read nothing"_s.arg(stalledAt)));
    QCOMPARE_GE(session.pendingBytes(), FileSender::HighWater / 2);
    QVERIFY2(backlog.max() <= backlogBound(session),
        qPrintable(u"backlog reached %1 bytes"_s.arg(backlog.max())));
#ifndef __SANITIZE_ADDRESS__ // ASan holds freed memory back in quarantine
    QVERIFY2(rssStalled - rssBefore < 16 * 1024,
        qPrintable(u"RSS grew from %1 to %2 kB"_s.arg(rssBefore).arg(rssStalled)));
#endif

    peer.write("read\n");
    QVERIFY(peer.waitForLine("reading"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);
    const auto got = collect(peer, 120'000);
    QVERIFY2(got, peer.output().constData());
    QCOMPARE(got->bytes, 64 * MiB);
    QCOMPARE(got->sha256, m_bigSha);
    QVERIFY2(backlog.max() <= backlogBound(session),
        qPrintable(u"backlog reached %1 bytes"_s.arg(backlog.max())));
}

void TestTcpFaults::clientPeerStopsReading()
{
    peers::Process peer;
    QVERIFY(peer.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"stall"_s, u"--bytes"_s, QString::number(64 * MiB) }));
    const auto port = toPort(peer.waitForLine("port "));
    QVERIFY(port);
    TcpClientSession client;
    client.setRemote(u"127.0.0.1"_s, *port);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Session::State::Active, 10'000);
    QVERIFY(peer.waitForLine("accepted "));
    stalledThenDrained(client, peer);
}

void TestTcpFaults::serverPeerStopsReading()
{
    TcpServerSession server;
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), Session::State::Active, 10'000);
    peers::Process peer;
    QVERIFY(peer.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"stall"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(server.serverPort()),
            u"--bytes"_s, QString::number(64 * MiB) }));
    QVERIFY(peer.waitForLine("connected "));
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 1, 10'000);
    stalledThenDrained(server, peer);
}

// The peer sends a request and shuts its sending side (a FIN), as `nc -N`
// and HTTP/1.0-style clients do, then reads the answer. TCP keeps our side
// open: the answer must arrive whole, including what is sent after the FIN
// was seen; the log says the peer half-closed; once nothing more is queued
// (for TcpStream::HalfCloseLingerMs) the connection ends as "closed by peer".
void TestTcpFaults::clientPeerHalfCloses()
{
    const qint64 first = 32 * MiB;
    const qint64 size = first + 8 * MiB;
    const QByteArray answer = randomBytes(size, 32);
    peers::Process peer;
    QVERIFY(peer.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"half-close"_s, u"--request"_s, u"GET"_s, u"--bytes"_s,
            QString::number(size), u"--timeout"_s, u"30"_s }));
    const auto port = toPort(peer.waitForLine("port "));
    QVERIFY(port);

    TcpClientSession client;
    TrafficLog log;
    client.setLog(&log);
    SessionRecorder events(&client);
    bool acceptedFirst = false;
    bool acceptedRest = false;
    QObject context;
    // Answered at once, as a responder would, before the FIN is read ...
    connect(
        &client, &Session::received, &context, [&](quint64, const Endpoint &, const QByteArray &) {
            acceptedFirst = client.send(answer.first(first));
        });
    // ... and the rest once the session has seen it.
    QString halfClosed;
    connect(&log, &TrafficLog::appended, &context, [&](const LogEntry &entry) {
        if (entry.kind == LogKind::Info && entry.data.contains("half-closed")) {
            halfClosed = QString::fromUtf8(entry.data);
            acceptedRest = client.send(answer.sliced(first));
        }
    });
    client.setRemote(u"127.0.0.1"_s, *port);
    client.start();
    QVERIFY(peer.waitForLine("half-closed"));
    QTRY_COMPARE_WITH_TIMEOUT(events.rx, QByteArray("GET"), 10'000);
    QVERIFY(acceptedFirst);
    QTRY_VERIFY_WITH_TIMEOUT(!halfClosed.isEmpty(), 10'000);
    QVERIFY2(acceptedRest, qPrintable(client.errorString()));
    QVERIFY2(halfClosed.contains(u"still sending"_s), qPrintable(halfClosed));
    QCOMPARE(client.state(), Session::State::Active);

    const auto got = collect(peer, 40'000);
    QVERIFY2(got, peer.output().constData());
    QCOMPARE(got->bytes, size);
    QCOMPARE(got->sha256, sha256Of(answer));
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Session::State::Idle, 10'000);
    QCOMPARE(events.reasons, QStringList { u"closed by peer"_s });
    QCOMPARE(events.errors, QStringList());
}

void TestTcpFaults::serverPeerHalfCloses()
{
    const qint64 first = 32 * MiB;
    const qint64 size = first + 8 * MiB;
    const QByteArray answer = randomBytes(size, 33);
    TcpServerSession server;
    TrafficLog log;
    server.setLog(&log);
    SessionRecorder events(&server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), Session::State::Active, 10'000);
    bool acceptedFirst = false;
    bool acceptedRest = false;
    QObject context;
    connect(&server, &Session::received, &context,
        [&](quint64 id, const Endpoint &, const QByteArray &) {
            acceptedFirst = server.sendTo(id, answer.first(first));
        });
    QString halfClosed;
    connect(&log, &TrafficLog::appended, &context, [&](const LogEntry &entry) {
        if (entry.kind == LogKind::Info && entry.data.contains("half-closed")) {
            halfClosed = QString::fromUtf8(entry.data);
            acceptedRest = server.sendTo(entry.peerId, answer.sliced(first));
        }
    });

    peers::Process peer;
    QVERIFY(peer.startScript(u"tcp_fault_peer.py"_s,
        { u"--mode"_s, u"half-close"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(server.serverPort()),
            u"--request"_s, u"GET"_s, u"--bytes"_s, QString::number(size), u"--timeout"_s,
            u"30"_s }));
    QVERIFY(peer.waitForLine("half-closed"));
    QTRY_COMPARE_WITH_TIMEOUT(events.rx, QByteArray("GET"), 10'000);
    QVERIFY(acceptedFirst);
    QTRY_VERIFY_WITH_TIMEOUT(!halfClosed.isEmpty(), 10'000);
    QVERIFY2(acceptedRest, qPrintable(server.errorString()));
    QCOMPARE(server.peerCount(), 1);

    const auto got = collect(peer, 40'000);
    QVERIFY2(got, peer.output().constData());
    QCOMPARE(got->bytes, size);
    QCOMPARE(got->sha256, sha256Of(answer));
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 0, 10'000);
    QCOMPARE(events.reasons, QStringList { u"closed by peer"_s });
    QCOMPARE(events.errors, QStringList());
    QCOMPARE(server.state(), Session::State::Active);
}

// The everyday half-close: `printf 'hello' | nc -N host port` sends its
// request, shuts its side, and waits for the echo: it arrives whole, from a
// few bytes up to more than the socket buffers take at once.
void TestTcpFaults::echoToHalfClosingClients()
{
    TcpServerSession server;
    server.setResponder({ Responder::Mode::Echo, {} });
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), Session::State::Active, 10'000);
    const QString address = u"127.0.0.1:%1"_s.arg(server.serverPort());
    // Text, or a size in bytes of 'y' (too long for a command line).
    const std::pair<QString, qint64> requests[] = { { u"hello"_s, 0 }, { u"你好，世界\r\n"_s, 0 },
        { QString(60'000, u'x'), 0 }, { QString(), 3'000'000 } };
    for (const auto &[text, extra] : requests) {
        const QByteArray bytes = text.toUtf8() + QByteArray(extra, 'y');
        for (int round = 0; round < 5; ++round) {
            peers::Process peer;
            QVERIFY(peer.startScript(u"tcp_fault_peer.py"_s,
                { u"--mode"_s, u"half-close"_s, u"--connect"_s, address, u"--request"_s, text,
                    u"--request-size"_s, QString::number(extra), u"--bytes"_s,
                    QString::number(bytes.size()), u"--timeout"_s, u"20"_s }));
            const auto got = collect(peer, 30'000);
            QVERIFY2(got, peer.output().constData());
            QCOMPARE(got->bytes, bytes.size());
            QCOMPARE(got->sha256, sha256Of(bytes));
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 0, 10'000);
}

QTEST_GUILESS_MAIN(TestTcpFaults)

#include "tst_tcpfaults.moc"
