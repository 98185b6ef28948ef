#include "net/tftp/tftptransfer.h"

#include "net/core/endpoint.h"

#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QNetworkProxy>
#include <QTemporaryFile>
#include <QUdpSocket>
#include <QVariant>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <system_error>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTftp, "socklab.tftp", QtWarningMsg)

namespace {

// Larger than any UDP payload, so an oversized packet is seen whole, not cut.
constexpr qsizetype ReceiveBufferSize = 65536;
// The file is read and written in chunks this large, not per block.
constexpr qsizetype FileChunk = 1024 * 1024;
// Datagrams handled per turn of the event loop before yielding to timers.
constexpr int DatagramsPerTurn = 512;
constexpr int ProgressIntervalMs = 100;
// progress() looks at the clock only after this many bytes.
constexpr qint64 ProgressCheckBytes = 256 * 1024;
// The retransmission timer ticks this often per timeout, so that it need not
// be restarted (nor the clock read) for every packet that arrives.
constexpr int TicksPerTimeout = 4;
constexpr int MaxBackoffMs = 30'000;
// An upload asks for no larger window than this many bytes of blocks.
constexpr qint64 MaxUploadWindowBytes = 64 * 1024 * 1024;
// Socket buffers get at least this much (the usual default is 208 KiB).
constexpr int MinSocketBuffer = 256 * 1024;

QString printable(QByteArrayView bytes)
{
    QString text = QString::fromUtf8(bytes);
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u' ';
    }
    return text.trimmed();
}

// Whole decimal numbers as RFC 2347 option values spell them: digits only.
std::optional<qint64> parseOptionNumber(QByteArrayView value)
{
    if (value.isEmpty() || value.size() > 18)
        return std::nullopt;
    qint64 number = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return std::nullopt;
        number = number * 10 + (c - '0');
    }
    return number;
}

bool sameHost(const QHostAddress &a, const QHostAddress &b)
{
    return a.isEqual(b, QHostAddress::TolerantConversion);
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms < 10'000 ? 1 : 0) + u" s"_s;
}

} // namespace

QString tftpStatusName(TftpStatus status)
{
    switch (status) {
    case TftpStatus::Success:
        return u"success"_s;
    case TftpStatus::Cancelled:
        return u"cancelled"_s;
    case TftpStatus::InvalidRequest:
        return u"invalid-request"_s;
    case TftpStatus::LocalError:
        return u"local-error"_s;
    case TftpStatus::NetworkError:
        return u"network-error"_s;
    case TftpStatus::TimedOut:
        return u"timed-out"_s;
    case TftpStatus::ServerError:
        return u"server-error"_s;
    case TftpStatus::ProtocolError:
        return u"protocol-error"_s;
    }
    return {};
}

std::optional<QString> tftpLocalName(QStringView remoteName)
{
    qsizetype start = remoteName.size();
    while (start > 0 && remoteName[start - 1] != u'/' && remoteName[start - 1] != u'\\')
        --start;
    QString name = remoteName.sliced(start).toString();
    for (QChar &c : name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'_';
    }
    if (name.trimmed().isEmpty() || name == u"."_s || name == u".."_s)
        return std::nullopt;
    return name;
}

#ifdef Q_OS_UNIX
// The hot path on UNIX. QUdpSocket owns and binds the socket, but each
// datagram through it costs two QHostAddress allocations, three signals and
// a notifier toggle, more than the system calls themselves at 512 bytes per
// block. So DATA and ACK go through a duplicate of its descriptor, watched
// by a notifier of our own, with the peer kept as a sockaddr to compare and
// send to. Requests and errors still go through QUdpSocket.
namespace {

// Calls its handler straight from the event, without emitting activated()
// (two signals, each with its arguments marshalled, for every datagram).
class ReadNotifier final : public QSocketNotifier
{
public:
    ReadNotifier(qintptr descriptor, std::function<void()> handler)
        : QSocketNotifier(descriptor, QSocketNotifier::Read)
        , m_handler(std::move(handler))
    { }

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::SockAct)
            return QSocketNotifier::event(event);
        m_handler();
        return true;
    }

private:
    std::function<void()> m_handler;
};

} // namespace

struct TftpTransfer::Native
{
    int fd = -1;
    std::unique_ptr<QSocketNotifier> notifier;
    sockaddr_storage peer {};
    socklen_t peerLength = 0;

    Native() = default;
    Q_DISABLE_COPY_MOVE(Native)
    ~Native()
    {
        notifier.reset(); // before its descriptor goes
        if (fd >= 0)
            ::close(fd);
    }
};

namespace {

bool sameSocketAddress(const sockaddr_storage &a, const sockaddr_storage &b)
{
    if (a.ss_family != b.ss_family)
        return false;
    if (a.ss_family == AF_INET) {
        const auto &x = reinterpret_cast<const sockaddr_in &>(a);
        const auto &y = reinterpret_cast<const sockaddr_in &>(b);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    if (a.ss_family == AF_INET6) {
        const auto &x = reinterpret_cast<const sockaddr_in6 &>(a);
        const auto &y = reinterpret_cast<const sockaddr_in6 &>(b);
        return x.sin6_port == y.sin6_port
            && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
    }
    return false;
}

socklen_t toSocketAddress(const QHostAddress &host, quint16 port, sockaddr_storage &out)
{
    out = {};
    bool isV4 = false;
    const quint32 v4 = host.toIPv4Address(&isV4);
    if (isV4 && host.protocol() == QAbstractSocket::IPv4Protocol) {
        auto &in = reinterpret_cast<sockaddr_in &>(out);
        in.sin_family = AF_INET;
        in.sin_port = htons(port);
        in.sin_addr.s_addr = htonl(v4);
        return sizeof in;
    }
    auto &in6 = reinterpret_cast<sockaddr_in6 &>(out);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    const Q_IPV6ADDR bytes = host.toIPv6Address();
    std::memcpy(&in6.sin6_addr, &bytes, sizeof in6.sin6_addr);
    const QString scope = host.scopeId();
    if (!scope.isEmpty()) {
        bool numeric = false;
        in6.sin6_scope_id = scope.toUInt(&numeric);
        if (!numeric)
            in6.sin6_scope_id = ::if_nametoindex(scope.toLocal8Bit().constData());
    }
    return sizeof in6;
}

quint16 portOf(const sockaddr_storage &address)
{
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in &>(address).sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 &>(address).sin6_port);
    return 0;
}

} // namespace
#else
struct TftpTransfer::Native
{
};
#endif

