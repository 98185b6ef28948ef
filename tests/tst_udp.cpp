// UdpSession against real peers: python scripts from tests/peers/ on
// ephemeral loopback ports (127.0.0.1 and ::1 only).

#include "net/core/responder.h"
#include "net/log/trafficlog.h"
#include "net/text/textcodec.h"
#include "net/udp/udpsession.h"
#include "sessiontest.h"
#include "testsupport.h"

#include <QDate>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <optional>
#include <vector>

using namespace Qt::StringLiterals;
using peers::parseRx;
using peers::toPort;

char *toString(const Endpoint &endpoint)
{
    return QTest::toString(endpoint.toString());
}

namespace {

const QHostAddress V4 { QHostAddress::LocalHost };
const QHostAddress V6 { QHostAddress::LocalHostIPv6 };

using Datagram = RecordedData;
using Recorder = SessionRecorder;

// The payload of the next "rx" line, or a text saying why there is none.
QByteArray rxPayload(const std::optional<QByteArray> &line)
{
    if (!line)
        return "(no rx line)";
    const auto rx = parseRx(*line);
    return rx ? rx->data : "(bad rx line: " + *line + ')';
}

// Starts udp_receiver.py and returns the port it got.
std::optional<quint16> startReceiver(peers::Process &peer, const QStringList &arguments)
{
    return peers::startPeer(peer, u"udp_receiver.py"_s, arguments);
}

// Starts udp_senders.py and returns the source port of each socket.
QList<quint16> startSenders(peers::Process &peer, const QStringList &arguments, int sockets)
{
    QList<quint16> ports;
    if (!peer.startScript(u"udp_senders.py"_s, arguments))
        return ports;
    for (int i = 0; i < sockets; ++i) {
        const auto line = peer.waitForLine("src ");
        if (!line)
            return {};
        const QList<QByteArray> fields = line->split(' ');
        if (fields.size() != 2 || fields.at(0).toInt() != i)
            return {};
        if (const auto port = toPort(fields.at(1)))
            ports.append(*port);
    }
    return ports;
}

// "reply I PORT HEX" lines of udp_senders.py, until "done".
struct Reply
{
    int socket = -1;
    quint16 fromPort = 0;
    QByteArray data;
};

std::optional<std::vector<Reply>> readReplies(peers::Process &peer)
{
    std::vector<Reply> replies;
    while (const auto line = peer.readLine()) {
        if (*line == "done")
            return replies;
        if (!line->startsWith("reply "))
            continue;
        const QList<QByteArray> fields = line->mid(6).split(' ');
        if (fields.size() != 3)
            return std::nullopt;
        replies.push_back({ fields.at(0).toInt(), quint16(fields.at(1).toUInt()),
            fields.at(2) == "-" ? QByteArray() : QByteArray::fromHex(fields.at(2)) });
    }
    return std::nullopt;
}

QList<LogEntry> entriesOf(const TrafficLog &log, LogKind kind)
{
    QList<LogEntry> found;
    for (qsizetype i = 0; i < log.size(); ++i) {
        if (log.at(i).kind == kind)
            found.append(log.at(i));
    }
    return found;
}

// The kernel's count of UDP datagrams that found no socket (each one answered
// with an ICMP port unreachable), from /proc/net/snmp.
std::optional<qint64> udpNoPorts()
{
    QFile file(u"/proc/net/snmp"_s);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        if (!lines.at(i).startsWith("Udp:") || !lines.at(i + 1).startsWith("Udp:"))
            continue;
        const QList<QByteArray> names = lines.at(i).simplified().split(' ');
        const QList<QByteArray> values = lines.at(i + 1).simplified().split(' ');
        const qsizetype column = names.indexOf("NoPorts");
        if (column > 0 && column < values.size())
            return values.at(column).toLongLong();
    }
    return std::nullopt;
}

// A loopback port nobody listens on: bound, read back and released.
quint16 closedPort(const QHostAddress &address)
{
    QUdpSocket probe;
    if (!probe.bind(address, 0, QAbstractSocket::DontShareAddress))
        return 0;
    const quint16 port = probe.localPort();
    probe.close();
    return port;
}

} // namespace

class TestUdp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void bind_data();
    void bind();
    void startTwiceBindsOnce();
    void restartAfterStop();
    void datagramsFromThreeSources_data();
    void datagramsFromThreeSources();
    void backToBackDatagramsStaySeparate();
    void emptyDatagram();
    void ipv4PeerOfDualStackSocketShownPlain();
    void sendToTarget_data();
    void sendToTarget();
    void setTargetResolvesLocalhost_data();
    void setTargetResolvesLocalhost();
    void sendDuringLookupSaysSo();
    void literalTargetReplacesPendingLookup();
    void replyToSender();
    void replyToLast();
    void sendFallsBackToLastSender();
    void echoAnswersEachSender();
    void timeServer_data();
    void timeServer();
    void oversizeDatagramRefused_data();
    void oversizeDatagramRefused();
    void maxChunkFollowsDestination_data();
    void maxChunkFollowsDestination();
    void portInUse_data();
    void portInUse();
    void sendWhileNotStarted();
    void sendWithoutDestination();
    void familyMismatch_data();
    void familyMismatch();
    void portUnreachableKeepsSession();
    void stopFromReceivedSlot();
    void gb2312BothWays();
    void gb2312TimeServer();
};

