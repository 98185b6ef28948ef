// TcpClientSession against real servers: the Python peers in tests/peers/
// (tcp_server.py, tcp_full_backlog.py) and sockets the test binds itself, all
// on loopback with ports chosen by the kernel.

#include "sessiontest.h"
#include "testsupport.h"

#include "net/log/trafficlog.h"
#include "net/tcp/tcpclientsession.h"

#include <QSignalSpy>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// A TCP socket of the test's own, bound to a loopback port and never
// listening: connections to it are refused.
class BoundSocket
{
public:
    explicit BoundSocket(int family = AF_INET)
    {
        m_fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return;
        sockaddr_storage storage {};
        socklen_t length = 0;
        if (family == AF_INET6) {
            auto *address = reinterpret_cast<sockaddr_in6 *>(&storage);
            address->sin6_family = AF_INET6;
            address->sin6_addr = in6addr_loopback;
            length = sizeof(sockaddr_in6);
        } else {
            auto *address = reinterpret_cast<sockaddr_in *>(&storage);
            address->sin_family = AF_INET;
            address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            length = sizeof(sockaddr_in);
        }
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&storage), length) != 0
            || ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0) {
            close();
            return;
        }
        const in_port_t port = family == AF_INET6
            ? reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port
            : reinterpret_cast<sockaddr_in *>(&storage)->sin_port;
        m_port = ntohs(port);
    }
    ~BoundSocket() { close(); }
    BoundSocket(const BoundSocket &) = delete;
    BoundSocket &operator=(const BoundSocket &) = delete;

    quint16 port() const { return m_port; }
    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

// tcp_server.py with the port it printed.
struct ServerPeer
{
    peers::Process process;
    quint16 port = 0;

    bool start(const QStringList &arguments)
    {
        port = peers::startPeer(process, u"tcp_server.py"_s, arguments).value_or(0);
        return port != 0;
    }
    void command(const char *verb, const QByteArray &data = {})
    {
        process.write(peers::command(verb, data));
    }
    // The client port of the next 'accepted HOST PORT' line.
    std::optional<std::pair<QHostAddress, quint16>> accepted()
    {
        const auto line = process.waitForLine("accepted ");
        if (!line)
            return std::nullopt;
        const QList<QByteArray> fields = line->split(' ');
        if (fields.size() != 2)
            return std::nullopt;
        return std::pair { QHostAddress(QString::fromLatin1(fields.at(0))),
            fields.at(1).toUShort() };
    }
    // Bytes of 'got HEX' lines until size bytes came; any other line or
    // the time running out ends the wait early.
    QByteArray got(qsizetype size, int timeoutMs = 10'000)
    {
        return peers::gotBytes(process, size, timeoutMs);
    }
};

bool logHas(const TrafficLog &log, LogKind kind, const QByteArray &containing = {})
{
    for (qsizetype i = 0; i < log.size(); ++i) {
        if (log.at(i).kind == kind && log.at(i).data.contains(containing))
            return true;
    }
    return false;
}

// True when some socket is in SYN-SENT towards this loopback port.
bool hasSynSentTo(quint16 port)
{
    constexpr int TcpSynSent = 0x02;
    QFile file(u"/proc/net/tcp"_s);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 4)
            continue;
        const QByteArray remote = fields.at(2);
        bool ok = false;
        const uint remotePort = remote.mid(remote.lastIndexOf(':') + 1).toUInt(&ok, 16);
        if (ok && remotePort == port && fields.at(3).toInt(nullptr, 16) == TcpSynSent)
            return true;
    }
    return false;
}