TftpTransfer::TftpTransfer(TftpRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TftpTransfer::onTimer);
}

TftpTransfer::~TftpTransfer()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    // The server would otherwise retry into the void; a partial download goes
    // with m_temporary.
    if (m_socket && (m_phase == Phase::Requesting || m_phase == Phase::Transferring))
        sendError(Tftp::ErrorCode::NotDefined, u"transfer abandoned"_s);
    closeSocket();
}

void TftpTransfer::closeSocket()
{
    m_native.reset();
    if (m_socket)
        m_socket->close();
}

void TftpTransfer::start()
{
    if (m_phase != Phase::Idle)
        return;
    m_phase = Phase::Starting;
    m_clock.start();
    QMetaObject::invokeMethod(this, &TftpTransfer::startNow, Qt::QueuedConnection);
}

void TftpTransfer::cancel()
{
    switch (m_phase) {
    case Phase::Done:
        return;
    case Phase::Idle:
        m_clock.start();
        break;
    case Phase::Requesting:
    case Phase::Transferring:
        sendError(Tftp::ErrorCode::NotDefined, u"cancelled by the user"_s);
        break;
    case Phase::Starting:
    case Phase::Resolving:
        break;
    }
    finish(TftpStatus::Cancelled, u"cancelled"_s);
}