void TestUdp::init()
{
    // Qt's own complaints (a socket used while unbound, a refused option)
    // mean the session did something it should not.
    QTest::failOnWarning(QRegularExpression(u".+"_s));
}

void TestUdp::bind_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QStringList>("reachVia"); // where a peer can send to reach it

    QTest::newRow("127.0.0.1") << u"127.0.0.1"_s << QStringList { u"127.0.0.1"_s };
    QTest::newRow("::1") << u"::1"_s << QStringList { u"::1"_s };
    QTest::newRow("any") << QString() << QStringList { u"127.0.0.1"_s, u"::1"_s };
    QTest::newRow("0.0.0.0") << u"0.0.0.0"_s << QStringList { u"127.0.0.1"_s };
    QTest::newRow("::") << u"::"_s << QStringList { u"::1"_s };
}

void TestUdp::bind()
{
    QFETCH(QString, address);
    QFETCH(QStringList, reachVia);
    const QHostAddress bindAddress
        = address.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(address);

    TrafficLog log;
    UdpSession session(u"udp-bind"_s);
    session.setLog(&log);
    Recorder recorder(&session);
    QSignalSpy states(&session, &Session::stateChanged);
    QVERIFY(session.localEndpoint().isNull());

    session.setBindAddress(bindAddress);
    session.setBindPort(0);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<Session::State>(), Session::State::Starting);
    QCOMPARE(states.at(1).at(0).value<Session::State>(), Session::State::Active);
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));

    const Endpoint local = session.localEndpoint();
    QVERIFY(local.port != 0);
    QVERIFY2(local.address == bindAddress, qPrintable(local.toString()));

    const QList<LogEntry> listening = entriesOf(log, LogKind::Listening);
    QCOMPARE(listening.size(), 1);
    QCOMPARE(listening.first().peer, local);
    QCOMPARE(listening.first().peerId, quint64(0));

    // Really bound: a peer reaches it on that port.
    for (const QString &via : reachVia) {
        peers::Process sender;
        const QList<quint16> sources = startSenders(sender,
            { u"--host"_s, via, u"--port"_s, QString::number(local.port), u"--payload"_s,
                u"6869"_s },
            1);
        QCOMPARE(sources.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
        QCOMPARE(recorder.received.back().data, QByteArray("hi"));
        QCOMPARE(recorder.received.back().peer, (Endpoint { QHostAddress(via), sources.first() }));
        recorder.received.clear();
    }

    session.stop();
    QCOMPARE(session.state(), Session::State::Idle);
    QVERIFY(session.localEndpoint().isNull());
    QCOMPARE(states.size(), 4);
    QCOMPARE(states.at(2).at(0).value<Session::State>(), Session::State::Stopping);
    QCOMPARE(states.at(3).at(0).value<Session::State>(), Session::State::Idle);
    QCOMPARE(log.at(log.size() - 1).kind, LogKind::Info);
    QCOMPARE(log.at(log.size() - 1).data, QByteArray("closed"));
}

void TestUdp::startTwiceBindsOnce()
{
    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    const Endpoint first = session.localEndpoint();
    QSignalSpy states(&session, &Session::stateChanged);
    session.start(); // already bound: nothing happens
    QCOMPARE(session.state(), Session::State::Active);
    QCOMPARE(session.localEndpoint(), first);
    QCOMPARE(states.size(), 0);
    QCOMPARE(entriesOf(log, LogKind::Listening).size(), 1);
}

void TestUdp::restartAfterStop()
{
    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    session.stop();
    QCOMPARE(session.state(), Session::State::Idle);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    QCOMPARE(entriesOf(log, LogKind::Listening).size(), 2);
    const quint16 port = session.localEndpoint().port;
    QVERIFY(port != 0);

    peers::Process sender;
    QCOMPARE(startSenders(
                 sender, { u"--port"_s, QString::number(port), u"--payload"_s, u"616761696e"_s }, 1)
                 .size(),
        1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QCOMPARE(recorder.received.front().data, QByteArray("again"));
}

void TestUdp::datagramsFromThreeSources_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("IPv4") << u"127.0.0.1"_s;
    QTest::newRow("IPv6") << u"::1"_s;
}

