// PeriodicSender and FileSender through real sessions to real peers: python
// scripts from tests/peers/ on ephemeral loopback ports.

#include "net/send/filesender.h"
#include "net/send/periodicsender.h"
#include "net/tcp/tcpclientsession.h"
#include "net/tcp/tcpserversession.h"
#include "net/udp/udpsession.h"
#include "sessiontest.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <optional>
#include <unistd.h>

using namespace Qt::StringLiterals;

using peers::collect;
using peers::RxLine;
using peers::sha256Of;
using peers::startPeer;

namespace {

const QHostAddress V4 { QHostAddress::LocalHost };

constexpr qint64 MiB = 1024 * 1024;

// A file of pseudo-random bytes, each MiB stamped with its index so that
// reordered or repeated blocks change the hash. Returns its SHA-256 (hex).
QByteArray writeFile(const QString &path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    QByteArray block(MiB, Qt::Uninitialized);
    QRandomGenerator generator(20240607);
    generator.fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (qint64 done = 0, index = 0; done < size; ++index) {
        const QByteArray stamp = QByteArray::number(index).rightJustified(12, '0');
        block.replace(0, stamp.size(), stamp);
        const QByteArray part = block.first(std::min(MiB, size - done));
        if (file.write(part) != part.size())
            return {};
        hash.addData(part);
        done += part.size();
    }
    return hash.result().toHex();
}

} // namespace

class TestSenders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    // PeriodicSender
    void periodicSendsExactlyCount_data();
    void periodicSendsExactlyCount();
    void periodicOverTcp();
    void periodicUntilStopped();
    void periodicRefuses_data();
    void periodicRefuses();
    void periodicFailsWhenSessionCannotSend();
    void periodicStopsWhenSessionStops();
    void periodicStopsWhenSendFails();
    void periodicRestartReplaces();

    // FileSender
    void fileOverTcpStaysBounded();
    void fileToEveryClientOfServer();
    void fileOverUdp_data();
    void fileOverUdp();
    void fileEmpty();
    void fileRefused_data();
    void fileRefused();
    void fileAlreadySending();
    void fileReadErrorMidway();
    void fileAbortedBySessionStop();
    void fileSessionDeleted();
    void fileCancelled();
    void fileCancelledFromProgressSlot();

private:
    QTemporaryDir m_dir;
};

void TestSenders::init()
{
    QVERIFY(m_dir.isValid());
    QTest::failOnWarning(QRegularExpression(u".+"_s));
}

void TestSenders::periodicSendsExactlyCount_data()
{
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("count");
    QTest::newRow("5 every 100 ms") << 100 << 5;
    QTest::newRow("1 only") << 50 << 1;
    QTest::newRow("20 every 10 ms") << 10 << 20;
}

void TestSenders::periodicSendsExactlyCount()
{
    QFETCH(int, intervalMs);
    QFETCH(int, count);

    peers::Process receiver;
    const auto port
        = startPeer(receiver, u"udp_receiver.py"_s, { u"--until"_s, u"454e44"_s /* END */ });
    QVERIFY(port);

    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    session.setTarget(u"127.0.0.1"_s, *port);

    PeriodicSender sender(&session);
    QSignalSpy ticks(&sender, &PeriodicSender::tick);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QElapsedTimer clock;
    clock.start();
    QString error;
    QVERIFY2(sender.start("beat\n", intervalMs, count, &error), qPrintable(error));
    QCOMPARE(sender.count(), count);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20'000);
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!sender.isRunning());
    QCOMPARE(sender.sentCount(), count);
    QCOMPARE(ticks.size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(ticks.at(i).at(0).toInt(), i + 1);
    QCOMPARE(session.counters().txPackets, quint64(count));

    // The same socket sends the end marker: the peer has everything before it.
    QVERIFY(session.send("END"));
    const auto got = collect(receiver);
    QVERIFY2(got, receiver.output().constData());
    QCOMPARE(got->end, QByteArray("until"));
    QCOMPARE(got->datagrams.size(), count);
    for (const RxLine &rx : got->datagrams) {
        QCOMPARE(rx.data, QByteArray("beat\n"));
        QCOMPARE(rx.port, session.localEndpoint().port);
    }

    // The first goes at once, then one per interval: count - 1 intervals in
    // all, seen both here and by the peer (which has the kernel's arrival
    // times). A timer may fire late on a busy machine, never early.
    const qint64 span = (count - 1) * qint64(intervalMs);
    QVERIFY2(elapsed >= span - 5, qPrintable(u"finished after %1 ms"_s.arg(elapsed)));
    const qint64 peerSpan = got->datagrams.last().millis - got->datagrams.first().millis;
    QVERIFY2(peerSpan >= span - 10, qPrintable(u"peer saw %1 ms for %2"_s.arg(peerSpan).arg(span)));
    QVERIFY2(
        peerSpan <= span + 3000, qPrintable(u"peer saw %1 ms for %2"_s.arg(peerSpan).arg(span)));
}

