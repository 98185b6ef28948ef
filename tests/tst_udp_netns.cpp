// UdpSession multicast and broadcast, and failures that need a network of
// their own. Runs only inside the private network namespace that
// tests/run_in_netns.sh sets up (a veth pair sl0/sl1 with 10.77.0.1/24 on
// sl0, IPv4 groups routed to lo): every address used here exists only there.

#include "net/log/trafficlog.h"
#include "net/udp/udpsession.h"
#include "sessiontest.h"
#include "testsupport.h"

#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <optional>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;
using peers::parseRx;
using peers::toPort;

char *toString(const Endpoint &endpoint)
{
    return QTest::toString(endpoint.toString());
}

namespace {

const QHostAddress GroupV4 { u"239.77.0.1"_s };
const QHostAddress GroupV6 { u"ff12::77"_s };

using Datagram = RecordedData;
using Recorder = SessionRecorder;

std::optional<quint16> startReceiver(peers::Process &peer, const QStringList &arguments)
{
    return peers::startPeer(peer, u"udp_receiver.py"_s, arguments);
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

QStringList infoTexts(const TrafficLog &log)
{
    QStringList texts;
    for (const LogEntry &entry : entriesOf(log, LogKind::Info))
        texts.append(QString::fromUtf8(entry.data));
    return texts;
}

QHostAddress withoutScope(QHostAddress address)
{
    address.setScopeId(QString());
    return address;
}

// "net:[INODE]": which network namespace a process is in.
QByteArray namespaceOf(const QByteArray &link)
{
    QByteArray target(128, '\0');
    const ssize_t length = ::readlink(link.constData(), target.data(), size_t(target.size()));
    return length > 0 ? target.first(length) : QByteArray();
}

// "" is any (both families), otherwise an address literal.
QHostAddress bindAddress(const QString &text)
{
    return text.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(text);
}

} // namespace

class TestUdpNetns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void multicastIPv4_data();
    void multicastIPv4();
    void multicastIPv6_data();
    void multicastIPv6();
    void multicastTtlAndLoopback_data();
    void multicastTtlAndLoopback();
    void groupsJoinedAgainAfterRestart();
    void joinRefusedClearly_data();
    void joinRefusedClearly();
    void unknownMulticastInterface();
    void broadcast_data();
    void broadcast();
    void sendFailureReportedOnce();
    void unknownHostName();

private:
    // Leaves the group; checks that a datagram to it no longer arrives.
    void leaveStopsDelivery(UdpSession &receiver, const TrafficLog &log, Recorder &recorder,
        const QHostAddress &group, const QHostAddress &unicast);

    QString m_interface;
    QHostAddress m_ipv4;
    QHostAddress m_broadcast;
    QHostAddress m_ipv6;
    QHostAddress m_linkLocal;
};

void TestUdpNetns::initTestCase()
{
    // Broadcast and multicast leave the machine anywhere but in a namespace
    // of the test's own: refuse to run unless this process is in another
    // network namespace than the one that started it.
    const QByteArray own = namespaceOf("/proc/self/ns/net");
    const QByteArray parent = namespaceOf("/proc/" + QByteArray::number(::getppid()) + "/ns/net");
    m_interface = qEnvironmentVariable("SOCKLAB_NETNS_IF");
    if (own.isEmpty() || parent.isEmpty() || own == parent || m_interface.isEmpty())
        QSKIP("not in a private network namespace: run it through tests/run_in_netns.sh");
    m_ipv4 = QHostAddress(qEnvironmentVariable("SOCKLAB_NETNS_IPV4"));
    m_broadcast = QHostAddress(qEnvironmentVariable("SOCKLAB_NETNS_BROADCAST"));
    m_ipv6 = QHostAddress(qEnvironmentVariable("SOCKLAB_NETNS_IPV6"));
    m_linkLocal = QHostAddress(qEnvironmentVariable("SOCKLAB_NETNS_LINK_LOCAL"));
    QVERIFY(!m_ipv4.isNull() && !m_broadcast.isNull() && !m_ipv6.isNull() && !m_linkLocal.isNull());
    const QNetworkInterface interface = QNetworkInterface::interfaceFromName(m_interface);
    QVERIFY2(interface.isValid(), qPrintable(m_interface));
    QVERIFY(interface.flags().testFlag(QNetworkInterface::IsUp));
}

void TestUdpNetns::init()
{
    QTest::failOnWarning(QRegularExpression(u".+"_s));
}