void TftpTransfer::startNow()
{
    if (m_phase != Phase::Starting)
        return;
    const TftpRequest &r = m_request;
    auto invalid = [this](const QString &message) { finish(TftpStatus::InvalidRequest, message); };
    if (r.host.trimmed().isEmpty())
        return invalid(u"no server given"_s);
    if (const QString problem = remoteHostError(r.host.trimmed()); !problem.isEmpty())
        return invalid(problem);
    if (r.port == 0)
        return invalid(u"server port 0 is not valid"_s);
    if (r.blockSize != 0 && (r.blockSize < Tftp::MinBlockSize || r.blockSize > Tftp::MaxBlockSize))
        return invalid(u"block size %1 is outside %2..%3"_s.arg(r.blockSize)
                           .arg(Tftp::MinBlockSize)
                           .arg(Tftp::MaxBlockSize));
    if (r.windowSize != 0
        && (r.windowSize < Tftp::MinWindowSize || r.windowSize > Tftp::MaxWindowSize))
        return invalid(u"window size %1 is outside %2..%3"_s.arg(r.windowSize)
                           .arg(Tftp::MinWindowSize)
                           .arg(Tftp::MaxWindowSize));
    if (r.timeoutOption != 0
        && (r.timeoutOption < Tftp::MinTimeout || r.timeoutOption > Tftp::MaxTimeout))
        return invalid(u"timeout option %1 s is outside %2..%3"_s.arg(r.timeoutOption)
                           .arg(Tftp::MinTimeout)
                           .arg(Tftp::MaxTimeout));
    if (r.timeoutMs <= 0 || r.timeoutMs > 600'000)
        return invalid(u"retransmission timeout %1 ms is outside 1..600000"_s.arg(r.timeoutMs));
    if (r.retries < 0 || r.retries > 1000)
        return invalid(u"retry count %1 is outside 0..1000"_s.arg(r.retries));

    QString error;
    TftpStatus status = TftpStatus::InvalidRequest;
    if (!(isDownload() ? prepareDownload(&error, &status) : prepareUpload(&error, &status)))
        return finish(status, error);
    m_result.remoteName = m_request.remoteName;
    if (m_request.remoteName.isEmpty())
        return invalid(u"no remote file name given"_s);
    if (m_request.remoteName.contains(QChar(0)))
        return invalid(u"the remote file name contains a NUL character"_s);

    buildRequestOptions();
    Tftp::Request request;
    request.write = !isDownload();
    request.filename = m_request.remoteName.toUtf8();
    request.mode = Tftp::modeName(m_request.mode);
    request.options = m_askedOptions;
    m_requestPacket = Tftp::encodeRequest(request);
    if (!m_askedOptions.isEmpty() && m_requestPacket.size() > Tftp::MaxRequestSize)
        return invalid(
            u"the request with options is %1 bytes, more than the %2 that RFC 2347 allows; "
            "use a shorter remote name or no options"_s.arg(m_requestPacket.size())
                .arg(Tftp::MaxRequestSize));

    QString host = m_request.host.trimmed();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (QHostAddress address; address.setAddress(host))
        return contact(address);
    m_phase = Phase::Resolving;
    m_lookupId = QHostInfo::lookupHost(host, this, [this, host](const QHostInfo &info) {
        m_lookupId = -1;
        if (m_phase != Phase::Resolving)
            return;
        const QList<QHostAddress> addresses = info.addresses();
        if (info.error() != QHostInfo::NoError || addresses.isEmpty())
            return finish(TftpStatus::NetworkError, u"host '%1' not found"_s.arg(host));
        contact(addresses.first());
    });
}

bool TftpTransfer::prepareDownload(QString *error, TftpStatus *status)
{
    *status = TftpStatus::LocalError;
    const QString given = m_request.localPath;
    const QFileInfo givenInfo(given.isEmpty() ? u"."_s : given);
    QString target = given;
    if (given.isEmpty() || givenInfo.isDir()) {
        const std::optional<QString> name = tftpLocalName(m_request.remoteName);
        if (!name) {
            *status = TftpStatus::InvalidRequest;
            *error = u"cannot make a local file name from the remote name '%1'; give one"_s.arg(
                m_request.remoteName);
            return false;
        }
        target = QDir(givenInfo.filePath()).filePath(*name);
    }
    const QFileInfo info(target);
    if (info.isDir()) {
        *error = u"%1 is a folder"_s.arg(target);
        return false;
    }
    if ((info.exists() || info.isSymLink()) && !m_request.overwrite) {
        *error = u"%1 already exists (choose overwrite to replace it)"_s.arg(target);
        return false;
    }
    const QString folder = info.absolutePath();
    if (const QFileInfo folderInfo(folder); !folderInfo.isDir()) {
        *error = folderInfo.exists() ? u"%1 is not a folder"_s.arg(folder)
                                     : u"folder %1 does not exist"_s.arg(folder);
        return false;
    }
    m_targetPath = info.absoluteFilePath();
    m_result.localPath = m_targetPath;
    // Beside the target, so the final rename stays on one file system.
    m_temporary = std::make_unique<QTemporaryFile>(
        QDir(folder).filePath(u"."_s + info.fileName().left(120) + u".XXXXXX.part"_s));
    if (!m_temporary->open()) {
        *error = u"cannot create a file in %1: %2"_s.arg(folder, m_temporary->errorString());
        m_temporary.reset();
        return false;
    }
    // Room for a whole datagram after a full chunk, and for the 4-byte
    // header of a datagram received in place (see readPending()).
    m_writeBuffer
        = QByteArray(Tftp::HeaderSize + FileChunk + ReceiveBufferSize + 1, Qt::Uninitialized);
    m_writeUsed = 0;
    return true;
}

bool TftpTransfer::prepareUpload(QString *error, TftpStatus *status)
{
    *status = TftpStatus::LocalError;
    const QString path = m_request.localPath;
    if (path.isEmpty()) {
        *status = TftpStatus::InvalidRequest;
        *error = u"no local file given"_s;
        return false;
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        *error = u"%1 does not exist"_s.arg(path);
        return false;
    }
    if (info.isDir()) {
        *error = u"%1 is a folder"_s.arg(path);
        return false;
    }
    m_source = std::make_unique<QFile>(path);
    if (!m_source->open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        *error = u"cannot read %1: %2"_s.arg(path, m_source->errorString());
        return false;
    }
    m_total = m_source->isSequential() ? -1 : m_source->size();
    if (m_request.remoteName.isEmpty())
        m_request.remoteName = info.fileName();
    m_result.localPath = info.absoluteFilePath();
    return true;
}

void TftpTransfer::buildRequestOptions()
{
    m_askedOptions.clear();
    if (m_request.blockSize > 0)
        m_askedOptions.append(
            Tftp::Option { QByteArrayLiteral("blksize"), QByteArray::number(m_request.blockSize) });
    // In netascii the size on the wire differs from the file's, and tftpd-hpa
    // refuses the combination outright.
    if (m_request.transferSize && m_request.mode == Tftp::Mode::Octet) {
        if (isDownload())
            m_askedOptions.append(
                Tftp::Option { QByteArrayLiteral("tsize"), QByteArrayLiteral("0") });
        else if (m_total >= 0)
            m_askedOptions.append(
                Tftp::Option { QByteArrayLiteral("tsize"), QByteArray::number(m_total) });
    }
    if (m_request.timeoutOption > 0)
        m_askedOptions.append(Tftp::Option {
            QByteArrayLiteral("timeout"), QByteArray::number(m_request.timeoutOption) });
    if (m_request.windowSize > 0) {
        int window = m_request.windowSize;
        // An upload keeps its window in memory until acknowledged.
        if (!isDownload()) {
            const int block
                = m_request.blockSize > 0 ? m_request.blockSize : Tftp::DefaultBlockSize;
            window = std::min<int>(window, std::max<int>(1, int(MaxUploadWindowBytes / block)));
        }
        m_askedOptions.append(
            Tftp::Option { QByteArrayLiteral("windowsize"), QByteArray::number(window) });
    }
}

void TftpTransfer::contact(const QHostAddress &address)
{
    m_server = address;
    m_serverPort = m_request.port;
    m_socket = new QUdpSocket(this);
    // No proxy can carry TFTP, and asking for the system's starts a thread.
    m_socket->setProxy(QNetworkProxy::NoProxy);
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (!m_socket->bind(v6 ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4, 0)) {
        return finish(TftpStatus::NetworkError,
            u"cannot open a UDP socket: %1"_s.arg(m_socket->errorString()));
    }
    applyBufferSizes(m_request.blockSize > 0 ? m_request.blockSize : Tftp::DefaultBlockSize,
        m_request.windowSize > 0 ? m_request.windowSize : 1);
#ifdef Q_OS_UNIX
    m_native = std::make_unique<Native>();
    m_native->fd = ::fcntl(int(m_socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (m_native->fd < 0) {
        return finish(TftpStatus::NetworkError,
            u"cannot duplicate the UDP socket: %1"_s.arg(qt_error_string(errno)));
    }
    // QUdpSocket's own read notifier would be polled and woken for every
    // datagram too, for nothing: nothing reads through QUdpSocket. Only a
    // read through it turns the notifier on again. (Should Qt ever keep it
    // elsewhere, it is merely not found, and costs what it did.)
    const QList<QSocketNotifier *> internal = m_socket->findChildren<QSocketNotifier *>();
    for (QSocketNotifier *notifier : internal) {
        if (notifier->type() == QSocketNotifier::Read)
            notifier->setEnabled(false);
    }
    m_native->notifier = std::make_unique<ReadNotifier>(m_native->fd, [this] { readPending(); });
#else
    connect(m_socket, &QUdpSocket::readyRead, this, &TftpTransfer::readPending);
#endif
    m_receiveBuffer.resize(ReceiveBufferSize);
    m_phase = Phase::Requesting;
    emitProgress(true);
    sendRequest();
}

void TftpTransfer::applyBufferSizes(int blockSize, int windowSize)
{
    // A whole window must fit in the receive buffer, twice for good measure:
    // a window that overflows it is lost and costs a timeout.
    const qint64 wanted
        = std::max<qint64>(2LL * windowSize * (blockSize + Tftp::HeaderSize), MinSocketBuffer);
    const int bytes = int(std::min<qint64>(wanted, 64LL * 1024 * 1024));
    m_socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(bytes));
    if (!isDownload())
        m_socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, QVariant(bytes));
#ifdef Q_OS_LINUX
    // Linux reports twice what was set; less than asked means net.core.rmem_max
    // capped it, which a privileged process may lift.
    const int got
        = m_socket->socketOption(QAbstractSocket::ReceiveBufferSizeSocketOption).toInt() / 2;
    if (got < bytes) {
        const auto fd = static_cast<int>(m_socket->socketDescriptor());
        if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
            qCInfo(lcTftp) << "receive buffer is" << got << "bytes, wanted" << bytes;
    }
#endif
}

void TftpTransfer::sendRequest()
{
    sendTo(m_requestPacket.constData(), m_requestPacket.size(), m_server, m_serverPort);
    if (m_phase == Phase::Done)
        return;
    armTimer();
}

void TftpTransfer::armTimer()
{
    m_quietTicks = 0;
    m_progressSinceTick = false;
    m_timer.start(std::max(1, currentTimeoutMs() / TicksPerTimeout));
}

qint64 TftpTransfer::waitedMs() const
{
    // The waits since the transfer last moved: one per attempt so far.
    qint64 total = 0;
    for (int attempt = 0; attempt <= m_attempt; ++attempt)
        total += timeoutForAttempt(attempt);
    return total;
}

int TftpTransfer::timeoutForAttempt(int attempt) const
{
    const qint64 base = m_request.timeoutMs;
    const qint64 cap = std::max(base, std::min(8 * base, qint64(MaxBackoffMs)));
    const qint64 wait = base << std::min(attempt, 20);
    return int(std::min(wait, cap));
}

void TftpTransfer::readPending()
{
    if (!m_socket)
        return;
    if (m_phase == Phase::Done) {
        // Dallying after a download: the server did not get the final ACK
        // and sends the last block again; tell it once more.
        while (receiveOne()) { }
        return;
    }
    // One datagram per notification at least (QUdpSocket stops notifying
    // otherwise). After sending what needs an answer there is nothing more
    // to expect from the server yet; not reading on saves a system call per
    // block, and anything queued brings another notification.
    for (int handled = 0; handled < DatagramsPerTurn; ++handled) {
        m_awaitingReply = false;
        if (!receiveOne() || m_phase == Phase::Done || m_awaitingReply)
            break;
    }
    if (m_progressed && m_phase != Phase::Done) {
        m_progressed = false;
        m_progressSinceTick = true;
        if (m_attempt > 0) {
            m_attempt = 0;
            armTimer();
        }
        const qint64 done = isDownload() ? m_received : (m_base - 1) * m_blockSize;
        if (done - m_progressCheckedAt >= ProgressCheckBytes) {
            m_progressCheckedAt = done;
            emitProgress(false);
        }
    }
}

bool TftpTransfer::receiveOne()
{
    // An octet download receives straight behind the data already buffered,
    // so that the payload is where the file's next bytes belong and needs no
    // copy. The header lands on the last 4 bytes buffered (or on the
    // headroom before the first), which are kept aside and put back at once.
    const bool inPlace
        = m_phase == Phase::Transferring && isDownload() && m_request.mode == Tftp::Mode::Octet;
    char *const at = inPlace ? m_writeBuffer.data() + m_writeUsed : m_receiveBuffer.data();
    char kept[Tftp::HeaderSize];
    if (inPlace)
        std::memcpy(kept, at, sizeof kept);

#ifdef Q_OS_UNIX
    sockaddr_storage address;
    socklen_t length = sizeof address;
    ssize_t got = 0;
    do {
        got = ::recvfrom(m_native->fd, at, size_t(ReceiveBufferSize), MSG_DONTWAIT,
            reinterpret_cast<sockaddr *>(&address), &length);
    } while (got < 0 && errno == EINTR);
    const qint64 size = got;
    const bool fromPeer = size >= 0 && m_peerLocked && sameSocketAddress(address, m_native->peer);
#else
    QHostAddress host;
    quint16 port = 0;
    const qint64 size = m_socket->readDatagram(at, ReceiveBufferSize, &host, &port);
    const bool fromPeer = size >= 0 && m_peerLocked && port == m_peerPort && sameHost(host, m_peer);
#endif
    char header[Tftp::HeaderSize] = {};
    if (size > 0)
        std::memcpy(header, at, size_t(std::min<qint64>(size, Tftp::HeaderSize)));
    if (inPlace)
        std::memcpy(at, kept, sizeof kept);
    if (size < 0)
        return false;

    const QByteArrayView payload(
        at + Tftp::HeaderSize, std::max<qint64>(size - Tftp::HeaderSize, 0));
    if (m_phase == Phase::Done) {
        if (fromPeer && size >= Tftp::HeaderSize && isDownload()
            && Tftp::readUint16(header) == quint16(Tftp::Opcode::Data)
            && Tftp::readUint16(header + 2) == quint16(m_expected - 1))
            sendAck(quint16(m_expected - 1));
        return true;
    }
    // The hot path: the next block, or an ACK, from the server.
    if (fromPeer && m_phase == Phase::Transferring && size >= Tftp::HeaderSize) {
        const quint16 opcode = Tftp::readUint16(header);
        const quint16 block = Tftp::readUint16(header + 2);
        if (isDownload() && opcode == quint16(Tftp::Opcode::Data) && block == quint16(m_expected)
            && payload.size() <= m_blockSize) {
            onData(block, payload);
            return true;
        }
        if (!isDownload() && opcode == quint16(Tftp::Opcode::Ack) && size == Tftp::HeaderSize) {
            onAck(block);
            return true;
        }
    }
    // Anything else is rare: the whole datagram, the usual way.
    if (inPlace) {
        std::memcpy(m_receiveBuffer.data(), header, sizeof header);
        std::memcpy(
            m_receiveBuffer.data() + Tftp::HeaderSize, payload.data(), size_t(payload.size()));
    }
#ifdef Q_OS_UNIX
    const QHostAddress host(reinterpret_cast<const sockaddr *>(&address));
    const quint16 port = portOf(address);
#endif
    handleDatagram(QByteArrayView(m_receiveBuffer.constData(), size), host, port);
    return true;
}

void TftpTransfer::handleDatagram(
    QByteArrayView datagram, const QHostAddress &from, quint16 fromPort)
{
    if (m_peerLocked) {
        if (fromPort != m_peerPort || !sameHost(from, m_peer))
            return rejectStranger(from, fromPort);
    } else if (!sameHost(from, m_server)) {
        // Perhaps the server, answering from another of its addresses; but a
        // packet from another host is not the server's (RFC 1350 TIDs are
        // ports on the hosts that began the transfer). Said if it times out.
        ++m_otherHostPackets;
        m_otherHost = from;
        m_otherHostPort = fromPort;
        return rejectStranger(from, fromPort);
    }

    const Tftp::Decoded decoded = Tftp::decode(datagram);
    if (!decoded.ok()) {
        if (!m_peerLocked)
            lockPeer(from, fromPort);
        // An ERROR that is merely sloppy (no NUL) still says what went wrong.
        if (datagram.size() >= Tftp::HeaderSize && decoded.error != Tftp::DecodeError::Oversized
            && Tftp::readUint16(datagram.data()) == quint16(Tftp::Opcode::Error)) {
            const QByteArrayView text = datagram.sliced(Tftp::HeaderSize);
            const qsizetype nul = text.indexOf('\0');
            const Tftp::Error error { Tftp::readUint16(datagram.data() + 2),
                (nul < 0 ? text : text.first(nul)).toByteArray() };
            m_result.serverErrorCode = error.code;
            m_result.serverMessage = printable(error.message);
            return finish(TftpStatus::ServerError,
                u"server error %1 (%2)%3"_s.arg(error.code)
                    .arg(Tftp::errorCodeText(error.code),
                        m_result.serverMessage.isEmpty() ? QString()
                                                         : u": "_s + m_result.serverMessage));
        }
        return failProtocol(u"malformed %1-byte packet from the server: %2"_s.arg(datagram.size())
                                .arg(Tftp::decodeErrorText(decoded.error)));
    }

    if (const auto *data = std::get_if<Tftp::Data>(&decoded.packet)) {
        if (!isDownload())
            return failProtocol(u"the server sent DATA during an upload"_s);
        if (m_phase == Phase::Requesting) {
            if (data->block != 1)
                return failProtocol(
                    u"the server answered the request with DATA block %1, not 1"_s.arg(
                        data->block));
            // No OACK: the server ignored the options (RFC 2347 allows that).
            lockPeer(from, fromPort);
            usePlainParameters();
            m_phase = Phase::Transferring;
        }
        return onData(data->block, data->payload);
    }
    if (const auto *ack = std::get_if<Tftp::Ack>(&decoded.packet)) {
        if (isDownload())
            return failProtocol(u"the server sent an ACK during a download"_s);
        if (m_phase == Phase::Requesting) {
            if (ack->block != 0)
                return failProtocol(
                    u"the server answered the request with ACK %1, not 0"_s.arg(ack->block));
            lockPeer(from, fromPort);
            usePlainParameters();
            m_progressed = true;
            return beginUpload();
        }
        return onAck(ack->block);
    }
    if (const auto *oack = std::get_if<Tftp::OptionAck>(&decoded.packet)) {
        if (m_phase == Phase::Requesting) {
            lockPeer(from, fromPort);
            if (m_askedOptions.isEmpty()) {
                const QString message = u"the server sent an OACK to a request without options"_s;
                sendError(Tftp::ErrorCode::OptionRefused, message);
                return finish(TftpStatus::ProtocolError, message);
            }
            if (!acceptOptionAck(oack->options))
                return;
            m_progressed = true;
            if (!isDownload())
                return beginUpload();
            m_phase = Phase::Transferring;
            acknowledgeInOrder();
            m_awaitingReply = true;
            return;
        }
        // Our ACK 0 was lost and the server repeats its OACK. An upload
        // answers only by timeout, so a repeated OACK cannot double it.
        if (isDownload() && m_expected == 1)
            sendAck(0);
        return;
    }
    if (const auto *error = std::get_if<Tftp::Error>(&decoded.packet)) {
        if (m_phase == Phase::Requesting && error->code == quint16(Tftp::ErrorCode::OptionRefused)
            && !m_askedOptions.isEmpty() && !m_retriedPlain) {
            // RFC 2347: a client whose options are refused may ask again without.
            qCInfo(lcTftp) << "options refused, asking again without:" << error->message;
            m_retriedPlain = true;
            m_result.fellBackToPlain = true;
            m_askedOptions.clear();
            Tftp::Request request;
            request.write = !isDownload();
            request.filename = m_request.remoteName.toUtf8();
            request.mode = Tftp::modeName(m_request.mode);
            m_requestPacket = Tftp::encodeRequest(request);
            m_attempt = 0;
            return sendRequest();
        }
        m_result.serverErrorCode = error->code;
        m_result.serverMessage = printable(error->message);
        return finish(TftpStatus::ServerError,
            u"server error %1 (%2)%3"_s.arg(error->code)
                .arg(Tftp::errorCodeText(error->code),
                    m_result.serverMessage.isEmpty() ? QString()
                                                     : u": "_s + m_result.serverMessage));
    }
    return failProtocol(u"the server sent a read or write request"_s);
}

void TftpTransfer::rejectStranger(const QHostAddress &from, quint16 fromPort)
{
    // RFC 1350: a packet for no transfer of ours gets ERROR 5, and our transfer
    // goes on. (Taking its DATA would corrupt the file.)
    ++m_result.strangerPackets;
    qCInfo(lcTftp) << "packet from unknown transfer ID" << Endpoint { from, fromPort }.toString();
    static const QByteArray unknownTid
        = Tftp::encodeError(quint16(Tftp::ErrorCode::UnknownTransferId), "Unknown transfer ID");
    m_socket->writeDatagram(unknownTid.constData(), unknownTid.size(), from, fromPort);
}

void TftpTransfer::lockPeer(const QHostAddress &from, quint16 fromPort)
{
    m_peer = from;
    m_peerPort = fromPort;
    m_peerLocked = true;
#ifdef Q_OS_UNIX
    m_native->peerLength = toSocketAddress(from, fromPort, m_native->peer);
#endif
}

void TftpTransfer::usePlainParameters()
{
    m_blockSize = Tftp::DefaultBlockSize;
    m_windowSize = 1;
    if (!m_askedOptions.isEmpty())
        m_result.fellBackToPlain = true;
}

bool TftpTransfer::acceptOptionAck(const Tftp::Options &options)
{
    auto refuse = [this](const QString &message) {
        sendError(Tftp::ErrorCode::OptionRefused, message);
        finish(TftpStatus::ProtocolError, message);
        return false;
    };
    int blockSize = Tftp::DefaultBlockSize;
    int windowSize = 1;
    qint64 transferSize = -1;
    QList<QByteArray> seen;
    for (const Tftp::Option &option : options) {
        const QString name = printable(option.name);
        const Tftp::Option *asked = Tftp::findOption(m_askedOptions, option.name);
        if (!asked)
            return refuse(
                u"the server acknowledged option '%1', which was not requested"_s.arg(name));
        if (seen.contains(option.name))
            return refuse(u"the server acknowledged option '%1' twice"_s.arg(name));
        seen.append(option.name);
        const std::optional<qint64> value = parseOptionNumber(option.value);
        const std::optional<qint64> askedValue = parseOptionNumber(asked->value);
        if (!value || !askedValue)
            return refuse(u"the server answered option '%1' with '%2', not a number"_s.arg(
                name, printable(option.value)));
        if (option.name == "blksize") {
            if (*value < Tftp::MinBlockSize || *value > *askedValue)
                return refuse(
                    u"the server answered blksize %1, outside %2..%3 (asked %3)"_s.arg(*value)
                        .arg(Tftp::MinBlockSize)
                        .arg(*askedValue));
            blockSize = int(*value);
        } else if (option.name == "windowsize") {
            if (*value < Tftp::MinWindowSize || *value > *askedValue)
                return refuse(
                    u"the server answered windowsize %1, outside 1..%2 (asked %2)"_s.arg(*value)
                        .arg(*askedValue));
            windowSize = int(*value);
        } else if (option.name == "timeout") {
            if (*value != *askedValue)
                return refuse(u"the server answered timeout %1, not the %2 asked"_s.arg(*value).arg(
                    *askedValue));
        } else if (option.name == "tsize") {
            if (!isDownload() && *value != *askedValue)
                return refuse(u"the server answered tsize %1, not the %2 sent"_s.arg(*value).arg(
                    *askedValue));
            transferSize = *value;
        }
    }
    m_blockSize = blockSize;
    m_windowSize = windowSize;
    m_result.optionsAcknowledged = true;
    if (isDownload() && transferSize >= 0) {
        m_result.transferSize = transferSize;
        m_total = transferSize;
    }
    if (blockSize > m_request.blockSize || windowSize > 1)
        applyBufferSizes(blockSize, windowSize);
    return true;
}

// ---- Download --------------------------------------------------------------

void TftpTransfer::onData(quint16 block, QByteArrayView payload)
{
    if (payload.size() > m_blockSize)
        return failProtocol(
            u"DATA block %1 carries %2 bytes, more than the block size %3"_s.arg(block)
                .arg(payload.size())
                .arg(m_blockSize));
    const auto ahead = quint16(block - quint16(m_expected));
    if (ahead == 0) {
        if (!storePayload(payload))
            return;
        ++m_expected;
        m_gapReported = false;
        m_progressed = true;
        if (payload.size() < m_blockSize) {
            acknowledgeInOrder();
            return finish(TftpStatus::Success, {});
        }
        if (++m_inWindow >= m_windowSize) {
            m_inWindow = 0;
            acknowledgeInOrder();
            m_awaitingReply = true;
        }
        return;
    }
    if (ahead >= 0x8000) {
        // A block taken before. Lock-step: the server missed our ACK, so it
        // gets it again (one ACK per DATA cannot snowball). In a window, a
        // repeat of a block not yet acknowledged is harmless and ignored.
        if (m_windowSize == 1)
            return acknowledgeInOrder();
        const qint64 repeated = m_expected - quint16(quint16(m_expected) - block);
        if (repeated > m_lastAcked)
            return;
    }
    // RFC 7440: on a gap (a block lost or late) or a repeated window (our ACK
    // was lost), acknowledge the last block taken in order, so the server
    // goes on from the one after. Once until the transfer moves on: each
    // further block of a window in flight would otherwise restart it again.
    if (m_gapReported)
        return;
    m_gapReported = true;
    m_inWindow = 0;
    acknowledgeInOrder();
}

void TftpTransfer::acknowledgeInOrder()
{
    m_lastAcked = m_expected - 1;
    sendAck(quint16(m_lastAcked));
}

void TftpTransfer::sendAck(quint16 block)
{
    char packet[Tftp::HeaderSize];
    Tftp::writeHeader(packet, Tftp::Opcode::Ack, block);
    sendToPeer(packet, Tftp::HeaderSize);
}

bool TftpTransfer::sendToPeer(const char *data, qint64 size)
{
#ifdef Q_OS_UNIX
    ssize_t sent = 0;
    do {
        sent = ::sendto(m_native->fd, data, size_t(size), 0,
            reinterpret_cast<const sockaddr *>(&m_native->peer), m_native->peerLength);
    } while (sent < 0 && errno == EINTR);
    if (sent >= 0)
        return true;
    // A full buffer is a lost packet, and timeouts deal with those.
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == ECONNREFUSED)
        return false;
    finish(TftpStatus::NetworkError,
        u"cannot send to %1: %2"_s.arg(
            Endpoint { m_peer, m_peerPort }.toString(), qt_error_string(errno)));
    return false;
#else
    return sendTo(data, size, m_peer, m_peerPort);
#endif
}

