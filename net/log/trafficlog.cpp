#include "net/log/trafficlog.h"

#include "net/core/logging.h"
#include "net/log/logstream.h"
#include "net/text/hex.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// Long enough to gather a burst into one batch, short enough to feel live.
constexpr int BatchIntervalMs = 50;

} // namespace

QString logKindName(LogKind kind)
{
    switch (kind) {
    case LogKind::Rx:
        return u"rx"_s;
    case LogKind::Tx:
        return u"tx"_s;
    case LogKind::Listening:
        return u"listening"_s;
    case LogKind::Connected:
        return u"connected"_s;
    case LogKind::Disconnected:
        return u"disconnected"_s;
    case LogKind::Error:
        return u"error"_s;
    case LogKind::Info:
        return u"info"_s;
    }
    return u"info"_s;
}

TrafficLog::TrafficLog(QObject *parent)
    : QObject(parent)
{
    // A child, so the timer follows the log should it move to another thread.
    m_batchTimer.setParent(this);
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(BatchIntervalMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &TrafficLog::flushBatch);
}

// The stream file, if any, is flushed and closed by its destructor; nobody is
// told of a failure there since the log itself is going away.
TrafficLog::~TrafficLog() = default;

int TrafficLog::registerSession(const QString &name)
{
    m_sessionNames.append(name);
    m_sessionEncodings.append(u"UTF-8"_s);
    return int(m_sessionNames.size());
}

QString TrafficLog::sessionName(int session) const
{
    if (session >= 1 && session <= m_sessionNames.size())
        return m_sessionNames.at(session - 1);
    return u"session %1"_s.arg(session);
}

void TrafficLog::setSessionEncoding(int session, const QString &encoding)
{
    if (session < 1 || session > m_sessionEncodings.size())
        return;
    // The decoders notice the change themselves (see LogDecoders).
    m_sessionEncodings[session - 1] = TextCodec::canonicalName(encoding).value_or(encoding);
    ++m_encodingRevision;
}

QString TrafficLog::sessionEncoding(int session) const
{
    if (session >= 1 && session <= m_sessionEncodings.size())
        return m_sessionEncodings.at(session - 1);
    return u"UTF-8"_s;
}

void TrafficLog::append(LogEntry entry)
{
    if (qsizetype(m_entries.size()) >= m_cap)
        dropOldest();
    m_entries.push_back(entry);
    ++m_appended;
    m_bytes += entry.data.size();
    while (m_bytes > m_byteCap && m_entries.size() > 1)
        dropOldest();

    if (m_stream && !m_stream->write(entry))
        failStream();

    // The local copy, not the ring slot: a listener may append or clear.
    Q_EMIT appended(entry);

    // Started only when idle, so a flood still yields one batch per interval.
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void TrafficLog::dropOldest()
{
    m_bytes -= m_entries.front().data.size();
    m_entries.pop_front();
}

void TrafficLog::setByteCap(qint64 bytes)
{
    m_byteCap = std::max<qint64>(bytes, 0);
    while (m_bytes > m_byteCap && m_entries.size() > 1)
        dropOldest();
}

const LogEntry &TrafficLog::at(qsizetype index) const
{
    Q_ASSERT(index >= 0 && size_t(index) < m_entries.size());
    return m_entries[size_t(index)];
}

void TrafficLog::setCap(qsizetype cap)
{
    m_cap = std::max<qsizetype>(cap, 1);
    while (qsizetype(m_entries.size()) > m_cap)
        dropOldest(); // the oldest ones go
}

void TrafficLog::clear()
{
    // Swapped out rather than cleared, so the deque's blocks go too.
    std::deque<LogEntry>().swap(m_entries);
    m_bytes = 0;
    Q_EMIT cleared();
}

bool TrafficLog::startStreaming(const QString &path, QString *error)
{
    return startStreaming(path, logFormatForPath(path), error);
}

bool TrafficLog::startStreaming(const QString &path, LogFormat format, QString *error)
{
    stopStreaming();
    m_stream = LogStream::open(this, path, format, error);
    return m_stream != nullptr;
}

void TrafficLog::stopStreaming()
{
    if (m_stream && !m_stream->flush()) {
        failStream();
        return;
    }
    m_stream.reset();
}

// The stream is dropped with whatever it still buffers, since that cannot be
// written either; listeners are told once.
void TrafficLog::failStream()
{
    const QString message = m_stream->errorText();
    m_stream.reset();
    qCDebug(lcNetLog) << "streaming stopped:" << message;
    Q_EMIT streamError(message);
}

bool TrafficLog::saveTo(const QString &path, LogFormat format, QString *error) const
{
    return LogWriter::save(*this, path, format, error);
}

void TrafficLog::flushBatch()
{
    if (m_stream && !m_stream->flush())
        failStream();
    Q_EMIT batchReady();
}
