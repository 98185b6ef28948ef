// TcpServerSession against real clients: socat and the Python peers in
// tests/peers/ (tcp_client.py, tcp_many_clients.py), all on loopback with
// ports chosen by the kernel.

#include "sessiontest.h"
#include "testsupport.h"

#include "net/log/trafficlog.h"
#include "net/tcp/tcpserversession.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <QDate>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using peers::command;
using peers::gotBytes;

namespace {

// A row of /proc/net/tcp or /proc/net/tcp6.
struct TcpRow
{
    quint16 localPort = 0;
    quint16 remotePort = 0;
    int state = 0; // 01 ESTABLISHED, 06 TIME_WAIT, 0A LISTEN
    QByteArray inode;
};

constexpr int TcpEstablished = 0x01;
constexpr int TcpTimeWait = 0x06;

QList<TcpRow> tcpTable()
{
    QList<TcpRow> rows;
    for (const auto *path : { "/proc/net/tcp", "/proc/net/tcp6" }) {
        QFile file(QString::fromLatin1(path));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> fields = lines.at(i).simplified().split(' ');
            if (fields.size() < 10)
                continue;
            const auto portOf = [](const QByteArray &address) {
                return quint16(address.mid(address.lastIndexOf(':') + 1).toUInt(nullptr, 16));
            };
            rows.append({ portOf(fields.at(1)), portOf(fields.at(2)),
                fields.at(3).toInt(nullptr, 16), fields.at(9) });
        }
    }
    return rows;
}

bool hasTimeWait(quint16 localPort)
{
    const QList<TcpRow> rows = tcpTable();
    return std::any_of(rows.cbegin(), rows.cend(), [localPort](const TcpRow &row) {
        return row.state == TcpTimeWait && row.localPort == localPort;
    });
}

// The local port of the connection a process (socat) holds to remotePort.
std::optional<quint16> clientPortOf(qint64 pid, quint16 remotePort)
{
    QSet<QByteArray> inodes;
    const QDir fdDir(u"/proc/%1/fd"_s.arg(pid));
    for (const QString &entry :
        fdDir.entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files)) {
        QByteArray target(256, '\0');
        const ssize_t n = ::readlink(QFile::encodeName(fdDir.filePath(entry)).constData(),
            target.data(), size_t(target.size()));
        if (n > 0 && target.startsWith("socket:["))
            inodes.insert(target.mid(8, n - 9));
    }
    for (const TcpRow &row : tcpTable()) {
        if (row.state == TcpEstablished && row.remotePort == remotePort
            && inodes.contains(row.inode))
            return row.localPort;
    }
    return std::nullopt;
}

std::optional<quint16> portLine(peers::Process &peer, const QByteArray &prefix)
{
    return peers::toPort(peer.waitForLine(prefix));
}

QString socat()
{
    return QStandardPaths::findExecutable(u"socat"_s);
}

const LogEntry *findLog(const TrafficLog &log, LogKind kind, const QByteArray &containing = {})
{
    for (qsizetype i = 0; i < log.size(); ++i) {
        const LogEntry &entry = log.at(i);
        if (entry.kind == kind && entry.data.contains(containing))
            return &entry;
    }
    return nullptr;
}

} // namespace

class TestTcpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listen_data();
    void listen();
    void echoTwoHundredConcurrentClients();
    void gb2312SplitAcrossSegments();
    void portInUse();
    void relistenWhileTimeWait();
    void sendToOneSomeAndAll();
    void disconnectPeerClosesOnlyThatOne();
    void disconnectPeerThatStopsReading();
    void disconnectIdlePeerThatNeverCloses();
    void dataArrivingWithFin_data();
    void dataArrivingWithFin();
    void maxClients();
    void fixedReply();
    void timeServer();
    void cleanCloseAndReset_data();
    void cleanCloseAndReset();
    void stopWithClientsConnected();
    void sendWithoutClients();