void TestUdpNetns::leaveStopsDelivery(UdpSession &receiver, const TrafficLog &log,
    Recorder &recorder, const QHostAddress &group, const QHostAddress &unicast)
{
    const quint16 port = receiver.localEndpoint().port;
    recorder.received.clear();
    QVERIFY(receiver.leaveGroup(group));
    QVERIFY(receiver.groups().isEmpty());
    QVERIFY(infoTexts(log).contains(u"left multicast group "_s + group.toString()));

    // One sender, on the interface: first to the group, then straight to the
    // receiver. Had the first been delivered, it would be read first.
    UdpSession sender;
    sender.setBindAddress(group.protocol() == QAbstractSocket::IPv4Protocol
            ? QHostAddress(QHostAddress::AnyIPv4)
            : QHostAddress(QHostAddress::AnyIPv6));
    sender.setMulticastInterface(m_interface);
    sender.start();
    QCOMPARE(sender.state(), Session::State::Active);
    QVERIFY(sender.sendTo({ group, port }, "after leaving"));
    QVERIFY(sender.sendTo({ unicast, port }, "marker"));
    QTRY_VERIFY_WITH_TIMEOUT(!recorder.received.empty(), 10'000);
    QCOMPARE(recorder.received.front().data, QByteArray("marker"));
    QCOMPARE(recorder.received.size(), size_t(1));
}

void TestUdpNetns::multicastIPv4_data()
{
    QTest::addColumn<QString>("receiverBind");
    QTest::addColumn<QString>("senderBind"); // "python": a python socket
    QTest::addColumn<bool>("chooseInterface");

    QTest::newRow("on sl0, receiver any, sender 0.0.0.0") << QString() << u"0.0.0.0"_s << true;
    QTest::newRow("on sl0, receiver any, sender any") << QString() << QString() << true;
    QTest::newRow("on sl0, receiver 0.0.0.0, sender 10.77.0.1")
        << u"0.0.0.0"_s << u"10.77.0.1"_s << true;
    QTest::newRow("on sl0, python sender") << QString() << u"python"_s << true;
    QTest::newRow("system's choice (lo)") << QString() << u"0.0.0.0"_s << false;
}

void TestUdpNetns::multicastIPv4()
{
    QFETCH(QString, receiverBind);
    QFETCH(QString, senderBind);
    QFETCH(bool, chooseInterface);

    TrafficLog log;
    UdpSession receiver(u"group-member"_s);
    receiver.setLog(&log);
    Recorder recorder(&receiver);
    receiver.setBindAddress(bindAddress(receiverBind));
    if (chooseInterface)
        receiver.setMulticastInterface(m_interface);
    QVERIFY(receiver.joinGroup(GroupV4)); // joined when started
    QCOMPARE(receiver.groups(), QList<QHostAddress> { GroupV4 });
    receiver.start();
    QCOMPARE(receiver.state(), Session::State::Active);
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));
    // "Any" with IPv4 groups only is bound as IPv4's any, where Qt can join.
    QCOMPARE(receiver.localEndpoint().address, QHostAddress(QHostAddress::AnyIPv4));
    QVERIFY(infoTexts(log).contains(u"joined multicast group 239.77.0.1"_s));
    const quint16 port = receiver.localEndpoint().port;

    const QByteArray payload = "to the group";
    UdpSession sender;
    peers::Process python;
    quint16 sourcePort = 0;
    if (senderBind == u"python") {
        QVERIFY(python.startScript(u"udp_senders.py"_s,
            { u"--host"_s, GroupV4.toString(), u"--port"_s, QString::number(port), u"--bind"_s,
                u"0.0.0.0"_s, u"--interface"_s, m_interface, u"--payload"_s,
                QString::fromLatin1(payload.toHex()) }));
        sourcePort = toPort(python.waitForLine("src 0 ")).value_or(0);
        QVERIFY(sourcePort != 0);
    } else {
        sender.setBindAddress(bindAddress(senderBind));
        if (chooseInterface)
            sender.setMulticastInterface(m_interface);
        sender.start();
        QCOMPARE(sender.state(), Session::State::Active);
        sender.setTarget(GroupV4.toString(), port);
        QVERIFY2(sender.send(payload), qPrintable(sender.errorString()));
        sourcePort = sender.localEndpoint().port;
    }
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    const Datagram &got = recorder.received.front();
    QCOMPARE(got.data, payload);
    // It went out where it was sent: sl0 (source 10.77.0.1) or, by the
    // route, lo (source 127.0.0.1).
    QCOMPARE(got.peer,
        (Endpoint {
            chooseInterface ? m_ipv4 : QHostAddress(QHostAddress::LocalHost), sourcePort }));

    leaveStopsDelivery(receiver, log, recorder, GroupV4,
        chooseInterface ? m_ipv4 : QHostAddress(QHostAddress::LocalHost));
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));
}