bool TftpTransfer::storePayload(QByteArrayView payload)
{
    char *const end = m_writeBuffer.data() + Tftp::HeaderSize + m_writeUsed;
    qint64 stored = payload.size();
    if (m_request.mode == Tftp::Mode::Netascii)
        stored = m_netasciiDecoder.decode(payload, end) - end;
    else if (payload.constData() != end) // not received in place
        std::memcpy(end, payload.constData(), size_t(payload.size()));
    m_writeUsed += stored;
    m_received += stored;
    if (m_writeUsed < FileChunk)
        return true;
    if (flushWriteBuffer())
        return true;
    const QString message = u"cannot write %1: %2"_s.arg(m_targetPath, m_temporary->errorString());
    sendError(Tftp::ErrorCode::DiskFull, u"cannot write the file"_s);
    finish(TftpStatus::LocalError, message);
    return false;
}

bool TftpTransfer::flushWriteBuffer()
{
    // A write that fills the disk returns the part that fitted and no reason;
    // writing the rest again fails with the system's ("No space left on device").
    const char *const data = m_writeBuffer.constData() + Tftp::HeaderSize;
    for (qint64 done = 0; done < m_writeUsed;) {
        const qint64 written = m_temporary->write(data + done, m_writeUsed - done);
        if (written <= 0)
            return false;
        done += written;
    }
    m_writeUsed = 0;
    return true;
}