private:
    struct SocatClients
    {
        std::vector<std::unique_ptr<peers::Process>> processes;
        QList<quint64> ids; // processes[i] is peer ids[i]
    };
    // Starts three socat clients named A, B, C and learns their peer ids from
    // the line each sends first ("A\n", ...).
    void startSocatClients(
        TcpServerSession &server, SessionRecorder &events, SocatClients &clients);
};

void TestTcpServer::listen_data()
{
    QTest::addColumn<QHostAddress>("address");
    QTest::addColumn<QStringList>("connectTo");
    QTest::addColumn<QHostAddress>("expectedPeer");

    QTest::newRow("IPv4 loopback")
        << QHostAddress(QHostAddress::LocalHost) << QStringList { u"127.0.0.1"_s }
        << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("IPv6 loopback")
        << QHostAddress(QHostAddress::LocalHostIPv6) << QStringList { u"::1"_s }
        << QHostAddress(QHostAddress::LocalHostIPv6);
    // One dual-stack socket: an IPv4 client shows as 127.0.0.1, not ::ffff:127.0.0.1.
    QTest::newRow("any") << QHostAddress(QHostAddress::Any)
                         << QStringList { u"127.0.0.1"_s, u"::1"_s } << QHostAddress();
}

void TestTcpServer::listen()
{
    QFETCH(QHostAddress, address);
    QFETCH(QStringList, connectTo);
    QFETCH(QHostAddress, expectedPeer);

    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    SessionRecorder events(server);
    server.setListenAddress(address);
    server.setListenPort(0);
    QCOMPARE(server.serverPort(), quint16(0));

    server.start();
    QCOMPARE(server.state(), Session::State::Active);
    QCOMPARE(events.states,
        (QList<Session::State> { Session::State::Starting, Session::State::Active }));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
    const quint16 port = server.serverPort();
    QVERIFY(port != 0);
    QCOMPARE(server.localEndpoint().port, port);
    QVERIFY(server.localEndpoint().address.isEqual(address, QHostAddress::StrictConversion));

    const LogEntry *listening = findLog(log, LogKind::Listening);
    QVERIFY(listening);
    QCOMPARE(listening->peer, server.localEndpoint());

    // Really listening: a real client gets through on every address family.
    for (const QString &host : connectTo) {
        peers::Process client;
        QVERIFY(client.startScript(u"tcp_client.py"_s, { host, QString::number(port) }));
        const auto clientPort = portLine(client, "local ");
        QVERIFY2(clientPort, client.errors().constData());
        QTRY_COMPARE(server.peerCount(), 1);
        const quint64 id = events.connected.constLast();
        const Endpoint peer = events.endpoints.value(id);
        QCOMPARE(peer.port, *clientPort);
        const QHostAddress expected = expectedPeer.isNull() ? QHostAddress(host) : expectedPeer;
        QVERIFY2(peer.address.isEqual(expected, QHostAddress::StrictConversion),
            qPrintable(peer.toString()));
        QCOMPARE(peer.address.protocol(), expected.protocol());
        QCOMPARE(server.peer(id)->endpoint, peer);

        client.write(command("close"));
        QTRY_COMPARE(server.peerCount(), 0);
        QCOMPARE(events.disconnected.constLast(), id);
        QCOMPARE(events.reasonOf.value(id), u"closed by peer"_s);
    }

    server.stop();
    QCOMPARE(server.state(), Session::State::Idle);
    QCOMPARE(server.serverPort(), quint16(0));
    QCOMPARE(events.states.constLast(), Session::State::Idle);
}