// True when a connection from this local port is established.
bool isEstablished(quint16 localPort)
{
    constexpr int TcpEstablished = 0x01;
    for (const auto *path : { "/proc/net/tcp", "/proc/net/tcp6" }) {
        QFile file(QString::fromLatin1(path));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (const QByteArray &line : lines) {
            const QList<QByteArray> fields = line.simplified().split(' ');
            if (fields.size() < 4)
                continue;
            const QByteArray local = fields.at(1);
            bool ok = false;
            const uint port = local.mid(local.lastIndexOf(':') + 1).toUInt(&ok, 16);
            if (ok && port == localPort && fields.at(3).toInt(nullptr, 16) == TcpEstablished)
                return true;
        }
    }
    return false;
}

} // namespace

class TestTcpClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectSendReceive_data();
    void connectSendReceive();
    void hostName();
    void startWithoutRemote();
    void connectionRefused();
    void connectTimeout();
    void closedVersusReset_data();
    void closedVersusReset();
    void autoReconnect();
    void localAddressAndPort_data();
    void localAddressAndPort();
    void localPortInUse();
    void stopWhileConnecting();
    void stopWhileConnected();
    void stopWhilePeerDoesNotRead();
    void stopTwiceWhileDataQueued();
    void sendWhenNotConnected();
    void dataArrivingWithFin_data();
    void dataArrivingWithFin();
};

void TestTcpClient::connectSendReceive_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("IPv4") << u"127.0.0.1"_s;
    QTest::newRow("IPv6") << u"::1"_s;
}

void TestTcpClient::connectSendReceive()
{
    QFETCH(QString, host);

    ServerPeer server;
    QVERIFY(server.start({ u"--host"_s, host, u"--echo"_s }));

    TrafficLog log;
    TcpClientSession client;
    client.setLog(&log);
    SessionRecorder events(client);
    client.setRemote(host, server.port);
    QCOMPARE(client.reconnectDelay(), 0);
    client.start();
    QCOMPARE(client.state(), Session::State::Starting);
    QTRY_COMPARE(client.state(), Session::State::Active);
    QCOMPARE(events.states,
        (QList<Session::State> { Session::State::Starting, Session::State::Active }));
    QCOMPARE(events.connected.size(), 1);
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));

    const auto accepted = server.accepted();
    QVERIFY(accepted);
    const Endpoint expectedPeer { QHostAddress(host), server.port };
    QCOMPARE(events.peers.constFirst(), expectedPeer);
    QCOMPARE(client.peerEndpoint(), expectedPeer);
    QCOMPARE(client.localEndpoint().port, accepted->second);
    QVERIFY(
        client.localEndpoint().address.isEqual(accepted->first, QHostAddress::StrictConversion));
    QVERIFY(logHas(log, LogKind::Connected));

    QVERIFY(client.send("hello\n"));
    QCOMPARE(server.got(6), QByteArray("hello\n"));
    QTRY_COMPARE(events.rx, QByteArray("hello\n"));
    QCOMPARE(events.tx, QByteArray("hello\n"));
    QVERIFY(client.send("second"));
    QTRY_COMPARE(events.rx, QByteArray("hello\nsecond"));
    for (const quint64 id : std::as_const(events.rxIds))
        QCOMPARE(id, events.connected.constFirst());

    const Counters counters = client.counters();
    QCOMPARE(counters.txBytes, quint64(12));
    QCOMPARE(counters.txPackets, quint64(2));
    QCOMPARE(counters.rxBytes, quint64(12));
    QVERIFY(counters.rxPackets >= 2);
    QVERIFY(logHas(log, LogKind::Tx, "hello\n"));
    QVERIFY(logHas(log, LogKind::Rx, "second"));
    QCOMPARE(client.pendingBytes(), qint64(0));

    client.stop();
    QTRY_COMPARE(client.state(), Session::State::Idle);
    QVERIFY(server.process.waitForLine("eof"));
    QCOMPARE(events.reasons, QStringList { u"closed by us"_s });
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
    QCOMPARE(client.localEndpoint(), Endpoint());
}

