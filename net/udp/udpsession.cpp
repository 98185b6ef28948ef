#include "net/udp/udpsession.h"

#include "net/core/logging.h"
#include "net/io/nativesocket.h"
#include "net/log/trafficlog.h"

#include <QHostInfo>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QTimer>
#include <QUdpSocket>
#include <QVariant>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// Datagrams handled per turn of the event loop before yielding, so a flood
// cannot starve timers and other sockets.
constexpr int DatagramsPerTurn = 256;
// Peers remembered for stable ids; a spoofed flood must not grow this forever.
constexpr qsizetype MaxRememberedPeers = 65'536;
constexpr int ReceiveBufferBytes = 4 * 1024 * 1024;

bool isIPv4(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv4Protocol;
}

// The most a datagram to this address can carry: IPv4's limit also for an
// IPv4-mapped IPv6 address (it travels as IPv4) and when the family is not
// known yet.
qint64 datagramLimit(const QHostAddress &to)
{
    bool mapped = false;
    to.toIPv4Address(&mapped);
    return to.protocol() == QAbstractSocket::IPv6Protocol && !mapped ? UdpSession::MaxDatagramIPv6
                                                                     : UdpSession::MaxDatagramIPv4;
}

// QAbstractSocket::setSocketOption() says nothing of a refusal: the value is
// read back, and a socket without it said so in socklab.net.udp.
void setCheckedOption(
    QUdpSocket &socket, QAbstractSocket::SocketOption option, int value, const char *name)
{
    socket.setSocketOption(option, QVariant(value));
    bool ok = false;
    const int now = socket.socketOption(option).toInt(&ok);
    if (!ok || now < 0)
        qCWarning(lcUdp, "cannot set %s to %d on %s", name, value,
            qPrintable(socket.localAddress().toString()));
    else if (now != value)
        qCDebug(lcUdp, "%s is %d (asked for %d)", name, now, value);
}

// The first IPv4 address of an interface, host order; 0 when it has none.
quint32 firstIPv4(const QNetworkInterface &interface)
{
    const QList<QNetworkAddressEntry> entries = interface.addressEntries();
    for (const QNetworkAddressEntry &entry : entries) {
        if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
            return entry.ip().toIPv4Address();
    }
    return 0;
}

} // namespace

UdpSession::UdpSession(const QString &name, QObject *parent)
    : Session(Kind::Udp, name, parent)
    , m_socket(new QUdpSocket(this))
{
    connect(m_socket, &QUdpSocket::readyRead, this, &UdpSession::readPending);
    connect(m_socket, &QUdpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (state() != State::Active)
            return;
        // An ICMP "port unreachable" from an earlier send surfaces here; it is
        // news about that destination, not the end of this socket.
        if (error == QAbstractSocket::ConnectionRefusedError)
            logEvent(LogKind::Info, 0, {}, u"destination port unreachable (ICMP)"_s);
        else
            reportError(m_socket->errorString());
    });
}

UdpSession::~UdpSession()
{
    m_socket->disconnect(this);
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
}

Endpoint UdpSession::localEndpoint() const
{
    if (m_socket->state() != QAbstractSocket::BoundState)
        return {};
    return { m_socket->localAddress(), m_socket->localPort() };
}