void TestUdpNetns::multicastIPv6_data()
{
    QTest::addColumn<QString>("receiverBind");
    QTest::addColumn<QString>("senderBind");

    QTest::newRow("receiver any, sender any") << QString() << QString();
    QTest::newRow("receiver ::, sender ::") << u"::"_s << u"::"_s;
    QTest::newRow("receiver any, sender fd77::1") << QString() << u"fd77::1"_s;
    QTest::newRow("python sender") << u"::"_s << u"python"_s;
}

void TestUdpNetns::multicastIPv6()
{
    QFETCH(QString, receiverBind);
    QFETCH(QString, senderBind);

    TrafficLog log;
    UdpSession receiver;
    receiver.setLog(&log);
    Recorder recorder(&receiver);
    receiver.setBindAddress(bindAddress(receiverBind));
    receiver.setMulticastInterface(m_interface);
    receiver.start();
    QCOMPARE(receiver.state(), Session::State::Active);
    QVERIFY(receiver.joinGroup(GroupV6)); // joined at once
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));
    QVERIFY(infoTexts(log).contains(u"joined multicast group ff12::77"_s));
    const quint16 port = receiver.localEndpoint().port;

    const QByteArray payload = "to the IPv6 group";
    UdpSession sender;
    peers::Process python;
    quint16 sourcePort = 0;
    if (senderBind == u"python") {
        QVERIFY(python.startScript(u"udp_senders.py"_s,
            { u"--host"_s, GroupV6.toString(), u"--port"_s, QString::number(port), u"--bind"_s,
                u"::"_s, u"--interface"_s, m_interface, u"--payload"_s,
                QString::fromLatin1(payload.toHex()) }));
        sourcePort = toPort(python.waitForLine("src 0 ")).value_or(0);
        QVERIFY(sourcePort != 0);
    } else {
        sender.setBindAddress(bindAddress(senderBind));
        sender.setMulticastInterface(m_interface);
        sender.start();
        QCOMPARE(sender.state(), Session::State::Active);
        sender.setTarget(u"[ff12::77]"_s, port);
        QVERIFY2(sender.send(payload), qPrintable(sender.errorString()));
        sourcePort = sender.localEndpoint().port;
    }
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    const Datagram &got = recorder.received.front();
    QCOMPARE(got.data, payload);
    QCOMPARE(got.peer.port, sourcePort);
    const QHostAddress from = withoutScope(got.peer.address);
    QVERIFY2(from == m_linkLocal || from == m_ipv6, qPrintable(got.peer.toString()));

    leaveStopsDelivery(receiver, log, recorder, GroupV6, m_ipv6);
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));
}

void TestUdpNetns::multicastTtlAndLoopback_data()
{
    QTest::addColumn<QString>("senderBind");
    QTest::addColumn<QHostAddress>("group");

    QTest::newRow("IPv4 from 0.0.0.0") << u"0.0.0.0"_s << GroupV4;
    // A socket of both families: Qt sets only the IPv6 options on it.
    QTest::newRow("IPv4 from any") << QString() << GroupV4;
    QTest::newRow("IPv6 from ::") << u"::"_s << GroupV6;
    QTest::newRow("IPv6 from any") << QString() << GroupV6;
}

void TestUdpNetns::multicastTtlAndLoopback()
{
    QFETCH(QString, senderBind);
    QFETCH(QHostAddress, group);
    const bool v4 = group.protocol() == QAbstractSocket::IPv4Protocol;

    // A python member of the group, on sl0 only, that reports the TTL (hop
    // limit) each datagram came with.
    peers::Process member;
    const auto port = startReceiver(member,
        { u"--host"_s, v4 ? u"0.0.0.0"_s : u"::"_s, u"--group"_s, group.toString(),
            u"--interface"_s, m_interface, u"--ttl"_s, u"--count"_s, u"2"_s });
    QVERIFY(port);

    UdpSession sender;
    Recorder recorder(&sender);
    sender.setBindAddress(bindAddress(senderBind));
    sender.setMulticastInterface(m_interface);
    sender.setMulticastTtl(7);
    sender.start();
    QCOMPARE(sender.state(), Session::State::Active);
    QVERIFY(sender.sendTo({ group, *port }, "ttl seven"));
    const auto first = parseRx(member.waitForLine("rx "));
    QVERIFY(first);
    QCOMPARE(first->data, QByteArray("ttl seven"));
    QCOMPARE(first->ttl, 7);

    // With loopback off nothing reaches a member on this machine: the
    // unicast marker that follows is the next thing the member reads.
    UdpSession quiet;
    quiet.setBindAddress(bindAddress(senderBind));
    quiet.setMulticastInterface(m_interface);
    quiet.setMulticastLoopback(false);
    quiet.start();
    QCOMPARE(quiet.state(), Session::State::Active);
    QVERIFY(quiet.sendTo({ group, *port }, "not looped back"));
    QVERIFY(quiet.sendTo({ v4 ? m_ipv4 : m_ipv6, *port }, "marker"));
    const auto second = parseRx(member.waitForLine("rx "));
    QVERIFY(second);
    QCOMPARE(second->data, QByteArray("marker"));
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(u"; ")));
}