void TestTcpClient::hostName()
{
    // Listens on IPv4 only: if "localhost" resolves to ::1 first, that
    // attempt is refused and the next address must be tried.
    ServerPeer server;
    QVERIFY(server.start({ u"--host"_s, u"127.0.0.1"_s, u"--echo"_s }));

    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"localhost"_s, server.port);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    QVERIFY(server.accepted());
    QCOMPARE(
        client.peerEndpoint(), (Endpoint { QHostAddress(QHostAddress::LocalHost), server.port }));
    QVERIFY(client.send("by name\n"));
    QTRY_COMPARE(events.rx, QByteArray("by name\n"));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
}

void TestTcpClient::startWithoutRemote()
{
    TcpClientSession client;
    SessionRecorder events(client);
    client.start();
    QCOMPARE(client.state(), Session::State::Idle);
    QVERIFY2(client.errorString().contains(u"no remote host"), qPrintable(client.errorString()));

    client.setRemote(u"127.0.0.1"_s, 0);
    client.start();
    QCOMPARE(client.state(), Session::State::Idle);
    QVERIFY2(client.errorString().contains(u"no remote port"), qPrintable(client.errorString()));
    QCOMPARE(events.errors.size(), 2);
    QVERIFY(events.states.isEmpty());
}

void TestTcpClient::connectionRefused()
{
    BoundSocket closedPort;
    QVERIFY(closedPort.port() != 0);

    TrafficLog log;
    TcpClientSession client;
    client.setLog(&log);
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, closedPort.port());
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Idle);
    QCOMPARE(
        events.states, (QList<Session::State> { Session::State::Starting, Session::State::Idle }));
    QCOMPARE(events.errors.size(), 1);
    QVERIFY2(client.errorString().contains(u"refused"), qPrintable(client.errorString()));
    QVERIFY2(client.errorString().contains(QString::number(closedPort.port())),
        qPrintable(client.errorString()));
    QVERIFY(events.connected.isEmpty());
    QVERIFY(events.disconnected.isEmpty());
    QVERIFY(logHas(log, LogKind::Error, "refused"));
    QCOMPARE(client.reconnectDelay(), 0);
}

void TestTcpClient::connectTimeout()
{
    peers::Process backlog;
    QVERIFY(backlog.startScript(u"tcp_full_backlog.py"_s, {}));
    const auto portText = backlog.waitForLine("port ");
    QVERIFY2(portText, backlog.errors().constData());
    QVERIFY(backlog.waitForLine("filled"));

    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, portText->toUShort());
    client.setConnectTimeout(500);
    QElapsedTimer clock;
    clock.start();
    client.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.state() != Session::State::Starting, 5000);
    const qint64 elapsed = clock.elapsed();
    if (!events.connected.isEmpty())
        QSKIP("this kernel completed a handshake despite a full accept queue");
    QCOMPARE(client.state(), Session::State::Idle);
    QCOMPARE(events.errors.size(), 1);
    QVERIFY2(client.errorString().contains(u"timed out"), qPrintable(client.errorString()));
    QVERIFY2(client.errorString().contains(u"500 ms"), qPrintable(client.errorString()));
    QVERIFY2(elapsed >= 450, qPrintable(QString::number(elapsed)));
    QCOMPARE(
        events.states, (QList<Session::State> { Session::State::Starting, Session::State::Idle }));
}

void TestTcpClient::closedVersusReset_data()
{
    QTest::addColumn<QByteArray>("how");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("isError");
    QTest::newRow("clean close") << QByteArray("close") << u"closed by peer"_s << false;
    QTest::newRow("reset") << QByteArray("reset") << u"connection reset by peer"_s << true;
}

