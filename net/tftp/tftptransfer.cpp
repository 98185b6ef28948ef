#include "net/tftp/tftptransfer.h"

#include "net/core/endpoint.h"
#include "net/core/logging.h"
#include "net/tftp/tftpfilesink.h"
#include "net/tftp/tftpfilesource.h"
#include "net/tftp/tftpoptions.h"
#include "net/tftp/tftpsocket.h"

#include <QFileInfo>
#include <QHostInfo>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int ProgressIntervalMs = 100;

bool sameHost(const QHostAddress &a, const QHostAddress &b)
{
    return a.isEqual(b, QHostAddress::TolerantConversion);
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms < 10'000 ? 1 : 0) + u" s"_s;
}

} // namespace

TftpTransfer::TftpTransfer(TftpRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_retry([this] { onTimeout(); })
{
    m_retry.setBackoff(TftpBackoff { m_request.timeoutMs });
}

TftpTransfer::~TftpTransfer()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    // The server would otherwise retry into the void; a partial download goes
    // with m_sink.
    if (m_socket && (m_phase == Phase::Requesting || m_phase == Phase::Transferring))
        sendError(Tftp::ErrorCode::NotDefined, u"transfer abandoned"_s);
    closeSocket();
}

void TftpTransfer::closeSocket()
{
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
    auto invalid = [this](const QString &message) { finish(TftpStatus::InvalidRequest, message); };
    if (const QString problem = tftpRequestProblem(m_request); !problem.isEmpty())
        return invalid(problem);

    QString error;
    TftpStatus status = TftpStatus::InvalidRequest;
    if (!(isDownload() ? prepareDownload(&error, &status) : prepareUpload(&error, &status)))
        return finish(status, error);
    m_result.remoteName = m_request.remoteName;
    if (m_request.remoteName.isEmpty())
        return invalid(u"no remote file name given"_s);
    if (m_request.remoteName.contains(QChar(0)))
        return invalid(u"the remote file name contains a NUL character"_s);

    const Tftp::OptionWishes wishes { m_request.blockSize, m_request.windowSize,
        m_request.timeoutOption, m_request.transferSize };
    m_askedOptions = Tftp::requestOptions(wishes, !isDownload(), m_request.mode, m_total);
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
    const std::optional<QString> target = tftpDownloadTarget(m_request, error);
    if (!target) {
        *status = TftpStatus::InvalidRequest;
        return false;
    }
    *status = TftpStatus::LocalError;
    m_sink = std::make_unique<TftpFileSink>();
    const bool opened = m_sink->open(*target, m_request.mode, m_request.overwrite, error);
    m_result.localPath = m_sink->targetPath();
    if (!opened)
        m_sink.reset();
    return opened;
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
    m_source = std::make_unique<TftpFileSource>();
    if (!m_source->open(path, m_request.mode, error)) {
        m_source.reset();
        return false;
    }
    m_total = m_source->fileSize();
    if (m_request.remoteName.isEmpty())
        m_request.remoteName = QFileInfo(path).fileName();
    m_result.localPath = m_source->path();
    return true;
}

void TftpTransfer::contact(const QHostAddress &address)
{
    m_server = address;
    m_serverPort = m_request.port;
    m_socket = std::make_unique<TftpSocket>(this, [this] { readPending(); });
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    QString error;
    if (!m_socket->bind(v6 ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4, 0, &error))
        return finish(TftpStatus::NetworkError, error);
    m_socket->setBufferSizes(m_request.blockSize > 0 ? m_request.blockSize : Tftp::DefaultBlockSize,
        m_request.windowSize > 0 ? m_request.windowSize : 1, !isDownload());
    m_receiveBuffer.resize(TftpSocket::ReceiveSize);
    m_phase = Phase::Requesting;
    emitProgress(true);
    sendRequest();
}

void TftpTransfer::sendRequest()
{
    sendTo(m_requestPacket.constData(), m_requestPacket.size(), m_server, m_serverPort);
    if (m_phase == Phase::Done)
        return;
    m_retry.arm();
}

void TftpTransfer::handleDatagram(
    QByteArrayView datagram, const QHostAddress &from, quint16 fromPort)
{
    if (m_socket->hasPeer()) {
        if (fromPort != m_socket->peerPort() || !sameHost(from, m_socket->peerAddress()))
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
        if (!m_socket->hasPeer())
            lockPeer(from, fromPort);
        // An ERROR that is merely sloppy (no NUL) still says what went wrong.
        if (datagram.size() >= Tftp::HeaderSize && decoded.error != Tftp::DecodeError::Oversized
            && Tftp::readUint16(datagram.data()) == quint16(Tftp::Opcode::Error)) {
            const QByteArrayView text = datagram.sliced(Tftp::HeaderSize);
            const qsizetype nul = text.indexOf('\0');
            return failWithServerError(
                Tftp::readUint16(datagram.data() + 2), nul < 0 ? text : text.first(nul));
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
            m_retry.resetAttempts();
            return sendRequest();
        }
        return failWithServerError(error->code, error->message);
    }
    return failProtocol(u"the server sent a read or write request"_s);
}