void UdpSession::setTarget(const QString &host, quint16 port)
{
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    m_pendingTargetHost.clear();
    if (const QString problem = remoteHostError(host); !problem.isEmpty()) {
        m_target = {};
        reportError(problem);
        return;
    }
    QString literal = host;
    if (literal.startsWith(u'[') && literal.endsWith(u']'))
        literal = literal.mid(1, literal.size() - 2);
    if (const QHostAddress address(literal); !address.isNull()) {
        m_target = { address, port };
        Q_EMIT targetResolved(m_target);
        return;
    }
    m_target = {};
    m_pendingTargetHost = host;
    m_lookupId = QHostInfo::lookupHost(host, this, [this, host, port](const QHostInfo &info) {
        // abortHostLookup() cannot recall an answer already posted (a name in
        // Qt's cache is answered at once): the answer to a lookup that a newer
        // target replaced must not overwrite that target.
        if (info.lookupId() != m_lookupId)
            return;
        m_lookupId = -1;
        const QList<QHostAddress> addresses = info.addresses();
        if (info.error() != QHostInfo::NoError || addresses.isEmpty()) {
            reportError(u"host '%1' not found"_s.arg(host));
            return;
        }
        // Prefer an address of the family we are (or are to be) bound to.
        QHostAddress chosen = addresses.first();
        const QHostAddress bound = m_socket->state() == QAbstractSocket::BoundState
            ? m_socket->localAddress()
            : m_bindAddress;
        if (bound.protocol() != QAbstractSocket::AnyIPProtocol) {
            for (const QHostAddress &candidate : addresses) {
                if (candidate.protocol() == bound.protocol()) {
                    chosen = candidate;
                    break;
                }
            }
        }
        m_target = { chosen, port };
        logEvent(LogKind::Info, 0, m_target, u"%1 resolved to %2"_s.arg(host, chosen.toString()));
        Q_EMIT targetResolved(m_target);
    });
}

void UdpSession::clearTarget()
{
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    m_pendingTargetHost.clear();
    m_target = {};
}

qint64 UdpSession::maxChunk() const
{
    // Where send() would go decides; a socket of both families with nowhere
    // to send yet gets the size that fits either.
    const bool toSender = (m_replyToSender || m_target.isNull()) && !m_lastSender.isNull();
    const Endpoint destination = toSender ? m_lastSender : m_target;
    return datagramLimit(destination.isNull() ? m_socket->localAddress() : destination.address);
}

void UdpSession::start()
{
    if (state() != State::Idle)
        return;
    setState(State::Starting);
    // Sharing is only wanted for multicast, where several programs listen on
    // one port; otherwise a port in use must be reported as such.
    const auto mode = m_groups.isEmpty()
        ? QAbstractSocket::DontShareAddress
        : QAbstractSocket::ShareAddress | QAbstractSocket::ReuseAddressHint;
    // Qt refuses to join an IPv4 group on a socket of both families, so "any"
    // with only IPv4 groups to join means IPv4's any.
    QHostAddress bindAddress = m_bindAddress;
    if (bindAddress == QHostAddress::Any && !m_groups.isEmpty()
        && std::all_of(m_groups.cbegin(), m_groups.cend(), isIPv4))
        bindAddress = QHostAddress(QHostAddress::AnyIPv4);
    if (!m_socket->bind(bindAddress, m_bindPort, mode)) {
        const QString where = Endpoint { m_bindAddress, m_bindPort }.toString();
        QString message;
        switch (m_socket->error()) {
        case QAbstractSocket::AddressInUseError:
            message = u"UDP port %1 is already in use (%2)"_s.arg(m_bindPort).arg(where);
            break;
        case QAbstractSocket::SocketAccessError:
            message
                = u"permission denied to bind %1 (ports below 1024 need privileges)"_s.arg(where);
            break;
        case QAbstractSocket::SocketAddressNotAvailableError:
            message = u"cannot bind %1: %2 is not an address of this machine"_s.arg(
                where, m_bindAddress.toString());
            break;
        default:
            message = u"cannot bind %1: %2"_s.arg(where, m_socket->errorString());
            break;
        }
        m_socket->close();
        setState(State::Idle);
        reportError(message);
        return;
    }
    // The kernel may cap it (Linux: net.core.rmem_max), which is no failure.
    setCheckedOption(
        *m_socket, QAbstractSocket::ReceiveBufferSizeSocketOption, ReceiveBufferBytes, "SO_RCVBUF");
    applyMulticastOptions();
    setState(State::Active);
    const Endpoint local = localEndpoint();
    logEvent(LogKind::Listening, 0, local, u"UDP"_s);
    for (const QHostAddress &group : std::as_const(m_groups))
        joinNow(group);
}