void TestTcpClient::closedVersusReset()
{
    QFETCH(QByteArray, how);
    QFETCH(QString, reason);
    QFETCH(bool, isError);

    ServerPeer server;
    QVERIFY(server.start({}));
    TrafficLog log;
    TcpClientSession client;
    client.setLog(&log);
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    QVERIFY(server.accepted());
    // The server reads what we sent, so its close is a plain FIN (unread data
    // would make the kernel send a reset instead).
    QVERIFY(client.send("ping\n"));
    QCOMPARE(server.got(5), QByteArray("ping\n"));

    server.command(how.constData());
    QTRY_COMPARE(client.state(), Session::State::Idle);
    QCOMPARE(events.reasons, QStringList { reason });
    QCOMPARE(events.disconnected, events.connected);
    if (isError) {
        QCOMPARE(events.errors.size(), 1);
        QVERIFY2(
            events.errors.constFirst().contains(u"reset"), qPrintable(events.errors.constFirst()));
        // The error comes after the disconnection it explains.
        QVERIFY(events.sequence.indexOf(u"error"_s) > events.sequence.indexOf(u"disconnected"_s));
    } else {
        QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
    }
    QVERIFY(logHas(log, LogKind::Disconnected, reason.toUtf8()));
    QCOMPARE(client.reconnectDelay(), 0);
}