void TestSenders::periodicOverTcp()
{
    constexpr int Count = 4;
    peers::Process sink;
    const auto port = startPeer(
        sink, u"send_tcp_sink.py"_s, { u"--bytes"_s, QString::number(Count * 3), u"--hex"_s });
    QVERIFY(port);

    TcpClientSession session;
    session.setRemote(u"127.0.0.1"_s, *port);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Active, 10'000);

    PeriodicSender sender(&session);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QString error;
    QVERIFY2(sender.start("ab\n", 20, Count, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    QCOMPARE(sender.sentCount(), Count);
    const auto got = collect(sink);
    QVERIFY2(got, sink.output().constData());
    QCOMPARE(got->bytes, qint64(Count * 3));
    QCOMPARE(got->sha256, sha256Of(QByteArray("ab\n").repeated(Count)));
}

void TestSenders::periodicUntilStopped()
{
    peers::Process receiver;
    const auto port
        = startPeer(receiver, u"udp_receiver.py"_s, { u"--until"_s, u"454e44"_s, u"--quiet"_s });
    QVERIFY(port);

    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *port);

    PeriodicSender sender(&session);
    QSignalSpy ticks(&sender, &PeriodicSender::tick);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QString error;
    QVERIFY2(sender.start("x", 5, 0, &error), qPrintable(error)); // 0: until stopped
    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() >= 10, 10'000);
    QVERIFY(sender.isRunning());
    QCOMPARE(finished.size(), 0);
    sender.stop();
    QVERIFY(!sender.isRunning());
    QCOMPARE(finished.size(), 1);
    const int sent = sender.sentCount();
    QCOMPARE(ticks.size(), sent);
    sender.stop(); // again: nothing more
    QCOMPARE(finished.size(), 1);

    QVERIFY(session.send("END"));
    const auto got = collect(receiver);
    QVERIFY2(got, receiver.output().constData());
    QCOMPARE(got->count, qint64(sent)); // none after the stop
    QCOMPARE(ticks.size(), sent);
}

void TestSenders::periodicRefuses_data()
{
    QTest::addColumn<bool>("withSession");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty payload")
        << true << QByteArray() << 100 << 3 << u"nothing to send: the payload is empty"_s;
    QTest::newRow("interval 0") << true << QByteArray("x") << 0 << 3
                                << u"the interval must be at least 1 ms"_s;
    QTest::newRow("negative interval")
        << true << QByteArray("x") << -10 << 3 << u"the interval must be at least 1 ms"_s;
    QTest::newRow("negative count")
        << true << QByteArray("x") << 100 << -1 << u"the count cannot be negative"_s;
    QTest::newRow("no session") << false << QByteArray("x") << 100 << 3
                                << u"no session to send through"_s;
}

void TestSenders::periodicRefuses()
{
    QFETCH(bool, withSession);
    QFETCH(QByteArray, payload);
    QFETCH(int, intervalMs);
    QFETCH(int, count);
    QFETCH(QString, expected);

    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, { u"--until"_s, u"454e44"_s });
    QVERIFY(port);
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *port);

    PeriodicSender sender(withSession ? &session : nullptr);
    QSignalSpy ticks(&sender, &PeriodicSender::tick);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QString error;
    QVERIFY(!sender.start(payload, intervalMs, count, &error));
    QCOMPARE(error, expected);
    QVERIFY(!sender.start(payload, intervalMs, count, nullptr)); // no error wanted: still refused
    QVERIFY(!sender.isRunning());
    QCOMPARE(ticks.size(), 0);
    QCOMPARE(finished.size(), 0);

    // Nothing went out: the end marker is the first thing the peer gets.
    QVERIFY(session.send("END"));
    const auto got = collect(receiver);
    QVERIFY(got);
    QCOMPARE(got->count, qint64(0));
}