void TftpTransfer::failWithServerError(quint16 code, QByteArrayView message)
{
    m_result.serverErrorCode = code;
    m_result.serverMessage = Tftp::printable(message);
    finish(TftpStatus::ServerError,
        u"server error %1 (%2)%3"_s.arg(code).arg(Tftp::errorCodeText(code),
            m_result.serverMessage.isEmpty() ? QString() : u": "_s + m_result.serverMessage));
}

void TftpTransfer::rejectStranger(const QHostAddress &from, quint16 fromPort)
{
    // RFC 1350: a packet for no transfer of ours gets ERROR 5, and our transfer
    // goes on. (Taking its DATA would corrupt the file.)
    ++m_result.strangerPackets;
    qCInfo(lcTftp) << "packet from unknown transfer ID" << Endpoint { from, fromPort }.toString();
    static const QByteArray unknownTid
        = Tftp::encodeError(quint16(Tftp::ErrorCode::UnknownTransferId), "Unknown transfer ID");
    m_socket->sendQuietly(unknownTid, from, fromPort);
}

void TftpTransfer::lockPeer(const QHostAddress &from, quint16 fromPort)
{
    m_socket->setPeer(from, fromPort);
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
    const Tftp::OptionAckCheck check = Tftp::checkOptionAck(m_askedOptions, options, !isDownload());
    if (!check.ok()) {
        sendError(Tftp::ErrorCode::OptionRefused, check.error);
        finish(TftpStatus::ProtocolError, check.error);
        return false;
    }
    const Tftp::Parameters &p = check.parameters;
    m_blockSize = p.blockSize;
    m_windowSize = p.windowSize;
    m_result.optionsAcknowledged = true;
    if (isDownload() && p.transferSize >= 0) {
        m_result.transferSize = p.transferSize;
        m_total = p.transferSize;
    }
    if (p.blockSize > m_request.blockSize || p.windowSize > 1)
        m_socket->setBufferSizes(p.blockSize, p.windowSize, !isDownload());
    return true;
}

void TftpTransfer::onTimeout()
{
    if (m_phase != Phase::Requesting && m_phase != Phase::Transferring)
        return;
    const int attempt = m_retry.attempt();
    if (attempt >= m_request.retries) {
        const QString server = Endpoint { m_server, m_serverPort }.toString();
        QString message;
        if (m_phase == Phase::Requesting)
            message = u"no answer from %1 after %2 retransmissions (%3)"_s;
        else if (isDownload())
            message = u"%1 stopped sending after block %4, %2 retransmissions (%3)"_s;
        else
            message = u"%1 stopped acknowledging at block %4, %2 retransmissions (%3)"_s;
        message = message.arg(server).arg(attempt).arg(seconds(m_retry.waitedMs()));
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
    m_retry.countAttempt();
    ++m_result.retransmissions;
    qCInfo(lcTftp) << "timeout, retransmission" << m_retry.attempt();
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
        m_retry.arm();
}

void TftpTransfer::emitProgress(bool force)
{
    if (!force && m_lastProgressSignal.isValid()
        && m_lastProgressSignal.elapsed() < ProgressIntervalMs)
        return;
    m_lastProgressSignal.start();
    qint64 done = downloadedBytes();
    if (!isDownload()) {
        qint64 ackedWire = (m_base - 1) * m_blockSize;
        if (m_source && m_source->wireSize() >= 0)
            ackedWire = std::min(ackedWire, m_source->wireSize());
        done = uploadedFileBytes(ackedWire);
    }
    Q_EMIT progress(done, m_total);
}

bool TftpTransfer::sendTo(const char *data, qint64 size, const QHostAddress &address, quint16 port)
{
    return sendOutcome(m_socket->sendTo(data, size, address, port));
}

void TftpTransfer::sendError(Tftp::ErrorCode code, const QString &message)
{
    if (!m_socket)
        return;
    const QByteArray packet = Tftp::encodeError(quint16(code), message.toUtf8());
    if (m_socket->hasPeer())
        m_socket->sendQuietly(packet, m_socket->peerAddress(), m_socket->peerPort());
    else
        m_socket->sendQuietly(packet, m_server, m_serverPort);
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
    m_retry.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    QString error = message;
    if (status == TftpStatus::Success && isDownload()) {
        if (!m_sink->commit(&error))
            status = TftpStatus::LocalError;
    }
    const qint64 downloaded = downloadedBytes();
    m_sink.reset(); // removes a partial download
    if (m_source)
        m_source->close();

    m_result.status = status;
    m_result.errorString = status == TftpStatus::Success ? QString() : error;
    m_result.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    m_result.blockSize = m_blockSize;
    m_result.windowSize = m_windowSize;
    m_result.remoteName = m_request.remoteName;
    if (isDownload()) {
        m_result.bytes = downloaded;
    } else if (status == TftpStatus::Success) {
        m_result.bytes = m_source->fileBytesRead();
    } else {
        m_result.bytes = uploadedFileBytes((m_base - 1) * m_blockSize);
    }
    if (status == TftpStatus::Success && m_total < 0)
        m_total = m_result.bytes;

    if (m_socket) {
        // A download dallies a while (RFC 1350) to ACK the last block again
        // should the server not have had our final ACK.
        const bool dally = status == TftpStatus::Success && isDownload() && contacted;
        if (!dally)
            m_socket->stopReading();
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