bool TftpTransfer::commitDownload(QString *error)
{
    if (m_request.mode == Tftp::Mode::Netascii) {
        char *const end = m_writeBuffer.data() + Tftp::HeaderSize + m_writeUsed;
        const qint64 stored = m_netasciiDecoder.finish(end) - end;
        m_writeUsed += stored;
        m_received += stored;
    }
    // flush() too writes what fits and no reason; asked twice, it gives one.
    if (!flushWriteBuffer() || !(m_temporary->flush() || m_temporary->flush())) {
        *error = u"cannot write %1: %2"_s.arg(m_targetPath, m_temporary->errorString());
        return false;
    }
    // A temporary file is private (0600); the download gets the usual mode,
    // or the mode of the file it replaces.
    QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner
        | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (m_request.overwrite && QFileInfo::exists(m_targetPath))
        permissions = QFile::permissions(m_targetPath);
    m_temporary->setPermissions(permissions);
    const QString temporaryPath = m_temporary->fileName();
    m_temporary->close();
    if (m_request.overwrite) {
        // Atomic: the old file stays whole until the new one takes its name.
        std::error_code code;
        std::filesystem::rename(
            std::filesystem::path(QFile::encodeName(temporaryPath).toStdString()),
            std::filesystem::path(QFile::encodeName(m_targetPath).toStdString()), code);
        if (code) {
            *error = u"cannot rename the download to %1: %2"_s.arg(
                m_targetPath, QString::fromStdString(code.message()));
            return false;
        }
    } else if (!QFile::rename(temporaryPath, m_targetPath)) {
        // QFile::rename never replaces: someone made the file meanwhile.
        *error = QFileInfo::exists(m_targetPath)
            ? u"%1 appeared during the transfer; not replaced (choose overwrite)"_s.arg(
                m_targetPath)
            : u"cannot rename the download to %1"_s.arg(m_targetPath);
        return false;
    }
    m_temporary->setAutoRemove(false);
    m_temporary.reset();
    return true;
}