void TestSenders::periodicFailsWhenSessionCannotSend()
{
    UdpSession session; // never started
    session.setTarget(u"127.0.0.1"_s, 9);
    PeriodicSender sender(&session);
    QSignalSpy ticks(&sender, &PeriodicSender::tick);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QString error;
    QVERIFY(!sender.start("x", 10, 3, &error));
    QCOMPARE(error, u"the UDP socket is not bound (start it first)"_s);
    QVERIFY(!sender.isRunning());
    QCOMPARE(sender.sentCount(), 0);
    QCOMPARE(ticks.size(), 0);
    QCOMPARE(finished.size(), 0);

    // Started but with nowhere to send.
    session.clearTarget();
    session.setBindAddress(V4);
    session.start();
    QVERIFY(!sender.start("x", 10, 3, &error));
    QCOMPARE(error, u"no destination: set a target host and port"_s);
    QCOMPARE(finished.size(), 0);
}

void TestSenders::periodicStopsWhenSessionStops()
{
    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, { u"--quiet"_s });
    QVERIFY(port);
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *port);

    PeriodicSender sender(&session);
    QSignalSpy ticks(&sender, &PeriodicSender::tick);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QString error;
    QVERIFY2(sender.start("tick", 10, 0, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() >= 3, 10'000);
    session.stop();
    QVERIFY(!sender.isRunning()); // at once, not at the next tick
    QCOMPARE(finished.size(), 1);
    QCOMPARE(ticks.size(), sender.sentCount());
    QCOMPARE(session.counters().txPackets, quint64(sender.sentCount()));
}

void TestSenders::periodicStopsWhenSendFails()
{
    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, { u"--quiet"_s });
    QVERIFY(port);
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *port);
    QSignalSpy errors(&session, &Session::errorOccurred);

    PeriodicSender sender(&session);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QObject context;
    connect(&sender, &PeriodicSender::tick, &context, [&session](int sent) {
        if (sent == 2) // the third one has nowhere it can go
            session.setTarget(u"::1"_s, 9);
    });
    QString error;
    QVERIFY2(sender.start("x", 10, 10, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    QCOMPARE(sender.sentCount(), 2);
    QVERIFY(!sender.isRunning());
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.at(0).at(0).toString().startsWith(u"cannot send to [::1]:9"_s),
        qPrintable(errors.at(0).at(0).toString()));
}