void TestUdp::datagramsFromThreeSources()
{
    QFETCH(QString, host);
    constexpr int Sockets = 3;
    constexpr int Rounds = 4;

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(QHostAddress(host));
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process sender;
    const QList<quint16> sources = startSenders(sender,
        { u"--host"_s, host, u"--port"_s, QString::number(session.localEndpoint().port),
            u"--sockets"_s, QString::number(Sockets), u"--count"_s, QString::number(Rounds) },
        Sockets);
    QCOMPARE(sources.size(), Sockets);
    QCOMPARE(QSet<quint16>(sources.cbegin(), sources.cend()).size(), Sockets);
    QCOMPARE(sender.waitForLine("sent ").value_or("(none)"), QByteArray::number(Sockets * Rounds));

    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(Sockets * Rounds), 10'000);

    QHash<quint16, quint64> idOfPort;
    QHash<quint16, int> nextRound;
    for (const Datagram &datagram : recorder.received) {
        QCOMPARE(datagram.peer.address, QHostAddress(host));
        const qsizetype socket = sources.indexOf(datagram.peer.port);
        QVERIFY2(socket >= 0, qPrintable(datagram.peer.toString()));
        // Each source's datagrams in its own order, each one whole.
        const int round = nextRound.value(datagram.peer.port, 0);
        nextRound[datagram.peer.port] = round + 1;
        QCOMPARE(datagram.data,
            QByteArray("s") + QByteArray::number(socket) + '-' + QByteArray::number(round));
        QVERIFY(datagram.peerId != 0);
        if (idOfPort.contains(datagram.peer.port))
            QCOMPARE(datagram.peerId, idOfPort.value(datagram.peer.port));
        idOfPort.insert(datagram.peer.port, datagram.peerId);
    }
    const QList<quint64> ids = idOfPort.values();
    QCOMPARE(QSet<quint64>(ids.cbegin(), ids.cend()).size(), Sockets);

    // The log holds the same, one entry per datagram.
    const QList<LogEntry> rx = entriesOf(log, LogKind::Rx);
    QCOMPARE(rx.size(), Sockets * Rounds);
    quint64 bytes = 0;
    for (qsizetype i = 0; i < rx.size(); ++i) {
        const Datagram &datagram = recorder.received.at(size_t(i));
        QCOMPARE(rx.at(i).peer, datagram.peer);
        QCOMPARE(rx.at(i).peerId, datagram.peerId);
        QCOMPARE(rx.at(i).data, datagram.data);
        bytes += quint64(datagram.data.size());
    }
    QCOMPARE(session.counters().rxPackets, quint64(Sockets * Rounds));
    QCOMPARE(session.counters().rxBytes, bytes);
    QCOMPARE(session.lastSender(), recorder.received.back().peer);
}

void TestUdp::backToBackDatagramsStaySeparate()
{
    // More than the session handles in one turn of the event loop, so the
    // rest must come on the next turns, none lost, none merged.
    constexpr int Count = 700;
    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process sender;
    QCOMPARE(startSenders(sender,
                 { u"--port"_s, QString::number(session.localEndpoint().port), u"--count"_s,
                     QString::number(Count) },
                 1)
                 .size(),
        1);
    QCOMPARE(sender.waitForLine("sent ").value_or("(none)"), QByteArray::number(Count));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(Count), 10'000);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(recorder.received.at(size_t(i)).data, "s0-" + QByteArray::number(i));
    QCOMPARE(entriesOf(log, LogKind::Rx).size(), Count);
    QCOMPARE(session.counters().rxPackets, quint64(Count));
}

void TestUdp::emptyDatagram()
{
    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process sender;
    QCOMPARE(startSenders(sender,
                 { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s,
                     u"61"_s, u"--payload"_s, u"-"_s, u"--payload"_s, u"6262"_s },
                 1)
                 .size(),
        1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(3), 10'000);
    QCOMPARE(recorder.received.at(0).data, QByteArray("a"));
    QVERIFY(recorder.received.at(1).data.isEmpty());
    QCOMPARE(recorder.received.at(2).data, QByteArray("bb"));
    const QList<LogEntry> rx = entriesOf(log, LogKind::Rx);
    QCOMPARE(rx.size(), 3);
    QVERIFY(rx.at(1).data.isEmpty());
    QCOMPARE(session.counters().rxPackets, quint64(3));
    QCOMPARE(session.counters().rxBytes, quint64(3));
}

void TestUdp::ipv4PeerOfDualStackSocketShownPlain()
{
    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(QHostAddress::Any);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process sender;
    const QList<quint16> sources = startSenders(sender,
        { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s, u"7634"_s,
            u"--replies"_s, u"1"_s },
        1);
    QCOMPARE(sources.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    const Endpoint peer = recorder.received.front().peer;
    QCOMPARE(peer.address.protocol(), QAbstractSocket::IPv4Protocol);
    QCOMPARE(peer, (Endpoint { V4, sources.first() }));
    QCOMPARE(peer.toString(), u"127.0.0.1:"_s + QString::number(sources.first()));

    QVERIFY(session.replyToLast("back"));
    const auto replies = readReplies(sender);
    QVERIFY(replies);
    QCOMPARE(replies->size(), size_t(1));
    QCOMPARE(replies->front().data, QByteArray("back"));
    QCOMPARE(replies->front().fromPort, session.localEndpoint().port);
}

void TestUdp::sendToTarget_data()
{
    QTest::addColumn<QString>("bind"); // empty: any (both families)
    QTest::addColumn<QString>("receiver");
    QTest::addColumn<QString>("targetHost");

    QTest::newRow("IPv4") << u"127.0.0.1"_s << u"127.0.0.1"_s << u"127.0.0.1"_s;
    QTest::newRow("IPv6") << u"::1"_s << u"::1"_s << u"::1"_s;
    QTest::newRow("IPv6 in brackets") << u"::1"_s << u"::1"_s << u"[::1]"_s;
    QTest::newRow("any to IPv4") << QString() << u"127.0.0.1"_s << u"127.0.0.1"_s;
    QTest::newRow("any to IPv6") << QString() << u"::1"_s << u"::1"_s;
}

void TestUdp::sendToTarget()
{
    QFETCH(QString, bind);
    QFETCH(QString, receiver);
    QFETCH(QString, targetHost);
    const QByteArray payload = QByteArray::fromHex("00016869ff0a7f80");

    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, receiver, u"--count"_s, u"2"_s });
    QVERIFY(port);

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    QSignalSpy resolved(&session, &UdpSession::targetResolved);
    session.setBindAddress(bind.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(bind));
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    session.setTarget(targetHost, *port);
    QCOMPARE(resolved.size(), 1); // a literal needs no lookup
    const Endpoint target { QHostAddress(receiver), *port };
    QCOMPARE(session.target(), target);
    QCOMPARE(resolved.at(0).at(0).value<Endpoint>(), target);

    QVERIFY2(session.send(payload), qPrintable(session.errorString()));
    QVERIFY(session.send("second"));
    QVERIFY(recorder.errors.isEmpty());

    for (const QByteArray &expected : { payload, QByteArray("second") }) {
        const auto line = peer.waitForLine("rx ");
        QVERIFY(line);
        const auto rx = parseRx(*line);
        QVERIFY(rx);
        QCOMPARE(rx->address, QHostAddress(receiver));
        QCOMPARE(rx->port, session.localEndpoint().port);
        QCOMPARE(rx->length, expected.size());
        QCOMPARE(rx->data, expected);
    }

    QCOMPARE(recorder.sent.size(), size_t(2));
    QCOMPARE(recorder.sent.front().peer, target);
    QCOMPARE(recorder.sent.front().data, payload);
    const QList<LogEntry> tx = entriesOf(log, LogKind::Tx);
    QCOMPARE(tx.size(), 2);
    QCOMPARE(tx.first().peer, target);
    QCOMPARE(tx.first().data, payload);
    QVERIFY(tx.first().peerId != 0);
    QCOMPARE(tx.last().peerId, tx.first().peerId);
    QCOMPARE(session.counters().txPackets, quint64(2));
    QCOMPARE(session.counters().txBytes, quint64(payload.size() + 6));
}