// ---- Upload ----------------------------------------------------------------

void TftpTransfer::beginUpload()
{
    m_phase = Phase::Transferring;
    m_base = 1;
    m_next = 1;
    m_lastSent = 0;
    // The headroom before the first byte takes the first block's header.
    m_wire = QByteArray(Tftp::HeaderSize, '\0');
    m_wire.reserve(Tftp::HeaderSize + 2 * FileChunk + qsizetype(m_windowSize) * m_blockSize);
    sendWindow();
}

bool TftpTransfer::fillSendBuffer(qint64 wireEnd)
{
    // Bytes of acknowledged blocks go once a chunk of them has piled up.
    const qint64 acked = (m_base - 1) * m_blockSize;
    if (acked - m_wireOffset >= FileChunk) {
        m_wire.remove(Tftp::HeaderSize, acked - m_wireOffset);
        m_wireOffset = acked;
    }
    while (!m_sourceEnded && wireBuffered() < wireEnd) {
        qint64 got = 0;
        if (m_request.mode == Tftp::Mode::Octet) {
            const qsizetype old = m_wire.size();
            m_wire.resize(old + FileChunk);
            got = m_source->read(m_wire.data() + old, FileChunk);
            m_wire.resize(old + std::max<qint64>(got, 0));
        } else {
            m_readChunk.resize(FileChunk);
            got = m_source->read(m_readChunk.data(), FileChunk);
            if (got > 0) {
                Tftp::NetasciiEncoder().encode(
                    QByteArrayView(m_readChunk.constData(), got), m_wire);
                m_netasciiMarks.emplace_back(wireBuffered(), m_fileRead + got);
            }
        }
        if (got < 0) {
            const QString message
                = u"cannot read %1: %2"_s.arg(m_result.localPath, m_source->errorString());
            sendError(Tftp::ErrorCode::NotDefined, u"the client cannot read the file"_s);
            finish(TftpStatus::LocalError, message);
            return false;
        }
        m_fileRead += got;
        if (got == 0) {
            m_sourceEnded = true;
            m_wireSize = wireBuffered();
            m_lastBlock = m_wireSize / m_blockSize + 1; // a short (maybe empty) block ends it
        }
    }
    return true;
}