void TestTcpServer::echoTwoHundredConcurrentClients()
{
    constexpr int Count = 200;
    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.setResponder({ Responder::Mode::Echo, {} });
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process clients;
    QVERIFY(clients.startScript(u"tcp_many_clients.py"_s,
        { u"127.0.0.1"_s, QString::number(server.serverPort()), u"--count"_s,
            QString::number(Count), u"--timeout"_s, u"60"_s }));
    const auto echoed = clients.waitForLine("echoed ", 60'000);
    QVERIFY2(echoed, QByteArray(clients.output() + clients.errors()).constData());
    QVERIFY2(!clients.output().contains("mismatch"), clients.output().constData());
    QCOMPARE(echoed->toInt(), Count);

    // Every client is still connected: the server holds all of them at once.
    QTRY_COMPARE(server.peerCount(), Count);
    QCOMPARE(events.connected.size(), Count);
    QCOMPARE(events.maxPeers, Count);
    QCOMPARE(server.peers().size(), Count);

    // Each peer sent one distinct message and got exactly that back.
    static const QRegularExpression message(u"^client (\\d{3}) [0-9a-f]{16}\n$"_s);
    QSet<int> indexes;
    quint64 total = 0;
    for (const quint64 id : std::as_const(events.connected)) {
        const QByteArray got = events.rxById.value(id);
        const auto match = message.match(QString::fromLatin1(got));
        QVERIFY2(match.hasMatch(), got.constData());
        indexes.insert(match.captured(1).toInt());
        QCOMPARE(events.txById.value(id), got);
        const auto info = server.peer(id);
        QVERIFY(info);
        QCOMPARE(info->counters.rxBytes, quint64(got.size()));
        QCOMPARE(info->counters.txBytes, quint64(got.size()));
        QCOMPARE(info->counters.txPackets, info->counters.rxPackets);
        total += quint64(got.size());
    }
    QCOMPARE(indexes.size(), Count);
    QCOMPARE(server.counters().rxBytes, total);
    QCOMPARE(server.counters().txBytes, total);

    clients.write("close\n");
    QVERIFY(clients.waitForLine("closed", 30'000));
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 0, 30'000);
    QCOMPARE(events.disconnected.size(), Count);
    QVERIFY(clients.waitForFinished());
    QCOMPARE(clients.exitCode(), 0);
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
}

void TestTcpServer::gb2312SplitAcrossSegments()
{
    if (!TextCodec::isAvailable(u"GB2312"))
        QSKIP("this Qt build has no GB2312 codec");
    const QByteArray nihao = TextCodec::encode(u"你好", u"GB2312").bytes;
    QCOMPARE(nihao, QByteArray::fromHex("c4e3bac3"));

    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    server.setEncoding(u"GB2312"_s);
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process client;
    QVERIFY(client.startScript(
        u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(server.serverPort()) }));
    QVERIFY(portLine(client, "local "));
    // The first byte goes out alone (TCP_NODELAY); the rest only once the
    // server has read it, so the character is split across two reads.
    client.write(command("send", nihao.left(1)));
    QTRY_COMPARE(events.rxChunks.size(), 1);
    client.write(command("send", nihao.mid(1)));
    QTRY_COMPARE(events.rxChunks.size(), 2);
    QCOMPARE(events.rxChunks.at(0), nihao.left(1));
    QCOMPARE(events.rxChunks.at(1), nihao.mid(1));

    StreamDecoder decoder(u"GB2312");
    QVERIFY(decoder.isValid());
    QCOMPARE(decoder.decode(events.rxChunks.at(0)), QString());
    QCOMPARE(decoder.decode(events.rxChunks.at(1)), u"你好"_s);

    // The log keeps the raw bytes of each read.
    QByteArray rawLogged;
    for (qsizetype i = 0; i < log.size(); ++i) {
        if (log.at(i).kind == LogKind::Rx)
            rawLogged += log.at(i).data;
    }
    QCOMPARE(rawLogged, nihao);
    QCOMPARE(server.counters().rxPackets, quint64(2));
}

void TestTcpServer::portInUse()
{
    TcpServerSession first(u"first"_s);
    first.setListenAddress(QHostAddress::LocalHost);
    first.start();
    QCOMPARE(first.state(), Session::State::Active);
    const quint16 port = first.serverPort();

    TrafficLog log;
    TcpServerSession second(u"second"_s);
    second.setLog(&log);
    SessionRecorder events(second);
    second.setListenAddress(QHostAddress::LocalHost);
    second.setListenPort(port);
    second.start();
    QCOMPARE(second.state(), Session::State::Idle);
    QCOMPARE(
        events.states, (QList<Session::State> { Session::State::Starting, Session::State::Idle }));
    QCOMPARE(events.errors.size(), 1);
    QVERIFY2(second.errorString().contains(u"already in use"), qPrintable(second.errorString()));
    QVERIFY2(
        second.errorString().contains(QString::number(port)), qPrintable(second.errorString()));
    QCOMPARE(second.serverPort(), quint16(0));
    QVERIFY(findLog(log, LogKind::Error, "already in use"));
    QVERIFY(!findLog(log, LogKind::Listening));

    // The first is untouched.
    QCOMPARE(first.state(), Session::State::Active);
    QCOMPARE(first.serverPort(), port);

    // Once the first has stopped, the second gets the port.
    first.stop();
    second.start();
    QCOMPARE(second.state(), Session::State::Active);
    QCOMPARE(second.serverPort(), port);
}

void TestTcpServer::relistenWhileTimeWait()
{
    TcpServerSession server;
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);
    const quint16 port = server.serverPort();

    peers::Process client;
    QVERIFY(client.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(port) }));
    QVERIFY(portLine(client, "local "));
    QTRY_COMPARE(server.peerCount(), 1);

    // The server closes first, so its side of the connection (on the
    // listening port) ends in TIME_WAIT.
    server.disconnectPeer(events.connected.constFirst());
    QVERIFY(client.waitForLine("eof"));
    client.write(command("close"));
    QVERIFY(client.waitForLine("closed"));
    QTRY_COMPARE(server.peerCount(), 0);
    QCOMPARE(events.reasonOf.value(events.connected.constFirst()), u"disconnected by us"_s);
    QVERIFY2(
        peers::waitUntil([port] { return hasTimeWait(port); }), "no TIME_WAIT on the server port");

    server.stop();
    QCOMPARE(server.state(), Session::State::Idle);
    server.setListenPort(port);
    server.start();
    QVERIFY2(server.state() == Session::State::Active, qPrintable(server.errorString()));
    QCOMPARE(server.serverPort(), port);
    QVERIFY(hasTimeWait(port)); // the test did what it meant to

    // And it works: a new client gets through.
    peers::Process again;
    QVERIFY(again.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(port) }));
    QVERIFY(portLine(again, "local "));
    QTRY_COMPARE(server.peerCount(), 1);
}