void TestTcpClient::autoReconnect()
{
    ServerPeer server;
    QVERIFY(server.start({}));
    TrafficLog log;
    TcpClientSession client;
    client.setLog(&log);
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.setAutoReconnect(true);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    const auto first = server.accepted();
    QVERIFY(first);

    // The server drops the connection: the client waits, then comes back.
    server.command("close");
    QTRY_COMPARE(events.disconnected.size(), 1);
    QCOMPARE(events.reasons.constFirst(), u"closed by peer"_s);
    QCOMPARE(client.state(), Session::State::Starting);
    const int delay = client.reconnectDelay();
    QVERIFY2(delay > 0 && delay <= 500, qPrintable(QString::number(delay)));
    QTRY_COMPARE_WITH_TIMEOUT(events.connected.size(), 2, 5000);
    QCOMPARE(client.state(), Session::State::Active);
    QCOMPARE(client.reconnectDelay(), 0);
    const auto second = server.accepted();
    QVERIFY(second);
    QVERIFY(second->second != first->second);
    QVERIFY(events.connected.at(1) != events.connected.at(0));
    QVERIFY(client.send("back\n"));
    QCOMPARE(server.got(5), QByteArray("back\n"));

    // With the server gone for good the client keeps trying, waiting longer
    // each time, and never gives up into Idle.
    server.command("quit");
    QVERIFY(server.process.waitForLine("bye"));
    QTRY_COMPARE(events.disconnected.size(), 2);
    QList<int> delays;
    const bool grew = peers::waitUntil(
        [&] {
            const int now = client.reconnectDelay();
            if (now > 0 && (delays.isEmpty() || delays.constLast() != now))
                delays.append(now);
            return delays.size() >= 3;
        },
        10'000);
    QStringList seen;
    for (const int d : std::as_const(delays))
        seen.append(QString::number(d));
    QVERIFY2(grew, qPrintable(u"delays seen: "_s + seen.join(u',')));
    QCOMPARE(delays, (QList<int> { 500, 1000, 2000 }));
    QCOMPARE(client.state(), Session::State::Starting);
    QVERIFY(!events.states.contains(Session::State::Idle));
    QVERIFY(events.errors.size() >= 2);
    QVERIFY2(events.errors.constLast().contains(u"refused"), qPrintable(events.errors.constLast()));
    QVERIFY(logHas(log, LogKind::Info, "reconnecting in 2000 ms"));

    client.stop();
    QCOMPARE(client.state(), Session::State::Idle);
    QCOMPARE(client.reconnectDelay(), 0);
}

void TestTcpClient::localAddressAndPort_data()
{
    QTest::addColumn<QHostAddress>("localAddress");
    QTest::newRow("127.0.0.1 and port") << QHostAddress(QHostAddress::LocalHost);
    QTest::newRow("port only") << QHostAddress();
}

void TestTcpClient::localAddressAndPort()
{
    QFETCH(QHostAddress, localAddress);

    // A port that was free a moment ago (never connected, so no TIME_WAIT).
    quint16 localPort = 0;
    {
        BoundSocket throwaway;
        localPort = throwaway.port();
    }
    QVERIFY(localPort != 0);

    ServerPeer server;
    QVERIFY(server.start({}));
    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.setLocalAddress(localAddress);
    client.setLocalPort(localPort);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    const auto accepted = server.accepted();
    QVERIFY(accepted);
    QCOMPARE(accepted->second, localPort);
    QCOMPARE(accepted->first, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(
        client.localEndpoint(), (Endpoint { QHostAddress(QHostAddress::LocalHost), localPort }));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
}

void TestTcpClient::localPortInUse()
{
    ServerPeer server;
    QVERIFY(server.start({}));
    // Held by a socket of ours: the session cannot bind it.
    BoundSocket holder;
    QVERIFY(holder.port() != 0);

    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.setLocalAddress(QHostAddress::LocalHost);
    client.setLocalPort(holder.port());
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Idle);
    QCOMPARE(events.errors.size(), 1);
    QVERIFY2(client.errorString().contains(u"already in use"), qPrintable(client.errorString()));
    QVERIFY(events.connected.isEmpty());
}

void TestTcpClient::stopWhileConnecting()
{
    peers::Process backlog;
    QVERIFY(backlog.startScript(u"tcp_full_backlog.py"_s, {}));
    const auto portText = backlog.waitForLine("port ");
    QVERIFY(portText);
    QVERIFY(backlog.waitForLine("filled"));

    TcpClientSession client;
    SessionRecorder events(client);
    QSignalSpy errorSpy(&client, &Session::errorOccurred);
    client.setRemote(u"127.0.0.1"_s, portText->toUShort());
    client.setConnectTimeout(300);
    client.setAutoReconnect(true);
    client.start();
    QCOMPARE(client.state(), Session::State::Starting);
    // The connect is under way: our SYN goes unanswered.
    QVERIFY(peers::waitUntil([&] { return hasSynSentTo(portText->toUShort()); }, 5000));
    if (!events.connected.isEmpty())
        QSKIP("this kernel completed a handshake despite a full accept queue");

    client.stop();
    QCOMPARE(client.state(), Session::State::Idle);
    QCOMPARE(events.states.constLast(), Session::State::Idle);
    // Neither the connect timeout nor a reconnection fires after the stop.
    QVERIFY(!errorSpy.wait(800));
    QCOMPARE(client.state(), Session::State::Idle);
    QCOMPARE(client.reconnectDelay(), 0);
    QVERIFY(events.connected.isEmpty());
}

void TestTcpClient::stopWhileConnected()
{
    ServerPeer server;
    QVERIFY(server.start({}));
    TrafficLog log;
    TcpClientSession client;
    client.setLog(&log);
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.setAutoReconnect(true); // a stop is not a loss: no reconnection
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    QVERIFY(server.accepted());
    QVERIFY(client.send("last words\n"));
    events.states.clear();

    client.stop();
    QTRY_COMPARE(client.state(), Session::State::Idle);
    QCOMPARE(
        events.states, (QList<Session::State> { Session::State::Stopping, Session::State::Idle }));
    QCOMPARE(events.reasons, QStringList { u"closed by us"_s });
    // Queued data still went out before the FIN.
    QCOMPARE(server.got(11), QByteArray("last words\n"));
    QCOMPARE(server.process.readLine(), QByteArray("eof"));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
    QCOMPARE(client.reconnectDelay(), 0);

    // Stopping again is harmless; starting again connects again.
    client.stop();
    QCOMPARE(client.state(), Session::State::Idle);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    QVERIFY(server.accepted());
}

void TestTcpClient::stopWhilePeerDoesNotRead()
{
    ServerPeer server;
    QVERIFY(server.start({}));
    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    const auto accepted = server.accepted();
    QVERIFY(accepted);
    server.command("pause");
    QVERIFY(server.process.waitForLine("paused"));

    // More than the kernel buffers hold, so the stop has to wait for it...
    QVERIFY(client.send(QByteArray(32 * 1024 * 1024, 'x')));
    QVERIFY(client.pendingBytes() > 0);
    QElapsedTimer clock;
    clock.start();
    client.stop();
    QCOMPARE(client.state(), Session::State::Stopping);

    // ...but not forever: the peer never reads, so the session aborts.
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Session::State::Idle, 10'000);
    QVERIFY2(clock.elapsed() >= 1000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(events.reasons, QStringList { u"closed by us"_s });
    QVERIFY(peers::waitUntil([&] { return !isEstablished(accepted->second); }));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
}

void TestTcpClient::stopTwiceWhileDataQueued()
{
    ServerPeer server;
    QVERIFY(server.start({}));
    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    const auto accepted = server.accepted();
    QVERIFY(accepted);
    server.command("pause");
    QVERIFY(server.process.waitForLine("paused"));
    QVERIFY(client.send(QByteArray(32 * 1024 * 1024, 'x')));
    client.stop();
    QCOMPARE(client.state(), Session::State::Stopping);

    // A second stop means now: the connection ends, and is reported as ended.
    client.stop();
    QCOMPARE(client.state(), Session::State::Idle);
    QCOMPARE(events.reasons, QStringList { u"closed by us"_s });
    QCOMPARE(events.disconnected, events.connected);
    QCOMPARE(client.pendingBytes(), qint64(0));
    QVERIFY2(peers::waitUntil([&] { return !isEstablished(accepted->second); }),
        "the connection is still open in the kernel");

    // The server sees the end once it reads again.
    server.command("drain");
    QVERIFY(server.process.waitForLine("drained ", 20'000));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
}

void TestTcpClient::sendWhenNotConnected()
{
    TcpClientSession client;
    SessionRecorder events(client);
    QVERIFY(!client.send("nowhere"));
    QCOMPARE(client.errorString(), u"not connected"_s);
    QCOMPARE(events.errors, QStringList { u"not connected"_s });
    QVERIFY(events.tx.isEmpty());
    QCOMPARE(client.counters().txBytes, quint64(0));

    // Nor while the connection is still being made.
    BoundSocket closedPort;
    client.setRemote(u"127.0.0.1"_s, closedPort.port());
    client.start();
    QVERIFY(!client.send("early"));
    QTRY_COMPARE(client.state(), Session::State::Idle);
    QVERIFY(!client.send("after"));
    QCOMPARE(client.errorString(), u"not connected"_s);
    QVERIFY(events.tx.isEmpty());
}

void TestTcpClient::dataArrivingWithFin_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("small") << QByteArray("goodbye\n");
    QByteArray large(256 * 1024, '\0');
    for (qsizetype i = 0; i < large.size(); ++i)
        large[i] = char(i % 251);
    QTest::newRow("256 KiB") << large;
}

void TestTcpClient::dataArrivingWithFin()
{
    QFETCH(QByteArray, payload);

    ServerPeer server;
    QVERIFY(server.start({}));
    TcpClientSession client;
    SessionRecorder events(client);
    client.setRemote(u"127.0.0.1"_s, server.port);
    client.start();
    QTRY_COMPARE(client.state(), Session::State::Active);
    QVERIFY(server.accepted());

    server.command("sendclose", payload);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Session::State::Idle, 10'000);
    QCOMPARE(events.rx.size(), payload.size());
    QCOMPARE(events.rx, payload);
    // All of it was announced before the disconnection.
    QCOMPARE(events.rxAtDisconnect, QList<qsizetype> { payload.size() });
    QCOMPARE(events.reasons, QStringList { u"closed by peer"_s });
    QCOMPARE(client.counters().rxBytes, quint64(payload.size()));
    QVERIFY2(events.errors.isEmpty(), qPrintable(events.errors.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestTcpClient)
#include "tst_tcpclient.moc"