void TftpTransfer::sendWindow()
{
    const qint64 windowEnd = m_base + m_windowSize - 1;
    while (m_next <= windowEnd) {
        if (m_lastBlock >= 0 && m_next > m_lastBlock)
            break;
        if (!sendBlock(m_next))
            return;
        m_lastSent = std::max(m_lastSent, m_next);
        ++m_next;
    }
    m_awaitingReply = true;
}

bool TftpTransfer::sendBlock(qint64 block)
{
    const qint64 start = (block - 1) * m_blockSize;
    if (!fillSendBuffer(start + m_blockSize))
        return false;
    if (m_lastBlock >= 0 && block > m_lastBlock)
        return true;
    const qint64 length = std::clamp<qint64>(wireBuffered() - start, 0, m_blockSize);
    // The header goes just before the block, over the previous block's last
    // bytes (or the headroom), which are put back once the packet is sent.
    char *const packet = m_wire.data() + (start - m_wireOffset);
    char kept[Tftp::HeaderSize];
    std::memcpy(kept, packet, sizeof kept);
    Tftp::writeHeader(packet, Tftp::Opcode::Data, quint16(block));
    sendToPeer(packet, Tftp::HeaderSize + length);
    std::memcpy(packet, kept, sizeof kept);
    return m_phase != Phase::Done;
}

void TftpTransfer::onAck(quint16 block)
{
    // Which of the blocks in flight does it acknowledge? Anything else,
    // above all a repeat of the last ACK, is ignored: answering a duplicate
    // ACK with DATA is the Sorcerer's Apprentice bug. Only a timeout resends.
    const auto back = quint16(quint16(m_lastSent) - block);
    const qint64 inFlight = m_lastSent - (m_base - 1);
    if (back >= inFlight)
        return;
    const qint64 acked = m_lastSent - back;
    m_base = acked + 1;
    m_progressed = true;
    if (m_lastBlock >= 0 && acked >= m_lastBlock)
        return finish(TftpStatus::Success, {});
    // After a full window this sends the next one; after an ACK inside the
    // window (the server saw a gap) it resends from the block after it.
    m_next = m_base;
    sendWindow();
}

qint64 TftpTransfer::uploadedFileBytes(qint64 ackedWireBytes)
{
    if (m_request.mode == Tftp::Mode::Octet)
        return ackedWireBytes;
    while (!m_netasciiMarks.empty() && m_netasciiMarks.front().first <= ackedWireBytes) {
        m_fileAcked = m_netasciiMarks.front().second;
        m_netasciiMarks.pop_front();
    }
    return m_fileAcked;
}