void TestSenders::periodicRestartReplaces()
{
    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, { u"--until"_s, u"454e44"_s });
    QVERIFY(port);
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *port);

    PeriodicSender sender(&session);
    QSignalSpy finished(&sender, &PeriodicSender::finished);
    QString error;
    QVERIFY(sender.start("old", 10'000, 5, &error)); // one now, the next in 10 s
    QCOMPARE(sender.sentCount(), 1);
    QVERIFY(sender.start("new", 10, 3, &error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    QCOMPARE(sender.sentCount(), 3);

    QVERIFY(session.send("END"));
    const auto got = collect(receiver);
    QVERIFY(got);
    QCOMPARE(got->datagrams.size(), 4);
    QCOMPARE(got->datagrams.at(0).data, QByteArray("old"));
    for (qsizetype i = 1; i < 4; ++i)
        QCOMPARE(got->datagrams.at(i).data, QByteArray("new"));
}

void TestSenders::fileOverTcpStaysBounded()
{
    const qint64 size = 64 * MiB;
    const QString path = m_dir.filePath(u"big.bin"_s);
    const QByteArray sha = writeFile(path, size);
    QVERIFY(!sha.isEmpty());

    peers::Process sink;
    const auto port = startPeer(
        sink, u"send_tcp_sink.py"_s, { u"--hold"_s, u"--bytes"_s, QString::number(size) });
    QVERIFY(port);

    TcpClientSession session;
    session.setRemote(u"127.0.0.1"_s, *port);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Active, 10'000);
    QVERIFY(sink.waitForLine("accepted "));

    FileSender sender(&session);
    BacklogWatch backlog(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    qint64 lastProgress = 0;
    QObject context;
    connect(&sender, &FileSender::progress, &context, [&](qint64 sent, qint64 total) {
        QCOMPARE_GT(sent, lastProgress);
        QCOMPARE(total, size);
        lastProgress = sent;
        sinceProgress.restart();
        backlog.sample();
    });
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QVERIFY(sender.isRunning());
    QCOMPARE(sender.totalBytes(), size);

    // The peer does not read: the sender fills the kernel's buffers and
    // its own window, then waits.
    QVERIFY2(
        peers::waitUntil([&] { return lastProgress > 0 && sinceProgress.elapsed() > 500; }, 30'000),
        "the sender never came to a stop");
    const qint64 stalledAt = sender.bytesSent();
    QVERIFY(sender.isRunning());
    QCOMPARE(finished.size(), 0);
    QVERIFY2(stalledAt < 24 * MiB,
        qPrintable(u"%1 bytes taken while the peer read nothing"_s.arg(stalledAt)));
    QCOMPARE_GE(session.pendingBytes(), FileSender::HighWater / 2);
    const qint64 bound = FileSender::HighWater + session.maxChunk();
    QVERIFY2(backlog.max() <= bound, qPrintable(u"backlog reached %1 bytes"_s.arg(backlog.max())));

    sink.write("read\n");
    QVERIFY(sink.waitForLine("reading"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().message, QString());
    QCOMPARE(sender.bytesSent(), size);
    QVERIFY(!sender.isRunning());
    const auto got = collect(sink, 120'000);
    QVERIFY2(got, sink.output().constData());
    QCOMPARE(got->bytes, size);
    QCOMPARE(got->sha256, sha);
    QVERIFY2(backlog.max() <= bound, qPrintable(u"backlog reached %1 bytes"_s.arg(backlog.max())));
}

void TestSenders::fileToEveryClientOfServer()
{
    const qint64 size = 6 * MiB + 12'345;
    const QString path = m_dir.filePath(u"shared.bin"_s);
    const QByteArray sha = writeFile(path, size);
    QVERIFY(!sha.isEmpty());

    TcpServerSession server;
    server.setListenAddress(V4);
    server.setListenPort(0);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), Session::State::Active, 10'000);
    QVERIFY(server.serverPort() != 0);

    peers::Process first;
    peers::Process second;
    const QStringList arguments { u"--port"_s, QString::number(server.serverPort()), u"--bytes"_s,
        QString::number(size) };
    QVERIFY(first.startScript(u"send_tcp_reader.py"_s, arguments));
    QVERIFY(second.startScript(u"send_tcp_reader.py"_s, arguments));
    QVERIFY(first.waitForLine("connected "));
    QVERIFY(second.waitForLine("connected "));
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 2, 10'000);

    FileSender sender(&server);
    BacklogWatch backlog(&server);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);
    for (peers::Process *reader : { &first, &second }) {
        const auto got = collect(*reader, 60'000);
        QVERIFY2(got, reader->output().constData());
        QCOMPARE(got->bytes, size);
        QCOMPARE(got->sha256, sha);
    }
    QVERIFY2(backlog.max() <= FileSender::HighWater + server.maxChunk(),
        qPrintable(u"backlog reached %1 bytes"_s.arg(backlog.max())));
}

void TestSenders::fileOverUdp_data()
{
    QTest::addColumn<QString>("bind"); // empty: any
    QTest::addColumn<QString>("host");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("chunk"); // 0: the session's largest

    QTest::newRow("IPv4, 1 KiB chunks") << u"127.0.0.1"_s << u"127.0.0.1"_s << MiB << qint64(1024);
    QTest::newRow("IPv6, 1 KiB chunks") << u"::1"_s << u"::1"_s << MiB << qint64(1024);
    QTest::newRow("IPv4, uneven tail")
        << u"127.0.0.1"_s << u"127.0.0.1"_s << MiB + 1000 << qint64(1500);
    QTest::newRow("largest datagrams from any to IPv4")
        << QString() << u"127.0.0.1"_s << 3 * MiB << qint64(0);
    QTest::newRow("largest datagrams to IPv6") << u"::1"_s << u"::1"_s << 3 * MiB << qint64(0);
}

void TestSenders::fileOverUdp()
{
    QFETCH(QString, bind);
    QFETCH(QString, host);
    QFETCH(qint64, size);
    QFETCH(qint64, chunk);

    const QString path = m_dir.filePath(u"datagrams.bin"_s);
    const QByteArray sha = writeFile(path, size);
    QVERIFY(!sha.isEmpty());

    UdpSession session;
    session.setBindAddress(bind.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(bind));
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    const qint64 datagramSize = chunk > 0 ? chunk : session.maxChunk();
    const qint64 datagrams = (size + datagramSize - 1) / datagramSize;
    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s,
        { u"--host"_s, host, u"--no-hex"_s, u"--count"_s, QString::number(datagrams), u"--rcvbuf"_s,
            QString::number(32 * MiB), u"--idle"_s, u"5"_s, u"--timeout"_s, u"60"_s });
    QVERIFY(port);
    session.setTarget(host, *port);
    QCOMPARE(session.maxChunk(),
        host.contains(u':') ? UdpSession::MaxDatagramIPv6 : UdpSession::MaxDatagramIPv4);

    FileSender sender(&session);
    sender.setChunkSize(chunk);
    QSignalSpy finished(&sender, &FileSender::finished);
    QSignalSpy progress(&sender, &FileSender::progress);
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60'000);
    QVERIFY2(finished.at(0).at(0).value<SendResult>().ok(),
        qPrintable(finished.at(0).at(0).value<SendResult>().message));
    QCOMPARE(sender.bytesSent(), size);
    QCOMPARE(progress.size(), datagrams);
    QCOMPARE(session.counters().txPackets, quint64(datagrams));

    const auto got = collect(receiver, 60'000);
    QVERIFY2(got, receiver.output().constData());
    QVERIFY2(got->end == "count",
        qPrintable(u"the peer got %1 of %2 datagrams (%3 of %4 bytes)"_s.arg(got->count)
                       .arg(datagrams)
                       .arg(got->bytes)
                       .arg(size)));
    QCOMPARE(got->count, datagrams);
    QCOMPARE(got->bytes, size);
    QCOMPARE(got->sha256, sha);

    // Paced: by the kernel's arrival times, no millisecond saw more than two
    // of the sender's ticks (16 datagrams, 32 KiB each at most).
    const qsizetype perTick
        = std::clamp<qsizetype>((32 * 1024 + datagramSize - 1) / datagramSize, 1, 16);
    QCOMPARE(got->datagrams.size(), datagrams);
    qsizetype densest = 0;
    for (qsizetype first = 0, last = 0; last < got->datagrams.size(); ++last) {
        while (got->datagrams.at(last).millis - got->datagrams.at(first).millis >= 1)
            ++first;
        densest = std::max(densest, last - first + 1);
    }
    QVERIFY2(
        densest <= 2 * perTick, qPrintable(u"%1 datagrams arrived within 1 ms"_s.arg(densest)));
    const qint64 spread = got->datagrams.last().millis - got->datagrams.first().millis;
    QVERIFY2(spread >= datagrams / perTick - 2, qPrintable(u"all came within %1 ms"_s.arg(spread)));
}

void TestSenders::fileEmpty()
{
    const QString path = m_dir.filePath(u"empty.bin"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();

    peers::Process sink;
    const auto port = startPeer(sink, u"send_tcp_sink.py"_s, {});
    QVERIFY(port);
    TcpClientSession session;
    session.setRemote(u"127.0.0.1"_s, *port);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Active, 10'000);

    FileSender sender(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);
    QCOMPARE(sender.totalBytes(), qint64(0));
    QCOMPARE(sender.bytesSent(), qint64(0));
    QCOMPARE(session.counters().txBytes, quint64(0));
    session.stop();
    const auto got = collect(sink);
    QVERIFY2(got, sink.output().constData());
    QCOMPARE(got->bytes, qint64(0));
}

void TestSenders::fileRefused_data()
{
    QTest::addColumn<QString>("which");
    QTest::newRow("no such file") << u"missing"_s;
    QTest::newRow("directory") << u"directory"_s;
    QTest::newRow("unreadable") << u"unreadable"_s;
    QTest::newRow("session not running") << u"idle"_s;
}

void TestSenders::fileRefused()
{
    QFETCH(QString, which);

    peers::Process receiver;
    const auto port = startPeer(receiver, u"udp_receiver.py"_s, { u"--until"_s, u"454e44"_s });
    QVERIFY(port);
    UdpSession session;
    session.setBindAddress(V4);
    session.setTarget(u"127.0.0.1"_s, *port);
    if (which != u"idle")
        session.start();

    QString path = m_dir.filePath(u"plain.bin"_s);
    QString expected;
    if (which == u"missing") {
        path = m_dir.filePath(u"no-such-file.bin"_s);
        expected = u"cannot read %1: No such file or directory"_s.arg(path);
    } else if (which == u"directory") {
        path = m_dir.path();
        expected = u"cannot read %1: it is a directory"_s.arg(path);
    } else if (which == u"unreadable") {
        QVERIFY(!writeFile(path, 1000).isEmpty());
        QVERIFY(QFile::setPermissions(path, QFileDevice::WriteOwner));
        if (QFile probe(path); probe.open(QIODevice::ReadOnly)) {
            // Root reads anything mode 0200 forbids, except where the kernel
            // itself refuses: write-only sysctl files.
            path = u"/proc/sys/vm/drop_caches"_s;
            if (QFile sysctl(path); sysctl.open(QIODevice::ReadOnly))
                QSKIP("no file here is unreadable to this user");
        }
        expected = u"cannot read %1: Permission denied"_s.arg(path);
    } else {
        QVERIFY(!writeFile(path, 1000).isEmpty());
        expected = u"the session is not running"_s;
    }

    FileSender sender(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QSignalSpy progress(&sender, &FileSender::progress);
    QString error;
    QVERIFY(!sender.start(path, &error));
    QCOMPARE(error, expected);
    QVERIFY(!sender.start(path, nullptr));
    QVERIFY(!sender.isRunning());
    QCOMPARE(sender.bytesSent(), qint64(0));

    // Nothing is announced later either, and nothing went out.
    if (session.state() != Session::State::Active)
        session.start();
    QVERIFY(session.send("END"));
    const auto got = collect(receiver);
    QVERIFY(got);
    QCOMPARE(got->count, qint64(0));
    QCOMPARE(finished.size(), 0);
    QCOMPARE(progress.size(), 0);
}

void TestSenders::fileAlreadySending()
{
    const QString path = m_dir.filePath(u"twice.bin"_s);
    const QByteArray sha = writeFile(path, 300'000);
    QVERIFY(!sha.isEmpty());
    peers::Process sink;
    const auto port = startPeer(sink, u"send_tcp_sink.py"_s, { u"--bytes"_s, u"300000"_s });
    QVERIFY(port);
    TcpClientSession session;
    session.setRemote(u"127.0.0.1"_s, *port);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Active, 10'000);

    FileSender sender(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    QVERIFY(sender.start(path, &error));
    QVERIFY(!sender.start(path, &error));
    QCOMPARE(error, u"a file is already being sent"_s);
    QVERIFY(sender.isRunning()); // the first goes on
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), true);
    const auto got = collect(sink);
    QVERIFY(got);
    QCOMPARE(got->bytes, qint64(300'000)); // sent once
    QCOMPARE(got->sha256, sha);
}

void TestSenders::fileReadErrorMidway()
{
    // Opens, then fails on the first read (offset 0 of a process's memory is
    // never mapped).
    const QString path = u"/proc/self/mem"_s;
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, 9);

    FileSender sender(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), false);
    const QString message = finished.at(0).at(0).value<SendResult>().message;
    QVERIFY2(message.startsWith(u"cannot read /proc/self/mem: "_s), qPrintable(message));
    QVERIFY2(message.size() > 28, qPrintable(message)); // with a reason
    QVERIFY(!sender.isRunning());
    QCOMPARE(session.counters().txPackets, quint64(0));
}

void TestSenders::fileAbortedBySessionStop()
{
    const qint64 size = 32 * MiB;
    const QString path = m_dir.filePath(u"aborted.bin"_s);
    QVERIFY(!writeFile(path, size).isEmpty());

    peers::Process sink;
    const auto port = startPeer(
        sink, u"send_tcp_sink.py"_s, { u"--hold"_s, u"--bytes"_s, QString::number(size) });
    QVERIFY(port);
    TcpClientSession session;
    session.setRemote(u"127.0.0.1"_s, *port);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Active, 10'000);

    FileSender sender(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    qint64 lastProgress = 0;
    QObject context;
    connect(&sender, &FileSender::progress, &context, [&](qint64 sent, qint64) {
        lastProgress = sent;
        sinceProgress.restart();
    });
    QString error;
    QVERIFY2(sender.start(path, &error), qPrintable(error));
    QVERIFY(peers::waitUntil(
        [&] { return lastProgress > 0 && sinceProgress.elapsed() > 300; }, 30'000));
    QCOMPARE(finished.size(), 0);

    const qint64 sent = sender.bytesSent();
    QVERIFY(sent < size);
    session.stop();
    QCOMPARE(finished.size(), 1); // at once
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), false);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().message,
        u"the session stopped after %1 of %2 bytes"_s.arg(sent).arg(size));
    QVERIFY(!sender.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Idle, 10'000);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(sender.bytesSent(), sent);
}

void TestSenders::fileSessionDeleted()
{
    const qint64 size = 32 * MiB;
    const QString path = m_dir.filePath(u"orphaned.bin"_s);
    QVERIFY(!writeFile(path, size).isEmpty());
    peers::Process sink;
    const auto port = startPeer(sink, u"send_tcp_sink.py"_s, { u"--hold"_s });
    QVERIFY(port);
    auto *session = new TcpClientSession; // deleted below, mid-transfer
    session->setRemote(u"127.0.0.1"_s, *port);
    session->start();
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Active, 10'000);

    FileSender sender(session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QSignalSpy progress(&sender, &FileSender::progress);
    QString error;
    QVERIFY(sender.start(path, &error));
    QTRY_VERIFY_WITH_TIMEOUT(progress.size() > 0, 10'000);
    const qint64 sent = sender.bytesSent();
    QVERIFY(sent < size);
    delete session;
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), false);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().message,
        u"the session is gone after %1 of %2 bytes"_s.arg(sent).arg(size));
    QVERIFY(!sender.isRunning());
    QVERIFY(!sender.start(path, &error));
    QCOMPARE(error, u"the session is not running"_s);
}

void TestSenders::fileCancelled()
{
    const qint64 size = 16 * MiB;
    const QString path = m_dir.filePath(u"cancelled.bin"_s);
    QVERIFY(!writeFile(path, size).isEmpty());
    peers::Process sink;
    const auto port = startPeer(sink, u"send_tcp_sink.py"_s, { u"--hold"_s });
    QVERIFY(port);
    TcpClientSession session;
    session.setRemote(u"127.0.0.1"_s, *port);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Active, 10'000);

    FileSender sender(&session);
    QSignalSpy finished(&sender, &FileSender::finished);
    QSignalSpy progress(&sender, &FileSender::progress);
    QString error;
    QVERIFY(sender.start(path, &error));
    QTRY_VERIFY_WITH_TIMEOUT(progress.size() > 0, 10'000);
    const qint64 sent = sender.bytesSent();
    sender.cancel();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), false);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().message,
        u"cancelled after %1 of %2 bytes"_s.arg(sent).arg(size));
    QVERIFY(!sender.isRunning());
    sender.cancel(); // again: nothing
    QCOMPARE(finished.size(), 1);
    QCOMPARE(session.state(), Session::State::Active); // the session is not the sender's to stop

    // No more is read from the file once cancelled.
    const int progressed = int(progress.size());
    sink.write("read\n");
    QVERIFY(sink.waitForLine("reading"));
    session.stop();
    const auto got = collect(sink);
    QVERIFY2(got, sink.output().constData());
    QCOMPARE(got->bytes, sent);
    QCOMPARE(progress.size(), progressed);
}

void TestSenders::fileCancelledFromProgressSlot()
{
    const QString path = m_dir.filePath(u"short.bin"_s);
    QVERIFY(!writeFile(path, 200 * 1024).isEmpty());
    peers::Process receiver;
    const auto port
        = startPeer(receiver, u"udp_receiver.py"_s, { u"--until"_s, u"454e44"_s, u"--quiet"_s });
    QVERIFY(port);
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *port);

    FileSender sender(&session);
    sender.setChunkSize(1000);
    QSignalSpy finished(&sender, &FileSender::finished);
    QObject context;
    connect(&sender, &FileSender::progress, &context, [&sender](qint64 sent, qint64) {
        if (sent == 3000)
            sender.cancel();
    });
    QString error;
    QVERIFY(sender.start(path, &error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
    // A next turn of the loop must not bring a second, "successful" end.
    bool turned = false;
    QTimer::singleShot(0, &context, [&turned] { turned = true; });
    QVERIFY(peers::waitUntil([&turned] { return turned; }));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().ok(), false);
    QCOMPARE(finished.at(0).at(0).value<SendResult>().message,
        u"cancelled after 3000 of 204800 bytes"_s);
    QCOMPARE(sender.bytesSent(), qint64(3000));

    QVERIFY(session.send("END"));
    const auto got = collect(receiver);
    QVERIFY(got);
    QCOMPARE(got->count, qint64(3));
}

QTEST_GUILESS_MAIN(TestSenders)
#include "tst_senders.moc"