void TestUdp::setTargetResolvesLocalhost_data()
{
    QTest::addColumn<QString>("bind");
    QTest::newRow("bound to 127.0.0.1") << u"127.0.0.1"_s;
    QTest::newRow("bound to any") << QString();
}

void TestUdp::setTargetResolvesLocalhost()
{
    QFETCH(QString, bind);

    // Bound to :: (both families) so that whichever loopback address
    // "localhost" resolves to, the datagram arrives.
    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, u"::"_s, u"--count"_s, u"1"_s });
    QVERIFY(port);

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    QSignalSpy resolved(&session, &UdpSession::targetResolved);
    session.setBindAddress(bind.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(bind));
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    session.setTarget(u"localhost"_s, *port);
    QTRY_COMPARE_WITH_TIMEOUT(resolved.size(), 1, 10'000);
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));
    const Endpoint target = session.target();
    QCOMPARE(resolved.at(0).at(0).value<Endpoint>(), target);
    QCOMPARE(target.port, *port);
    QVERIFY2(target.address.isLoopback(), qPrintable(target.toString()));
    if (!bind.isEmpty())
        QCOMPARE(target.address, V4); // the family the socket is bound to

    const QList<LogEntry> info = entriesOf(log, LogKind::Info);
    QVERIFY(!info.isEmpty());
    QCOMPARE(QString::fromUtf8(info.last().data),
        u"localhost resolved to "_s + target.address.toString());

    QVERIFY2(session.send("by name"), qPrintable(session.errorString()));
    const auto line = peer.waitForLine("rx ");
    QVERIFY(line);
    const auto rx = parseRx(*line);
    QVERIFY(rx);
    QCOMPARE(rx->data, QByteArray("by name"));
    QCOMPARE(rx->port, session.localEndpoint().port);
}

void TestUdp::sendDuringLookupSaysSo()
{
    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, u"127.0.0.1"_s, u"--count"_s, u"1"_s });
    QVERIFY(port);

    UdpSession session;
    Recorder recorder(&session);
    QSignalSpy resolved(&session, &UdpSession::targetResolved);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    session.setTarget(u"localhost"_s, *port);
    // The answer comes through the event loop, which has not run yet.
    QCOMPARE(resolved.size(), 0);
    QVERIFY(!session.send("too early"));
    QCOMPARE(session.errorString(), u"still looking up 'localhost'"_s);
    QCOMPARE(recorder.errors, QStringList { u"still looking up 'localhost'"_s });
    QTRY_COMPARE_WITH_TIMEOUT(resolved.size(), 1, 10'000);
    QVERIFY(session.send("in time"));
    QCOMPARE(rxPayload(peer.waitForLine("rx ")), QByteArray("in time")); // the early one never left
    QCOMPARE(session.counters().txPackets, quint64(1));
}

void TestUdp::literalTargetReplacesPendingLookup()
{
    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, u"127.0.0.1"_s, u"--count"_s, u"1"_s });
    QVERIFY(port);

    UdpSession session;
    QSignalSpy resolved(&session, &UdpSession::targetResolved);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    // Once a name is in Qt's host cache, its answer is posted at once, so the
    // answer to the next lookup is already on its way when that lookup is
    // replaced; it must not overwrite the newer target when it lands.
    session.setTarget(u"localhost"_s, 9);
    QTRY_COMPARE_WITH_TIMEOUT(resolved.size(), 1, 10'000);
    session.setTarget(u"localhost"_s, 9);
    session.setTarget(u"127.0.0.1"_s, *port);
    QCOMPARE(resolved.size(), 2);
    bool drained = false;
    QObject context;
    QMetaObject::invokeMethod(
        &context, [&drained] { drained = true; }, Qt::QueuedConnection);
    QVERIFY(peers::waitUntil([&drained] { return drained; })); // posted after the stale answer
    QCOMPARE(resolved.size(), 2);
    QCOMPARE(session.target(), (Endpoint { V4, *port }));
    QVERIFY(session.send("one"));
    QCOMPARE(rxPayload(peer.waitForLine("rx ")), QByteArray("one"));

    session.clearTarget();
    QVERIFY(session.target().isNull());
    QVERIFY(!session.send("nowhere"));
    QCOMPARE(session.errorString(), u"no destination: set a target host and port"_s);
}