// ---- Both ------------------------------------------------------------------

void TftpTransfer::onTimer()
{
    if (m_phase != Phase::Requesting && m_phase != Phase::Transferring)
        return;
    // A timeout is TicksPerTimeout quiet ticks in a row; any progress since
    // the last tick starts the count again.
    const int tick = std::max(1, currentTimeoutMs() / TicksPerTimeout);
    if (m_progressSinceTick) {
        m_progressSinceTick = false;
        m_quietTicks = 0;
        m_timer.start(tick);
        return;
    }
    if (++m_quietTicks < TicksPerTimeout) {
        m_timer.start(tick);
        return;
    }
    if (m_attempt >= m_request.retries) {
        const QString server = Endpoint { m_server, m_serverPort }.toString();
        QString message;
        if (m_phase == Phase::Requesting)
            message = u"no answer from %1 after %2 retransmissions (%3)"_s;
        else if (isDownload())
            message = u"%1 stopped sending after block %4, %2 retransmissions (%3)"_s;
        else
            message = u"%1 stopped acknowledging at block %4, %2 retransmissions (%3)"_s;
        message = message.arg(server).arg(m_attempt).arg(seconds(waitedMs()));
        if (m_phase == Phase::Requesting && m_otherHostPackets > 0) {
            message += u"; %1 answer(s) came from %2 instead and were refused: "
                       "a TFTP server must answer from the address it was asked at"_s.arg(
                           QString::number(m_otherHostPackets),
                           Endpoint { m_otherHost, m_otherHostPort }.toString());
        }
        if (m_phase == Phase::Transferring) {
            message = message.arg(isDownload() ? m_expected - 1 : m_base);
            sendError(Tftp::ErrorCode::NotDefined, u"timed out"_s);
        }
        return finish(TftpStatus::TimedOut, message);
    }
    ++m_attempt;
    ++m_result.retransmissions;
    qCInfo(lcTftp) << "timeout, retransmission" << m_attempt;
    if (m_phase == Phase::Requesting) {
        sendRequest();
        return;
    }
    if (isDownload()) {
        m_inWindow = 0;
        m_gapReported = false;
        acknowledgeInOrder();
    } else {
        m_next = m_base;
        sendWindow();
    }
    if (m_phase != Phase::Done)
        armTimer();
}

void TftpTransfer::emitProgress(bool force)
{
    if (!force && m_lastProgressSignal.isValid()
        && m_lastProgressSignal.elapsed() < ProgressIntervalMs)
        return;
    m_lastProgressSignal.start();
    qint64 done = m_received;
    if (!isDownload()) {
        qint64 ackedWire = (m_base - 1) * m_blockSize;
        if (m_wireSize >= 0)
            ackedWire = std::min(ackedWire, m_wireSize);
        done = uploadedFileBytes(ackedWire);
    }
    Q_EMIT progress(done, m_total);
}

bool TftpTransfer::sendTo(const char *data, qint64 size, const QHostAddress &address, quint16 port)
{
    if (m_socket->writeDatagram(data, size, address, port) >= 0)
        return true;
    // A full buffer is a lost packet, and timeouts deal with those.
    switch (m_socket->error()) {
    case QAbstractSocket::TemporaryError:
    case QAbstractSocket::ConnectionRefusedError:
    case QAbstractSocket::UnknownSocketError:
        return false;
    default:
        break;
    }
    const QString message = u"cannot send to %1: %2"_s.arg(
        Endpoint { address, port }.toString(), m_socket->errorString());
    finish(TftpStatus::NetworkError, message);
    return false;
}

void TftpTransfer::sendError(Tftp::ErrorCode code, const QString &message)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::BoundState)
        return;
    const QByteArray packet = Tftp::encodeError(quint16(code), message.toUtf8());
    if (m_peerLocked)
        m_socket->writeDatagram(packet, m_peer, m_peerPort);
    else
        m_socket->writeDatagram(packet, m_server, m_serverPort);
}

void TftpTransfer::failProtocol(const QString &message)
{
    sendError(Tftp::ErrorCode::IllegalOperation, message);
    finish(TftpStatus::ProtocolError, message);
}

void TftpTransfer::finish(TftpStatus status, const QString &message)
{
    if (m_phase == Phase::Done)
        return;
    const bool contacted = m_phase == Phase::Requesting || m_phase == Phase::Transferring;
    m_phase = Phase::Done;
    m_timer.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    QString error = message;
    if (status == TftpStatus::Success && isDownload()) {
        if (!commitDownload(&error))
            status = TftpStatus::LocalError;
    }
    m_temporary.reset(); // removes a partial download
    m_writeBuffer = QByteArray();
    m_writeUsed = 0;
    if (m_source)
        m_source->close();

    m_result.status = status;
    m_result.errorString = status == TftpStatus::Success ? QString() : error;
    m_result.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    m_result.blockSize = m_blockSize;
    m_result.windowSize = m_windowSize;
    m_result.remoteName = m_request.remoteName;
    if (isDownload()) {
        m_result.bytes = m_received;
    } else {
        const qint64 ackedWire
            = status == TftpStatus::Success ? m_wireSize : (m_base - 1) * m_blockSize;
        m_result.bytes = status == TftpStatus::Success ? m_fileRead : uploadedFileBytes(ackedWire);
    }
    if (status == TftpStatus::Success && m_total < 0)
        m_total = m_result.bytes;

    if (m_socket) {
        // A download dallies a while (RFC 1350) to ACK the last block again
        // should the server not have had our final ACK.
        const bool dally = status == TftpStatus::Success && isDownload() && contacted;
        if (!dally) {
            m_socket->disconnect(this);
#ifdef Q_OS_UNIX
            if (m_native && m_native->notifier)
                m_native->notifier->setEnabled(false);
#endif
        }
        QTimer::singleShot(dally ? 2 * m_request.timeoutMs : 0, this, [this] { closeSocket(); });
    }
    qCDebug(lcTftp) << "finished" << tftpStatusName(status) << m_result.errorString;
    // From the event loop, so that a receiver may delete this object.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_result.ok())
                Q_EMIT progress(m_result.bytes, m_total);
            Q_EMIT finished(m_result);
        },
        Qt::QueuedConnection);
}