void TestUdpNetns::groupsJoinedAgainAfterRestart()
{
    TrafficLog log;
    UdpSession receiver;
    receiver.setLog(&log);
    Recorder recorder(&receiver);
    receiver.setBindAddress(QHostAddress::AnyIPv4);
    receiver.setMulticastInterface(m_interface);
    QVERIFY(receiver.joinGroup(GroupV4));
    receiver.start();
    receiver.stop();
    receiver.start();
    QCOMPARE(receiver.state(), Session::State::Active);
    QCOMPARE(infoTexts(log).count(u"joined multicast group 239.77.0.1"_s), 2);

    UdpSession sender;
    sender.setBindAddress(QHostAddress::AnyIPv4);
    sender.setMulticastInterface(m_interface);
    sender.start();
    QVERIFY(sender.sendTo({ GroupV4, receiver.localEndpoint().port }, "again"));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QCOMPARE(recorder.received.front().data, QByteArray("again"));
    QVERIFY(recorder.errors.isEmpty());
}

void TestUdpNetns::joinRefusedClearly_data()
{
    QTest::addColumn<QString>("bind");
    QTest::addColumn<QHostAddress>("group");
    QTest::addColumn<QString>("expected");

    QTest::newRow("IPv4 group, socket of both families")
        << QString() << GroupV4
        << u"cannot join IPv4 multicast group 239.77.0.1 on a socket bound to any address of both families: bind to 0.0.0.0 or an IPv4 address"_s;
    QTest::newRow("IPv6 group, IPv4 socket")
        << u"0.0.0.0"_s << GroupV6
        << u"cannot join IPv6 multicast group ff12::77 on a socket bound to 0.0.0.0: bind to :: or an IPv6 address"_s;
    QTest::newRow("IPv4 group, IPv6 socket")
        << u"::"_s << GroupV4
        << u"cannot join IPv4 multicast group 239.77.0.1 on a socket bound to ::: bind to 0.0.0.0 or an IPv4 address"_s;
    QTest::newRow("not a group") << u"0.0.0.0"_s << m_ipv4
                                 << m_ipv4.toString() + u" is not a multicast address"_s;
}

void TestUdpNetns::joinRefusedClearly()
{
    QFETCH(QString, bind);
    QFETCH(QHostAddress, group);
    QFETCH(QString, expected);

    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(bindAddress(bind));
    session.start(); // bound first: the join is at once
    QCOMPARE(session.state(), Session::State::Active);
    QVERIFY(!session.joinGroup(group));
    QCOMPARE(recorder.errors, QStringList { expected });
    QCOMPARE(session.errorString(), expected);
    QCOMPARE(session.state(), Session::State::Active);
}

void TestUdpNetns::unknownMulticastInterface()
{
    UdpSession session;
    Recorder recorder(&session);
    session.setBindAddress(QHostAddress::AnyIPv4);
    session.setMulticastInterface(u"nosuch0"_s);
    session.start();
    QCOMPARE(recorder.errors, QStringList { u"network interface 'nosuch0' not found"_s });
}

void TestUdpNetns::broadcast_data()
{
    QTest::addColumn<QString>("receiverBind");
    QTest::addColumn<QString>("senderBind"); // "python": a python socket

    QTest::newRow("receiver any, sender 10.77.0.1") << QString() << u"10.77.0.1"_s;
    QTest::newRow("receiver any, sender 0.0.0.0") << QString() << u"0.0.0.0"_s;
    QTest::newRow("receiver any, sender any") << QString() << QString();
    QTest::newRow("receiver 0.0.0.0, sender 10.77.0.1") << u"0.0.0.0"_s << u"10.77.0.1"_s;
    QTest::newRow("receiver any, python sender") << QString() << u"python"_s;
}

