// TftpTransfer, continued: the data flow once the transfer runs, in both
// directions. This is the hot path: one datagram at a time, received in place
// where it can be, answered without allocating.
#include "net/tftp/tftptransfer.h"

#include "net/tftp/tftpfilesink.h"
#include "net/tftp/tftpfilesource.h"
#include "net/tftp/tftpsocket.h"

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

// Datagrams handled per turn of the event loop before yielding to timers.
constexpr int DatagramsPerTurn = 512;
// progress() looks at the clock only after this many bytes.
constexpr qint64 ProgressCheckBytes = 256 * 1024;

} // namespace

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
        m_retry.noteProgress();
        const qint64 done = isDownload() ? downloadedBytes() : (m_base - 1) * m_blockSize;
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
        = m_phase == Phase::Transferring && isDownload() && m_sink->receivesInPlace();
    char *const at = inPlace ? m_sink->receiveSlot() : m_receiveBuffer.data();
    char kept[Tftp::HeaderSize];
    if (inPlace)
        std::memcpy(kept, at, sizeof kept);

    bool fromPeer = false;
    const qint64 size = m_socket->receive(at, &fromPeer);
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
    handleDatagram(QByteArrayView(m_receiveBuffer.constData(), size), m_socket->senderAddress(),
        m_socket->senderPort());
    return true;
}

bool TftpTransfer::sendOutcome(TftpSocket::SendStatus status)
{
    switch (status) {
    case TftpSocket::SendStatus::Sent:
        return true;
    case TftpSocket::SendStatus::Dropped:
        return false;
    case TftpSocket::SendStatus::Failed:
        break;
    }
    finish(TftpStatus::NetworkError, m_socket->errorString());
    return false;
}

bool TftpTransfer::sendToPeer(const char *data, qint64 size)
{
    return sendOutcome(m_socket->sendToPeer(data, size));
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
        if (!m_sink->write(payload)) {
            sendError(Tftp::ErrorCode::DiskFull, u"cannot write the file"_s);
            return finish(TftpStatus::LocalError, m_sink->errorString());
        }
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

qint64 TftpTransfer::downloadedBytes() const
{
    return m_sink ? m_sink->size() : 0;
}

// ---- Upload ----------------------------------------------------------------

void TftpTransfer::beginUpload()
{
    m_phase = Phase::Transferring;
    m_base = 1;
    m_next = 1;
    m_lastSent = 0;
    m_source->reserve(qint64(m_windowSize) * m_blockSize);
    sendWindow();
}

bool TftpTransfer::fillSource(qint64 wireEnd)
{
    if (!m_source->fill(wireEnd, (m_base - 1) * m_blockSize)) {
        sendError(Tftp::ErrorCode::NotDefined, u"the client cannot read the file"_s);
        finish(TftpStatus::LocalError, m_source->errorString());
        return false;
    }
    if (m_lastBlock < 0 && m_source->atEnd()) // a short (maybe empty) block ends it
        m_lastBlock = m_source->wireSize() / m_blockSize + 1;
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
    if (!fillSource(start + m_blockSize))
        return false;
    if (m_lastBlock >= 0 && block > m_lastBlock)
        return true;
    const qint64 length = std::clamp<qint64>(m_source->wireBuffered() - start, 0, m_blockSize);
    // The header goes just before the block, over the previous block's last
    // bytes (or the headroom), which are put back once the packet is sent.
    char *const packet = m_source->wireAt(start) - Tftp::HeaderSize;
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
    return m_source ? m_source->fileBytesFor(ackedWireBytes) : 0;
}