void TestTcpServer::startSocatClients(
    TcpServerSession &server, SessionRecorder &events, SocatClients &clients)
{
    const QString program = socat();
    QVERIFY2(!program.isEmpty(), "socat is not installed");
    const QList<QByteArray> names { "A\n", "B\n", "C\n" };
    for (const QByteArray &name : names) {
        auto process = std::make_unique<peers::Process>();
        QVERIFY(
            process->start(program, { u"-"_s, u"TCP:127.0.0.1:%1"_s.arg(server.serverPort()) }));
        process->write(name);
        clients.processes.push_back(std::move(process));
    }
    QTRY_COMPARE(server.peerCount(), 3);
    QTRY_COMPARE(events.rxById.size(), 3);
    for (const QByteArray &name : names) {
        const auto id = events.peerThatSent(name);
        QVERIFY2(id, name.constData());
        clients.ids.append(*id);
    }
}

void TestTcpServer::sendToOneSomeAndAll()
{
    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::Any);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    SocatClients clients;
    startSocatClients(server, events, clients);
    if (QTest::currentTestFailed())
        return;
    const quint64 a = clients.ids.at(0);
    const quint64 b = clients.ids.at(1);
    const quint64 c = clients.ids.at(2);

    QVERIFY(server.sendTo(a, "only-a\n"));
    QCOMPARE(server.sendTo(QList<quint64> { a, c }, "a-and-c\n"), 2);
    QVERIFY(server.send("all\n"));

    const QList<QByteArray> expected { "only-a\na-and-c\nall\n", "all\n", "a-and-c\nall\n" };
    for (size_t i = 0; i < clients.processes.size(); ++i) {
        peers::Process &process = *clients.processes.at(i);
        // "all" comes last to everyone: once it is there, nothing else is on its way.
        QTRY_VERIFY2(process.output().endsWith("all\n"), process.output().constData());
        QCOMPARE(process.output(), expected.at(qsizetype(i)));
    }
    QCOMPARE(events.txById.value(a), expected.at(0));
    QCOMPARE(events.txById.value(b), expected.at(1));
    QCOMPARE(events.txById.value(c), expected.at(2));

    // A peer that is gone is not silently skipped.
    QVERIFY(!server.sendTo(quint64(999'999), "nobody\n"));
    QVERIFY2(
        server.errorString().contains(u"no longer connected"), qPrintable(server.errorString()));
    QCOMPARE(server.sendTo(QList<quint64> { b, quint64(999'999) }, "b\n"), 1);
    QTRY_COMPARE(clients.processes.at(1)->output(), QByteArray("all\nb\n"));

    // Per-peer counters and endpoints, in connection order.
    const QList<PeerInfo> list = server.peers();
    QCOMPARE(list.size(), 3);
    QVERIFY(list.at(0).id < list.at(1).id && list.at(1).id < list.at(2).id);
    const QHash<quint64, QByteArray> sentTo { { a, expected.at(0) }, { b, expected.at(1) + "b\n" },
        { c, expected.at(2) } };
    const QHash<quint64, quint64> writes { { a, 3 }, { b, 2 }, { c, 2 } };
    for (size_t i = 0; i < clients.processes.size(); ++i) {
        const quint64 id = clients.ids.at(qsizetype(i));
        const auto info = server.peer(id);
        QVERIFY(info);
        QCOMPARE(info->id, id);
        QCOMPARE(info->counters.rxBytes, quint64(2));
        QCOMPARE(info->counters.rxPackets, quint64(1));
        QCOMPARE(info->counters.txBytes, quint64(sentTo.value(id).size()));
        QCOMPARE(info->counters.txPackets, writes.value(id));
        QVERIFY(info->connectedAt.isValid());
        QVERIFY(info->connectedAt <= QDateTime::currentDateTime());
        // An IPv4 client of a dual-stack listener, shown as users know it.
        QCOMPARE(info->endpoint.address.protocol(), QAbstractSocket::IPv4Protocol);
        QVERIFY2(info->endpoint.address.isEqual(
                     QHostAddress(QHostAddress::LocalHost), QHostAddress::StrictConversion),
            qPrintable(info->endpoint.toString()));
        QVERIFY(!info->endpoint.toString().contains(u"ffff"));
        const auto clientPort = clientPortOf(clients.processes.at(i)->pid(), server.serverPort());
        QVERIFY(clientPort);
        QCOMPARE(info->endpoint.port, *clientPort);
    }
    QCOMPARE(server.counters().rxBytes, quint64(6));
    QCOMPARE(server.counters().txBytes, quint64(19 + 6 + 12));
    QCOMPARE(server.counters().txPackets, quint64(7));

    // The log names the peer of every data entry.
    qsizetype txEntries = 0;
    for (qsizetype i = 0; i < log.size(); ++i) {
        const LogEntry &entry = log.at(i);
        if (entry.kind == LogKind::Tx) {
            ++txEntries;
            QCOMPARE(entry.peer, server.peer(entry.peerId)->endpoint);
        }
    }
    QCOMPARE(txEntries, 7);
}

void TestTcpServer::disconnectPeerClosesOnlyThatOne()
{
    TcpServerSession server;
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    SocatClients clients;
    startSocatClients(server, events, clients);
    if (QTest::currentTestFailed())
        return;
    const quint64 b = clients.ids.at(1);
    const Endpoint bEndpoint = server.peer(b)->endpoint;

    server.disconnectPeer(b);
    QTRY_COMPARE(server.peerCount(), 2);
    QCOMPARE(events.disconnected, QList<quint64> { b });
    QCOMPARE(events.reasonOf.value(b), u"disconnected by us"_s);
    QCOMPARE(events.disconnectedEndpoints.value(b), bEndpoint);
    QVERIFY(!server.peer(b));
    QVERIFY(clients.processes.at(1)->waitForFinished());
    QCOMPARE(clients.processes.at(1)->exitCode(), 0);

    // The others are still there and still served.
    QVERIFY(server.send("still\n"));
    QTRY_COMPARE(clients.processes.at(0)->output(), QByteArray("still\n"));
    QTRY_COMPARE(clients.processes.at(2)->output(), QByteArray("still\n"));
    QCOMPARE(clients.processes.at(0)->process().state(), QProcess::Running);
    QCOMPARE(clients.processes.at(2)->process().state(), QProcess::Running);
    QCOMPARE(events.disconnected.size(), 1);

    // Unknown ids are ignored.
    server.disconnectPeer(quint64(999'999));
    QCOMPARE(server.peerCount(), 2);
}

void TestTcpServer::disconnectPeerThatStopsReading()
{
    TcpServerSession server;
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process client;
    QVERIFY(client.startScript(
        u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(server.serverPort()) }));
    QVERIFY(portLine(client, "local "));
    QTRY_COMPARE(server.peerCount(), 1);
    client.write(command("pause"));
    QVERIFY(client.waitForLine("paused"));
    const quint64 id = events.connected.constFirst();

    // More than the kernel buffers hold: most of it stays queued in the session.
    QVERIFY(server.sendTo(id, QByteArray(32 * 1024 * 1024, 'x')));
    QVERIFY(server.pendingBytes() > 0);
    QElapsedTimer clock;
    clock.start();
    server.disconnectPeer(id);
    QCOMPARE(server.peerCount(), 1); // still draining

    // The peer never reads, so the session gives up waiting and aborts.
    QTRY_COMPARE_WITH_TIMEOUT(server.peerCount(), 0, 10'000);
    QVERIFY2(clock.elapsed() >= 1000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(events.disconnected, QList<quint64> { id });
    QCOMPARE(events.reasonOf.value(id), u"disconnected by us"_s);
    QCOMPARE(server.pendingBytes(), qint64(0));
}

// Nothing queued: "Disconnect" sends our FIN and the client leaves the list
// at once, though it never closes its side (tcp_hold_clients.py just holds).
void TestTcpServer::disconnectIdlePeerThatNeverCloses()
{
    TcpServerSession server;
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process holder;
    QVERIFY(holder.startScript(u"tcp_hold_clients.py"_s,
        { u"127.0.0.1"_s, QString::number(server.serverPort()), u"--count"_s, u"3"_s }));
    QVERIFY(holder.waitForLine("connected "));
    QTRY_COMPARE(server.peerCount(), 3);
    const quint64 id = events.connected.at(1);
    server.disconnectPeer(id);
    QCOMPARE(server.peerCount(), 2);
    QCOMPARE(events.disconnected, QList<quint64> { id });
    QCOMPARE(events.reasonOf.value(id), u"disconnected by us"_s);
    server.disconnectAll();
    QCOMPARE(server.peerCount(), 0);
    QCOMPARE(events.errors, QStringList());
}

void TestTcpServer::dataArrivingWithFin_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("small") << QByteArray("last words\n");
    QByteArray large(256 * 1024, '\0');
    for (qsizetype i = 0; i < large.size(); ++i)
        large[i] = char(i % 251);
    QTest::newRow("256 KiB") << large;
}

void TestTcpServer::dataArrivingWithFin()
{
    QFETCH(QByteArray, payload);

    TcpServerSession server;
    SessionRecorder events(server);
    qsizetype rxAtDisconnect = -1;
    connect(&server, &Session::peerDisconnected, events.context(),
        [&](quint64 id, const Endpoint &, const QString &) {
            rxAtDisconnect = events.rxById.value(id).size();
        });
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process client;
    QVERIFY(client.startScript(
        u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(server.serverPort()) }));
    QVERIFY(portLine(client, "local "));
    client.write(command("sendclose", payload));
    QVERIFY(client.waitForLine("closed"));

    QTRY_COMPARE_WITH_TIMEOUT(events.disconnected.size(), 1, 10'000);
    const quint64 id = events.connected.constFirst();
    QCOMPARE(events.rxById.value(id).size(), payload.size());
    QCOMPARE(events.rxById.value(id), payload);
    QCOMPARE(rxAtDisconnect, payload.size()); // all of it before the disconnection
    QCOMPARE(events.reasonOf.value(id), u"closed by peer"_s);
}

void TestTcpServer::maxClients()
{
    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.setMaxClients(1);
    server.setResponder({ Responder::Mode::Echo, {} });
    server.start();
    QCOMPARE(server.state(), Session::State::Active);
    const QString port = QString::number(server.serverPort());

    peers::Process first;
    QVERIFY(first.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port }));
    QVERIFY(portLine(first, "local "));
    QTRY_COMPARE(server.peerCount(), 1);

    peers::Process second;
    QVERIFY(second.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port }));
    const auto secondPort = portLine(second, "local ");
    QVERIFY(secondPort);
    // The kernel completed the handshake; the session closes it at once.
    const auto end = second.readLine();
    QVERIFY(end);
    QVERIFY2(*end == "eof" || *end == "reset", end->constData());
    const LogEntry *refused = findLog(log, LogKind::Info, "limit of 1 clients");
    QVERIFY(refused);
    QCOMPARE(refused->peer.port, *secondPort);
    QCOMPARE(server.peerCount(), 1);
    QCOMPARE(events.connected.size(), 1);
    QVERIFY(events.disconnected.isEmpty());

    // The first client is unaffected.
    first.write(command("send", "hi\n"));
    QCOMPARE(gotBytes(first, 3), QByteArray("hi\n"));

    // When it leaves, there is room again.
    first.write(command("close"));
    QTRY_COMPARE(server.peerCount(), 0);
    peers::Process third;
    QVERIFY(third.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port }));
    QVERIFY(portLine(third, "local "));
    QTRY_COMPARE(server.peerCount(), 1);
    third.write(command("send", "again\n"));
    QCOMPARE(gotBytes(third, 6), QByteArray("again\n"));
}

void TestTcpServer::fixedReply()
{
    TcpServerSession server;
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.setResponder({ Responder::Mode::FixedReply, "pong\r\n" });
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process client;
    QVERIFY(client.startScript(
        u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(server.serverPort()) }));
    QVERIFY(portLine(client, "local "));
    client.write(command("send", "ping\n"));
    QCOMPARE(gotBytes(client, 6), QByteArray("pong\r\n"));
    client.write(command("send", "ping again\n"));
    QCOMPARE(gotBytes(client, 6), QByteArray("pong\r\n"));

    const quint64 id = events.connected.constFirst();
    QCOMPARE(events.rxById.value(id), QByteArray("ping\nping again\n"));
    QCOMPARE(events.txById.value(id), QByteArray("pong\r\npong\r\n"));
    QCOMPARE(server.peer(id)->counters.txPackets, quint64(2));
    QCOMPARE(server.counters().txBytes, quint64(12));
}

void TestTcpServer::timeServer()
{
    TcpServerSession server;
    server.setListenAddress(QHostAddress::LocalHost);
    server.setResponder({ Responder::Mode::TimeServer, {} });
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process client;
    QVERIFY(client.startScript(
        u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(server.serverPort()) }));
    QVERIFY(portLine(client, "local "));
    const int yearBefore = QDate::currentDate().year();
    client.write(command("send", "%Y\n"));
    const QByteArray reply = gotBytes(client, 5);
    const int yearAfter = QDate::currentDate().year();
    QVERIFY2(reply == QByteArray::number(yearBefore) + '\n'
            || reply == QByteArray::number(yearAfter) + '\n',
        reply.constData());

    // A CRLF request is answered with CRLF.
    client.write(command("send", "%Y-%m\r\n"));
    const QByteArray monthly = gotBytes(client, 9);
    static const QRegularExpression yearMonth(u"^\\d{4}-\\d{2}\r\n$"_s);
    QVERIFY2(yearMonth.match(QString::fromLatin1(monthly)).hasMatch(), monthly.constData());
}