void TestUdpNetns::broadcast()
{
    QFETCH(QString, receiverBind);
    QFETCH(QString, senderBind);

    TrafficLog log;
    UdpSession receiver;
    receiver.setLog(&log);
    Recorder recorder(&receiver);
    receiver.setBindAddress(bindAddress(receiverBind));
    receiver.start();
    QCOMPARE(receiver.state(), Session::State::Active);
    const quint16 port = receiver.localEndpoint().port;

    const QByteArray payload = "to everyone";
    UdpSession sender;
    peers::Process python;
    quint16 sourcePort = 0;
    if (senderBind == u"python") {
        QVERIFY(python.startScript(u"udp_senders.py"_s,
            { u"--host"_s, m_broadcast.toString(), u"--port"_s, QString::number(port), u"--bind"_s,
                m_ipv4.toString(), u"--broadcast"_s, u"--payload"_s,
                QString::fromLatin1(payload.toHex()) }));
        sourcePort = toPort(python.waitForLine("src 0 ")).value_or(0);
        QVERIFY(sourcePort != 0);
    } else {
        sender.setBindAddress(bindAddress(senderBind));
        sender.start();
        QCOMPARE(sender.state(), Session::State::Active);
        sender.setTarget(m_broadcast.toString(), port);
        QVERIFY2(sender.send(payload), qPrintable(sender.errorString()));
        sourcePort = sender.localEndpoint().port;
    }
    QTRY_COMPARE_WITH_TIMEOUT(recorder.received.size(), size_t(1), 10'000);
    QCOMPARE(recorder.received.front().data, payload);
    QCOMPARE(recorder.received.front().peer, (Endpoint { m_ipv4, sourcePort }));
    QCOMPARE(entriesOf(log, LogKind::Rx).size(), 1);
    QVERIFY(recorder.errors.isEmpty());
}

void TestUdpNetns::sendFailureReportedOnce()
{
    // 10.99.0.0/16 has no route here: the kernel refuses the datagram.
    peers::Process peer;
    const auto port = startReceiver(peer, { u"--host"_s, m_ipv4.toString(), u"--count"_s, u"1"_s });
    QVERIFY(port);

    TrafficLog log;
    UdpSession session;
    session.setLog(&log);
    Recorder recorder(&session);
    QSignalSpy sent(&session, &Session::sent);
    session.setBindAddress(QHostAddress::AnyIPv4);
    session.start();
    QVERIFY(!session.sendTo({ QHostAddress(u"10.99.0.1"_s), 9 }, "nowhere"));
    QCOMPARE(recorder.errors.size(), 1);
    QVERIFY2(recorder.errors.first().startsWith(u"cannot send to 10.99.0.1:9: "_s),
        qPrintable(recorder.errors.first()));
    QVERIFY2(recorder.errors.first().size() > 28, "no reason given");
    QCOMPARE(entriesOf(log, LogKind::Error).size(), 1);
    QCOMPARE(sent.size(), 0);
    QCOMPARE(session.counters().txPackets, quint64(0));
    QCOMPARE(session.state(), Session::State::Active);

    // Still usable.
    QVERIFY(session.sendTo({ m_ipv4, *port }, "fine"));
    const auto rx = parseRx(peer.waitForLine("rx "));
    QVERIFY(rx);
    QCOMPARE(rx->data, QByteArray("fine"));
    QCOMPARE(recorder.errors.size(), 1);
}

void TestUdpNetns::unknownHostName()
{
    // Nothing here answers DNS (the configured server is unreachable), so the
    // name cannot resolve; no query can leave the namespace.
    UdpSession session;
    Recorder recorder(&session);
    QSignalSpy resolved(&session, &UdpSession::targetResolved);
    session.setBindAddress(QHostAddress::AnyIPv4);
    session.start();
    session.setTarget(u"no-such-host.invalid"_s, 9);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.errors.size(), 1, 30'000);
    QCOMPARE(recorder.errors.first(), u"host 'no-such-host.invalid' not found"_s);
    QCOMPARE(resolved.size(), 0);
    QVERIFY(session.target().isNull());
    QVERIFY(!session.send("x"));
    QCOMPARE(session.errorString(), u"no destination: set a target host and port"_s);
}

QTEST_GUILESS_MAIN(TestUdpNetns)
#include "tst_udp_netns.moc"