void TestUdp::replyToSender()
{
    peers::Process target;
    const auto targetPort = startReceiver(target, { u"--count"_s, u"1"_s });
    QVERIFY(targetPort);

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    session.setTarget(u"127.0.0.1"_s, *targetPort);
    session.setReplyToSender(true);
    QVERIFY(session.replyToSender());

    peers::Process speaker;
    const QList<quint16> sources = startSenders(speaker,
        { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s, u"70696e67"_s,
            u"--replies"_s, u"1"_s },
        1);
    QCOMPARE(sources.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QCOMPARE(session.lastSender(), (Endpoint { V4, sources.first() }));

    QVERIFY(session.send("pong"));
    const auto replies = readReplies(speaker);
    QVERIFY(replies);
    QCOMPARE(replies->size(), size_t(1));
    QCOMPARE(replies->front().data, QByteArray("pong"));
    QCOMPARE(replies->front().fromPort, session.localEndpoint().port);
    QCOMPARE(recorder.sent.back().peer, session.lastSender());
    QCOMPARE(recorder.sent.back().peerId, recorder.received.front().peerId);

    // Off again: the target gets the next one, and it is the first it gets.
    session.setReplyToSender(false);
    QVERIFY(session.send("marker"));
    QCOMPARE(rxPayload(target.waitForLine("rx ")), QByteArray("marker"));
}

void TestUdp::replyToLast()
{
    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    const QString port = QString::number(session.localEndpoint().port);

    QVERIFY(!session.replyToLast("nobody"));
    QCOMPARE(session.errorString(), u"nobody has sent anything yet"_s);
    QCOMPARE(recorder.errors.size(), 1);

    peers::Process first;
    const QList<quint16> a = startSenders(
        first, { u"--port"_s, port, u"--payload"_s, u"61"_s, u"--replies"_s, u"1"_s }, 1);
    QCOMPARE(a.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    peers::Process second;
    const QList<quint16> b = startSenders(
        second, { u"--port"_s, port, u"--payload"_s, u"62"_s, u"--replies"_s, u"1"_s }, 1);
    QCOMPARE(b.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(2), 10'000);
    QCOMPARE(session.lastSender(), (Endpoint { V4, b.first() }));
    QVERIFY(recorder.received.at(0).peerId != recorder.received.at(1).peerId);

    QVERIFY(session.replyToLast("to b"));
    auto replies = readReplies(second);
    QVERIFY(replies);
    QCOMPARE(replies->size(), size_t(1));
    QCOMPARE(replies->front().data, QByteArray("to b"));

    // The first sender is still reachable by its endpoint.
    QVERIFY(session.sendTo(recorder.received.at(0).peer, "to a"));
    replies = readReplies(first);
    QVERIFY(replies);
    QCOMPARE(replies->size(), size_t(1));
    QCOMPARE(replies->front().data, QByteArray("to a"));
    QCOMPARE(recorder.sent.at(1).peerId, recorder.received.at(0).peerId);
    QCOMPARE(recorder.errors.size(), 1);
}

void TestUdp::sendFallsBackToLastSender()
{
    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(V6);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process speaker;
    QCOMPARE(
        startSenders(speaker,
            { u"--host"_s, u"::1"_s, u"--port"_s, QString::number(session.localEndpoint().port),
                u"--payload"_s, u"3f"_s, u"--replies"_s, u"1"_s },
            1)
            .size(),
        1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QVERIFY(session.target().isNull());
    QVERIFY2(session.send("no target set"), qPrintable(session.errorString()));
    const auto replies = readReplies(speaker);
    QVERIFY(replies);
    QCOMPARE(replies->size(), size_t(1));
    QCOMPARE(replies->front().data, QByteArray("no target set"));
}

void TestUdp::echoAnswersEachSender()
{
    constexpr int Sockets = 3;
    constexpr int Rounds = 3;
    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    session.setResponder({ Responder::Mode::Echo, {} });
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process senders;
    const QList<quint16> sources = startSenders(senders,
        { u"--port"_s, QString::number(session.localEndpoint().port), u"--sockets"_s,
            QString::number(Sockets), u"--count"_s, QString::number(Rounds), u"--replies"_s,
            QString::number(Rounds) },
        Sockets);
    QCOMPARE(sources.size(), Sockets);
    const auto replies = readReplies(senders);
    QVERIFY2(replies, senders.output().constData());
    QCOMPARE(replies->size(), size_t(Sockets * Rounds));

    QHash<int, int> nextRound;
    for (const Reply &reply : *replies) {
        QVERIFY(reply.socket >= 0 && reply.socket < Sockets);
        QCOMPARE(reply.fromPort, session.localEndpoint().port);
        const int round = nextRound.value(reply.socket, 0);
        nextRound[reply.socket] = round + 1;
        QCOMPARE(
            reply.data, "s" + QByteArray::number(reply.socket) + '-' + QByteArray::number(round));
    }

    // Each answer is logged to the peer it went to, under that peer's id.
    QCOMPARE(recorder.sent.size(), size_t(Sockets * Rounds));
    QCOMPARE(recorder.received.size(), size_t(Sockets * Rounds));
    for (size_t i = 0; i < recorder.sent.size(); ++i) {
        QCOMPARE(recorder.sent.at(i).peer, recorder.received.at(i).peer);
        QCOMPARE(recorder.sent.at(i).peerId, recorder.received.at(i).peerId);
        QCOMPARE(recorder.sent.at(i).data, recorder.received.at(i).data);
    }
    QCOMPARE(entriesOf(log, LogKind::Tx).size(), Sockets * Rounds);
}

void TestUdp::timeServer_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("pattern"); // YEAR stands for the current year

    QTest::newRow("year") << QByteArray("%Y") << u"^YEAR$"_s;
    QTest::newRow("empty means the default")
        << QByteArray() << u"^YEAR-\\d\\d-\\d\\d \\d{1,2}:\\d\\d:\\d\\d( ?[AP]M)?$"_s;
    QTest::newRow("line ending kept") << QByteArray("%Y\r\n") << u"^YEAR\r\n$"_s;
    QTest::newRow("text around") << QByteArray("year=%Y;") << u"^year=YEAR;$"_s;
}

void TestUdp::timeServer()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, pattern);

    UdpSession session;
    session.setResponder({ Responder::Mode::TimeServer, {} });
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    const int yearBefore = QDate::currentDate().year();
    peers::Process client;
    const QString hex = request.isEmpty() ? u"-"_s : QString::fromLatin1(request.toHex());
    QCOMPARE(startSenders(client,
                 { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s, hex,
                     u"--replies"_s, u"1"_s },
                 1)
                 .size(),
        1);
    const auto replies = readReplies(client);
    QVERIFY2(replies, client.output().constData());
    QCOMPARE(replies->size(), size_t(1));
    const int yearAfter = QDate::currentDate().year();

    const QString reply = QString::fromUtf8(replies->front().data);
    bool matched = false;
    for (const int year : { yearBefore, yearAfter }) {
        QString expected = pattern;
        expected.replace(u"YEAR"_s, QString::number(year));
        matched = matched || QRegularExpression(expected).match(reply).hasMatch();
    }
    QVERIFY2(matched, qPrintable(u"reply '%1' does not match %2"_s.arg(reply, pattern)));
}

void TestUdp::oversizeDatagramRefused_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<qint64>("limit");
    QTest::newRow("IPv4") << u"127.0.0.1"_s << UdpSession::MaxDatagramIPv4;
    QTest::newRow("IPv6") << u"::1"_s << UdpSession::MaxDatagramIPv6;
}

