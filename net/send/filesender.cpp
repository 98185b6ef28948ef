#include "net/send/filesender.h"

#include "net/core/session.h"

#include <QFileInfo>
#include <QTimer>

#include <chrono>

using namespace Qt::StringLiterals;

namespace {
// Bytes handed over per turn of the event loop, so the loop stays responsive.
constexpr qint64 BytesPerTurn = 1024 * 1024;
// UDP never pushes back: what the receiver's socket buffer cannot hold when
// it comes is lost. A burst of 1 MiB in 1 KiB datagrams overruns a default
// buffer (208 KiB) nine times out of ten on loopback, so datagrams go out
// paced: at most this many, and this many bytes, per tick of this length.
constexpr int PacedDatagramsPerTick = 16;
constexpr qint64 PacedBytesPerTick = 32 * 1024;
constexpr auto PaceTick = std::chrono::milliseconds(1);
} // namespace

FileSender::FileSender(Session *session, QObject *parent)
    : QObject(parent)
    , m_session(session)
{
    if (session) {
        connect(session, &Session::bytesWritten, this, [this] {
            if (isRunning() && !m_pumpQueued && m_session->pendingBytes() < HighWater / 2)
                pump();
        });
        connect(session, &Session::stateChanged, this, [this](Session::State state) {
            if (state != Session::State::Active && isRunning())
                finish(SendResult::Status::SessionEnded,
                    u"the session stopped after %1 of %2 bytes"_s.arg(m_sent).arg(m_total));
        });
        // A session deleted while we wait for its bytesWritten() says nothing
        // else; without this the file would stay open and "running" for ever.
        connect(session, &QObject::destroyed, this, [this] {
            if (isRunning())
                finish(SendResult::Status::SessionEnded,
                    u"the session is gone after %1 of %2 bytes"_s.arg(m_sent).arg(m_total));
        });
    }
}

bool FileSender::start(const QString &path, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (isRunning())
        return fail(u"a file is already being sent"_s);
    if (!m_session || m_session->state() != Session::State::Active)
        return fail(u"the session is not running"_s);
    const QFileInfo info(path);
    if (info.isDir())
        return fail(u"cannot read %1: it is a directory"_s.arg(path));
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::ReadOnly))
        return fail(u"cannot read %1: %2"_s.arg(path, m_file.errorString()));
    m_sent = 0;
    m_chunks = 0;
    m_total = m_file.size();
    m_pumpQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_pumpQueued = false;
        pump();
    });
    return true;
}

void FileSender::cancel()
{
    if (isRunning())
        finish(SendResult::Status::Stopped,
            u"cancelled after %1 of %2 bytes"_s.arg(m_sent).arg(m_total));
}

void FileSender::pump()
{
    if (!isRunning())
        return;
    if (!m_session) {
        finish(SendResult::Status::SessionEnded,
            u"the session is gone after %1 of %2 bytes"_s.arg(m_sent).arg(m_total));
        return;
    }
    const qint64 chunkSize = m_chunkSize > 0 ? m_chunkSize : m_session->maxChunk();
    const bool paced = m_session->kind() == Session::Kind::Udp;
    qint64 budget = paced ? PacedBytesPerTick : BytesPerTurn;
    int chunks = 0;
    while (m_session->pendingBytes() < HighWater) {
        if (budget <= 0 || (paced && chunks >= PacedDatagramsPerTick)) {
            // Yield to the event loop (for UDP: until the next tick), then go on.
            m_pumpQueued = true;
            QTimer::singleShot(
                paced ? PaceTick : std::chrono::milliseconds(0), Qt::PreciseTimer, this, [this] {
                    m_pumpQueued = false;
                    pump();
                });
            return;
        }
        const QByteArray chunk = m_file.read(chunkSize);
        if (chunk.isEmpty()) {
            if (m_file.error() != QFileDevice::NoError)
                finish(SendResult::Status::ReadError,
                    u"cannot read %1: %2"_s.arg(m_file.fileName(), m_file.errorString()));
            else
                finish(SendResult::Status::Done, {});
            return;
        }
        if (!(m_send ? m_send(chunk) : m_session->send(chunk))) {
            if (isRunning())
                finish(SendResult::Status::SendFailed, m_session->errorString());
            return;
        }
        m_sent += chunk.size();
        ++m_chunks;
        budget -= chunk.size();
        ++chunks;
        Q_EMIT progress(m_sent, m_total);
        // A slot may have cancelled, or stopped the session (which finished
        // us); reading on would report a second, successful, end.
        if (!isRunning() || !m_session)
            return;
    }
    // Back-pressure: bytesWritten() calls pump() again once the backlog drains.
}

void FileSender::finish(SendResult::Status status, const QString &message)
{
    m_file.close();
    Q_EMIT finished({ status, message, m_sent, m_chunks });
}