void TestTcpServer::cleanCloseAndReset_data()
{
    QTest::addColumn<QByteArray>("how");
    QTest::newRow("clean close") << QByteArray("close");
    QTest::newRow("reset") << QByteArray("reset");
}

void TestTcpServer::cleanCloseAndReset()
{
    QFETCH(QByteArray, how);

    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);

    peers::Process client;
    QVERIFY(client.startScript(
        u"tcp_client.py"_s, { u"127.0.0.1"_s, QString::number(server.serverPort()) }));
    const auto clientPort = portLine(client, "local ");
    QVERIFY(clientPort);
    QTRY_COMPARE(server.peerCount(), 1);
    client.write(command("send", "bye\n"));
    QTRY_COMPARE(events.rxChunks.size(), 1);
    client.write(how + '\n');
    QVERIFY(client.waitForLine("closed"));

    QTRY_COMPARE(events.disconnected.size(), 1);
    const quint64 id = events.connected.constFirst();
    QCOMPARE(events.disconnected.constFirst(), id);
    QCOMPARE(events.disconnectedEndpoints.value(id).port, *clientPort);
    const QString reason = events.reasonOf.value(id);
    QVERIFY(!reason.isEmpty());
    if (how == "close")
        QCOMPARE(reason, u"closed by peer"_s);
    QCOMPARE(server.peerCount(), 0);
    QCOMPARE(server.state(), Session::State::Active);
    const LogEntry *entry = findLog(log, LogKind::Disconnected);
    QVERIFY(entry);
    QCOMPARE(entry->peerId, id);
    QVERIFY2(entry->data.contains(reason.toUtf8()), entry->data.constData());
    QCOMPARE(events.rxById.value(id), QByteArray("bye\n"));
}