void TestUdp::oversizeDatagramRefused()
{
    QFETCH(QString, host);
    QFETCH(qint64, limit);
    QCOMPARE(limit, host.contains(u':') ? 65'527 : 65'507);

    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, host, u"--count"_s, u"1"_s });
    QVERIFY(port);

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(QHostAddress(host));
    session.start();
    session.setTarget(host, *port);

    QVERIFY(!session.send(QByteArray(limit + 1, 'x')));
    const QString expected
        = u"datagram of %1 bytes exceeds the UDP maximum of %2 bytes"_s.arg(limit + 1).arg(limit);
    QCOMPARE(recorder.errors, QStringList { expected });
    QCOMPARE(session.errorString(), expected);
    QVERIFY(recorder.sent.empty());
    QCOMPARE(session.counters().txPackets, quint64(0));
    QVERIFY(entriesOf(log, LogKind::Tx).isEmpty());
    QCOMPARE(QString::fromUtf8(entriesOf(log, LogKind::Error).value(0).data), expected);
    QCOMPARE(session.state(), Session::State::Active);

    // The largest one goes, and it is the first the peer sees.
    QVERIFY2(session.send(QByteArray(limit, 'y')), qPrintable(session.errorString()));
    const auto line = peer.waitForLine("rx ");
    QVERIFY(line);
    const auto rx = parseRx(*line);
    QVERIFY(rx);
    QCOMPARE(rx->length, limit);
    QCOMPARE(rx->data, QByteArray(limit, 'y'));
}

void TestUdp::maxChunkFollowsDestination_data()
{
    QTest::addColumn<QString>("bind"); // empty: any
    QTest::addColumn<QString>("target"); // empty: none
    QTest::addColumn<qint64>("expected");

    QTest::newRow("127.0.0.1") << u"127.0.0.1"_s << QString() << UdpSession::MaxDatagramIPv4;
    QTest::newRow("0.0.0.0") << u"0.0.0.0"_s << QString() << UdpSession::MaxDatagramIPv4;
    QTest::newRow("::1") << u"::1"_s << QString() << UdpSession::MaxDatagramIPv6;
    QTest::newRow("any to IPv4") << QString() << u"127.0.0.1"_s << UdpSession::MaxDatagramIPv4;
    QTest::newRow("any to IPv6") << QString() << u"::1"_s << UdpSession::MaxDatagramIPv6;
    // Nothing says which family yet: the size that fits both.
    QTest::newRow("any, no target") << QString() << QString() << UdpSession::MaxDatagramIPv4;
}