void UdpSession::stop()
{
    if (state() == State::Idle)
        return;
    setState(State::Stopping);
    m_socket->close();
    logEvent(LogKind::Info, 0, {}, u"closed"_s);
    setState(State::Idle);
}

std::optional<QNetworkInterface> UdpSession::multicastInterface() const
{
    if (m_multicastInterface.isEmpty())
        return std::nullopt;
    const QNetworkInterface interface = QNetworkInterface::interfaceFromName(m_multicastInterface);
    if (!interface.isValid())
        return std::nullopt;
    return interface;
}

void UdpSession::applyMulticastOptions()
{
    setCheckedOption(
        *m_socket, QAbstractSocket::MulticastTtlOption, m_multicastTtl, "the multicast TTL");
    setCheckedOption(*m_socket, QAbstractSocket::MulticastLoopbackOption,
        m_multicastLoopback ? 1 : 0, "multicast loopback");
    const auto interface = multicastInterface();
    if (!m_multicastInterface.isEmpty()) {
        if (interface)
            m_socket->setMulticastInterface(*interface);
        else
            reportError(u"network interface '%1' not found"_s.arg(m_multicastInterface));
    }
    // On a socket of both families Qt sets only the IPv6 options, which
    // datagrams to IPv4 groups ignore; the IPv4 ones are taken there too.
    if (m_socket->localAddress().protocol() == QAbstractSocket::AnyIPProtocol) {
        const io::SocketHandle socket = io::socketFromQt(m_socket->socketDescriptor());
        int error = 0;
        const auto check = [&error](bool ok, const char *what) {
            if (ok)
                return;
            const int code = io::lastError();
            qCWarning(lcUdp, "IPv4 %s on a dual-stack socket: %s", what,
                qPrintable(qt_error_string(code)));
            if (error == 0)
                error = code;
        };
        check(io::setIPv4MulticastTtl(socket, m_multicastTtl), "IP_MULTICAST_TTL");
        check(io::setIPv4MulticastLoop(socket, m_multicastLoopback), "IP_MULTICAST_LOOP");
        if (interface) {
            check(io::setIPv4MulticastInterface(
                      socket, unsigned(interface->index()), firstIPv4(*interface)),
                "IP_MULTICAST_IF");
        }
        if (error != 0)
            reportError(u"cannot set the IPv4 multicast options: %1"_s.arg(qt_error_string(error)));
    }
}

bool UdpSession::joinGroup(const QHostAddress &group)
{
    if (!group.isMulticast()) {
        reportError(u"%1 is not a multicast address"_s.arg(group.toString()));
        return false;
    }
    if (!m_groups.contains(group))
        m_groups.append(group);
    return state() != State::Active || joinNow(group);
}

bool UdpSession::joinNow(const QHostAddress &group)
{
    // Said here, not left to Qt, which only warns on the console.
    const QHostAddress bound = m_socket->localAddress();
    if (isIPv4(group) != isIPv4(bound)) {
        const QString where = bound.protocol() == QAbstractSocket::AnyIPProtocol
            ? u"any address of both families"_s
            : bound.toString();
        reportError(isIPv4(group)
                ? u"cannot join IPv4 multicast group %1 on a socket bound to %2: bind to 0.0.0.0 or an IPv4 address"_s
                      .arg(group.toString(), where)
                : u"cannot join IPv6 multicast group %1 on a socket bound to %2: bind to :: or an IPv6 address"_s
                      .arg(group.toString(), where));
        return false;
    }
    const auto interface = multicastInterface();
    const bool ok = interface ? m_socket->joinMulticastGroup(group, *interface)
                              : m_socket->joinMulticastGroup(group);
    if (!ok) {
        reportError(
            u"cannot join multicast group %1: %2"_s.arg(group.toString(), m_socket->errorString()));
        return false;
    }
    logEvent(LogKind::Info, 0, {}, u"joined multicast group %1"_s.arg(group.toString()));
    return true;
}