void TestTcpServer::stopWithClientsConnected()
{
    TrafficLog log;
    TcpServerSession server;
    server.setLog(&log);
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);
    const QString port = QString::number(server.serverPort());

    peers::Process one;
    peers::Process two;
    QVERIFY(one.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port }));
    QVERIFY(two.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port }));
    QVERIFY(portLine(one, "local "));
    QVERIFY(portLine(two, "local "));
    QTRY_COMPARE(server.peerCount(), 2);
    events.states.clear();

    server.stop();
    QCOMPARE(server.state(), Session::State::Idle);
    QCOMPARE(
        events.states, (QList<Session::State> { Session::State::Stopping, Session::State::Idle }));
    QCOMPARE(server.peerCount(), 0);
    QCOMPARE(server.serverPort(), quint16(0));
    QCOMPARE(events.disconnected.size(), 2);
    for (const quint64 id : std::as_const(events.connected))
        QCOMPARE(events.reasonOf.value(id), u"server stopped"_s);
    QVERIFY(findLog(log, LogKind::Info, "stopped listening"));

    // The clients see the end, and nobody listens any more.
    QVERIFY(one.waitForLine("eof"));
    QVERIFY(two.waitForLine("eof"));
    peers::Process late;
    QVERIFY(late.startScript(u"tcp_client.py"_s, { u"127.0.0.1"_s, port }));
    QCOMPARE(late.waitForLine("error "), QByteArray("ECONNREFUSED"));
    QVERIFY(events.errors.isEmpty());

    // Stopping twice is harmless; starting again works.
    server.stop();
    QCOMPARE(server.state(), Session::State::Idle);
    server.start();
    QCOMPARE(server.state(), Session::State::Active);
}

void TestTcpServer::sendWithoutClients()
{
    TcpServerSession server;
    SessionRecorder events(server);
    server.setListenAddress(QHostAddress::LocalHost);
    server.start();
    QVERIFY(!server.send("x"));
    QVERIFY2(server.errorString().contains(u"no client"), qPrintable(server.errorString()));
    QCOMPARE(events.errors.size(), 1);
    QCOMPARE(server.pendingBytes(), qint64(0));
}

QTEST_GUILESS_MAIN(TestTcpServer)
#include "tst_tcpserver.moc"