void TestUdp::maxChunkFollowsDestination()
{
    QFETCH(QString, bind);
    QFETCH(QString, target);
    QFETCH(qint64, expected);

    UdpSession session;
    session.setBindAddress(bind.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(bind));
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    peers::Process peer;
    if (!target.isEmpty()) {
        const auto port = startReceiver(peer, { u"--host"_s, target, u"--count"_s, u"1"_s });
        QVERIFY(port);
        session.setTarget(target, *port);
    }
    QCOMPARE(session.maxChunk(), expected);

    if (!target.isEmpty()) {
        // A chunk of that size really goes.
        QVERIFY2(
            session.send(QByteArray(session.maxChunk(), 'm')), qPrintable(session.errorString()));
        const auto line = peer.waitForLine("rx ");
        QVERIFY(line);
        const auto rx = parseRx(*line);
        QVERIFY(rx);
        QCOMPARE(rx->length, expected);
    }
}

void TestUdp::portInUse_data()
{
    QTest::addColumn<bool>("heldByPython");
    QTest::newRow("held by another session") << false;
    QTest::newRow("held by a python socket") << true;
}

void TestUdp::portInUse()
{
    QFETCH(bool, heldByPython);

    UdpSession holder;
    peers::Process peer;
    quint16 port = 0;
    if (heldByPython) {
        const auto got
            = startReceiver(peer, { u"--host"_s, u"127.0.0.1"_s, u"--timeout"_s, u"20"_s });
        QVERIFY(got);
        port = *got;
    } else {
        holder.setBindAddress(V4);
        holder.start();
        QCOMPARE(holder.state(), Session::State::Active);
        port = holder.localEndpoint().port;
    }

    TrafficLog log;
    UdpSession second;
    second.setLog(&log);
    Recorder recorder(&second);
    QSignalSpy states(&second, &Session::stateChanged);
    second.setBindAddress(V4);
    second.setBindPort(port);
    second.start();
    QCOMPARE(second.state(), Session::State::Idle);
    const QString expected = u"UDP port %1 is already in use (127.0.0.1:%1)"_s.arg(port);
    QCOMPARE(recorder.errors, QStringList { expected });
    QCOMPARE(second.errorString(), expected);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(1).at(0).value<Session::State>(), Session::State::Idle);
    QVERIFY(second.localEndpoint().isNull());
    QVERIFY(entriesOf(log, LogKind::Listening).isEmpty());
    QCOMPARE(entriesOf(log, LogKind::Error).size(), 1);
    if (!heldByPython)
        QCOMPARE(holder.state(), Session::State::Active);
}

void TestUdp::sendWhileNotStarted()
{
    peers::Process peer;
    const auto port = startReceiver(peer, { u"--count"_s, u"1"_s });
    QVERIFY(port);

    UdpSession session;
    Recorder recorder(&session);
    session.setTarget(u"127.0.0.1"_s, *port);
    const QString expected = u"the UDP socket is not bound (start it first)"_s;
    QVERIFY(!session.send("never"));
    QCOMPARE(recorder.errors, QStringList { expected });
    QVERIFY(!session.sendTo({ V4, *port }, "never"));
    QCOMPARE(recorder.errors.size(), 2);

    // Nor after a stop.
    session.setBindAddress(V4);
    session.start();
    session.stop();
    QVERIFY(!session.send("never"));
    QCOMPARE(session.errorString(), expected);
    QCOMPARE(recorder.errors.size(), 3);
    QVERIFY(recorder.sent.empty());

    // Started again it works, and the peer sees only that.
    session.start();
    QVERIFY(session.send("now"));
    QCOMPARE(rxPayload(peer.waitForLine("rx ")), QByteArray("now"));
}

void TestUdp::sendWithoutDestination()
{
    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QVERIFY(!session.send("x"));
    QCOMPARE(recorder.errors, QStringList { u"no destination: set a target host and port"_s });
    QVERIFY(!session.sendTo({ V4, 0 }, "x"));
    QCOMPARE(recorder.errors.last(), u"no destination: give a host and a port"_s);
    QVERIFY(!session.sendTo({}, "x"));
    QCOMPARE(recorder.errors.size(), 3);
    QVERIFY(recorder.sent.empty());
    QCOMPARE(session.state(), Session::State::Active);
}

void TestUdp::familyMismatch_data()
{
    QTest::addColumn<QString>("bind");
    QTest::addColumn<QString>("target");
    QTest::newRow("IPv6 target, IPv4 socket") << u"127.0.0.1"_s << u"::1"_s;
    QTest::newRow("IPv4 target, IPv6 socket") << u"::1"_s << u"127.0.0.1"_s;
    QTest::newRow("IPv4 target, IPv6-only socket") << u"::"_s << u"127.0.0.1"_s;
}

void TestUdp::familyMismatch()
{
    QFETCH(QString, bind);
    QFETCH(QString, target);

    // A real peer on the target, so a datagram that slipped out would show.
    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, target, u"--count"_s, u"1"_s });
    QVERIFY(port);

    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(QHostAddress(bind));
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    session.setTarget(target, *port);
    QVERIFY(!session.send("wrong family"));
    const Endpoint to { QHostAddress(target), *port };
    const QString expected
        = u"cannot send to %1 from a socket bound to %2 (bind to any address)"_s.arg(
            to.toString(), QHostAddress(bind).toString());
    QCOMPARE(recorder.errors, QStringList { expected });
    QVERIFY(recorder.sent.empty());
    QCOMPARE(session.state(), Session::State::Active);

    // The peer gets a marker from a socket of its own family, and only that.
    UdpSession other;
    other.setBindAddress(QHostAddress(target));
    other.start();
    QVERIFY(other.sendTo(to, "marker"));
    QCOMPARE(rxPayload(peer.waitForLine("rx ")), QByteArray("marker"));
}