bool UdpSession::leaveGroup(const QHostAddress &group)
{
    if (!m_groups.removeOne(group))
        return false;
    if (state() != State::Active)
        return true;
    const auto interface = multicastInterface();
    const bool ok = interface ? m_socket->leaveMulticastGroup(group, *interface)
                              : m_socket->leaveMulticastGroup(group);
    if (!ok) {
        reportError(u"cannot leave multicast group %1: %2"_s.arg(
            group.toString(), m_socket->errorString()));
        return false;
    }
    logEvent(LogKind::Info, 0, {}, u"left multicast group %1"_s.arg(group.toString()));
    return true;
}

quint64 UdpSession::peerIdFor(const Endpoint &endpoint)
{
    if (const auto it = m_peerIds.constFind(endpoint); it != m_peerIds.cend())
        return *it;
    if (m_peerIds.size() >= MaxRememberedPeers)
        m_peerIds.clear();
    const quint64 id = m_nextPeerId++;
    m_peerIds.insert(endpoint, id);
    return id;
}

void UdpSession::readPending()
{
    int handled = 0;
    while (m_socket->hasPendingDatagrams()) {
        if (++handled > DatagramsPerTurn) {
            QTimer::singleShot(0, this, &UdpSession::readPending);
            return;
        }
        const QNetworkDatagram datagram = m_socket->receiveDatagram();
        if (!datagram.isValid())
            break;
        const Endpoint from { plainAddress(datagram.senderAddress()),
            quint16(datagram.senderPort()) };
        m_lastSender = from;
        handleReceived(peerIdFor(from), from, datagram.data());
        if (state() != State::Active)
            return; // a slot stopped us
    }
}

bool UdpSession::sendTo(const Endpoint &to, const QByteArray &data)
{
    if (state() != State::Active) {
        reportError(u"the UDP socket is not bound (start it first)"_s);
        return false;
    }
    if (to.isNull() || to.port == 0) {
        reportError(u"no destination: give a host and a port"_s);
        return false;
    }
    const qint64 limit = datagramLimit(to.address);
    if (data.size() > limit) {
        reportError(u"datagram of %1 bytes exceeds the UDP maximum of %2 bytes"_s.arg(data.size())
                        .arg(limit));
        return false;
    }
    const QHostAddress bound = m_socket->localAddress();
    if (bound.protocol() != QAbstractSocket::AnyIPProtocol
        && bound.protocol() != to.address.protocol()) {
        reportError(u"cannot send to %1 from a socket bound to %2 (bind to any address)"_s.arg(
            to.toString(), bound.toString()));
        return false;
    }
    qint64 written = 0;
    {
        // A failed write also makes the socket emit errorOccurred; the error
        // is reported once, below, naming the destination.
        const QSignalBlocker quiet(m_socket);
        written = m_socket->writeDatagram(data, to.address, to.port);
    }
    if (written < 0) {
        reportError(u"cannot send to %1: %2"_s.arg(to.toString(), m_socket->errorString()));
        return false;
    }
    handleSent(peerIdFor(to), to, data);
    return true;
}

bool UdpSession::send(const QByteArray &data)
{
    if (m_replyToSender && !m_lastSender.isNull())
        return sendTo(m_lastSender, data);
    if (!m_target.isNull())
        return sendTo(m_target, data);
    if (!m_lastSender.isNull())
        return sendTo(m_lastSender, data);
    if (!m_pendingTargetHost.isEmpty() && m_lookupId >= 0) {
        reportError(u"still looking up '%1'"_s.arg(m_pendingTargetHost));
        return false;
    }
    reportError(u"no destination: set a target host and port"_s);
    return false;
}

bool UdpSession::replyToLast(const QByteArray &data)
{
    if (m_lastSender.isNull()) {
        reportError(u"nobody has sent anything yet"_s);
        return false;
    }
    return sendTo(m_lastSender, data);
}

void UdpSession::reply(quint64, const Endpoint &peer, const QByteArray &data)
{
    sendTo(peer, data);
}