void TestUdp::portUnreachableKeepsSession()
{
    const quint16 closed = closedPort(V4);
    QVERIFY(closed != 0);
    const auto noPortsBefore = udpNoPorts();

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(session.sendTo({ V4, closed }, "knock"), qPrintable(session.errorString()));

    // A peer speaks after the knocks: by the time its datagram is read, any
    // ICMP answer to them has long been queued on the socket.
    peers::Process speaker;
    QCOMPARE(startSenders(speaker,
                 { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s,
                     u"616c697665"_s, u"--replies"_s, u"1"_s },
                 1)
                 .size(),
        1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QCOMPARE(recorder.received.front().data, QByteArray("alive"));
    QCOMPARE(session.state(), Session::State::Active);
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));

    QVERIFY(session.replyToLast("still here"));
    const auto replies = readReplies(speaker);
    QVERIFY(replies);
    QCOMPARE(replies->front().data, QByteArray("still here"));
    QCOMPARE(session.counters().txPackets, quint64(4));

    // The knocks really met a closed port (the counter is system-wide, so
    // other traffic can only add to it).
    if (const auto noPortsAfter = udpNoPorts(); noPortsBefore && noPortsAfter)
        QVERIFY2(
            *noPortsAfter - *noPortsBefore >= 3, "the kernel saw no datagram to a closed port");
}

void TestUdp::stopFromReceivedSlot()
{
    UdpSession session;
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);
    int seen = 0;
    QObject context;
    connect(&session, &Session::received, &context, [&] {
        ++seen;
        session.stop();
    });

    peers::Process sender;
    QCOMPARE(
        startSenders(sender,
            { u"--port"_s, QString::number(session.localEndpoint().port), u"--count"_s, u"20"_s },
            1)
            .size(),
        1);
    QVERIFY(sender.waitForLine("sent "));
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Idle, 10'000);
    QCOMPARE(seen, 1);
    QCOMPARE(session.counters().rxPackets, quint64(1));
}

void TestUdp::gb2312BothWays()
{
    // 你好，世界 and 中文测试 in GB2312, written out so the expectation does
    // not come from the code under test.
    const QByteArray inbound = QByteArray::fromHex("c4e3bac3a3accac0bde7");
    const QByteArray outbound = QByteArray::fromHex("d6d0cec4b2e2cad4");

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    session.setEncoding(u"GB2312"_s);
    Recorder recorder(&session);
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    peers::Process sender;
    QCOMPARE(startSenders(sender,
                 { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s,
                     QString::fromLatin1(inbound.toHex()) },
                 1)
                 .size(),
        1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QCOMPARE(recorder.received.front().data, inbound); // raw bytes, untouched
    QCOMPARE(entriesOf(log, LogKind::Rx).value(0).data, inbound);
    QCOMPARE(
        TextCodec::decode(recorder.received.front().data, session.encoding()), u"你好，世界"_s);

    peers::Process receiver;
    const auto port
        = startReceiver(receiver, { u"--encoding"_s, u"gb2312"_s, u"--count"_s, u"1"_s });
    QVERIFY(port);
    const BytesResult encoded = TextCodec::encode(u"中文测试", session.encoding());
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    QCOMPARE(encoded.bytes, outbound);
    QVERIFY(session.sendTo({ V4, *port }, encoded.bytes));
    QCOMPARE(rxPayload(receiver.waitForLine("rx ")), outbound);
    // Python's own GB2312 codec reads it back as the same text.
    QCOMPARE(receiver.waitForLine("text ").value_or("(none)"), u"中文测试"_s.toUtf8().toHex());
}

void TestUdp::gb2312TimeServer()
{
    // "%Y年%m月" in GB2312: the session decodes the request in its encoding
    // and answers in it.
    const QByteArray request
        = "%Y" + QByteArray::fromHex("c4ea") + "%m" + QByteArray::fromHex("d4c2");

    UdpSession session;
    session.setEncoding(u"GB2312"_s);
    session.setResponder({ Responder::Mode::TimeServer, {} });
    session.setBindAddress(V4);
    session.start();
    QCOMPARE(session.state(), Session::State::Active);

    const QDate before = QDate::currentDate();
    peers::Process client;
    QCOMPARE(startSenders(client,
                 { u"--port"_s, QString::number(session.localEndpoint().port), u"--payload"_s,
                     QString::fromLatin1(request.toHex()), u"--replies"_s, u"1"_s },
                 1)
                 .size(),
        1);
    const auto replies = readReplies(client);
    QVERIFY2(replies, client.output().constData());
    QCOMPARE(replies->size(), size_t(1));
    const QDate after = QDate::currentDate();

    auto expectedFor = [](QDate date) -> QByteArray {
        return QByteArray::number(date.year()) + QByteArray::fromHex("c4ea")
            + QByteArray::number(date.month()).rightJustified(2, '0') + QByteArray::fromHex("d4c2");
    };
    const QByteArray reply = replies->front().data;
    QVERIFY2(
        reply == expectedFor(before) || reply == expectedFor(after), reply.toHex().constData());
}

QTEST_GUILESS_MAIN(TestUdp)
#include "tst_udp.moc"
