#include "net/log/trafficlog.h"

#include "net/text/hex.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSaveFile>

#include <algorithm>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

// Long enough to gather a burst into one batch, short enough to feel live.
constexpr int BatchIntervalMs = 50;
// Peers come and go; the decoders of departed ones are not worth keeping
// forever. Dropping them all at once only risks one split character.
constexpr qsizetype MaxStreamDecoders = 4096;

using DecoderHash = QHash<QString, std::shared_ptr<StreamDecoder>>;

QString cannotWrite(const QString &path, const QString &reason)
{
    return u"cannot write log to %1: %2"_s.arg(QDir::toNativeSeparators(path), reason);
}

// When a write fills the disk, Qt writes the part that fits and gives no
// reason ("Unknown error"); writing the rest again either succeeds (space came
// back) or fails at once with the system's reason ("No space left on device").
// flush() does the same with what QFile holds in its buffer.
bool flushAll(QFile &file)
{
    return file.flush() || file.flush();
}

bool writeAll(QFile &file, QByteArrayView bytes)
{
    qint64 done = 0;
    bool retried = false;
    while (done < bytes.size()) {
        // write() flushes a full buffer first, and fails as flush() does.
        const qint64 written = file.write(bytes.data() + done, bytes.size() - done);
        if (written > 0) {
            done += written;
            retried = false;
        } else if (retried || !flushAll(file)) {
            return false;
        } else {
            retried = true;
        }
    }
    return true;
}

// The message of a failed stream; the stream is dropped with whatever it still
// buffers, since that cannot be written either.
QString takeStreamError(std::unique_ptr<QFile> &stream)
{
    const QString message = cannotWrite(stream->fileName(), stream->errorString());
    stream.reset();
    return message;
}

void appendHex(QString &out, char16_t unit, int digits)
{
    static constexpr char16_t HexDigits[] = u"0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out += QChar(HexDigits[(unit >> shift) & 0xf]);
}

// Escapes whatever could break a line or hide in a terminal, so one entry is
// always exactly one line and the original text can be read back.
QString decoderKey(const LogEntry &entry)
{
    return QString::number(entry.session) + u'/' + QString::number(entry.peerId)
        + (entry.kind == LogKind::Rx ? u"/rx"_s : u"/tx"_s);
}

// Data entries go through the stateful decoder of their session, peer and
// direction; events are UTF-8 already.
QString decodeWith(DecoderHash &decoders, const LogEntry &entry, const QString &encoding)
{
    if (!entry.isData())
        return QString::fromUtf8(entry.data);

    std::shared_ptr<StreamDecoder> &decoder = decoders[decoderKey(entry)];
    if (!decoder || decoder->encoding() != encoding) {
        decoder = std::make_shared<StreamDecoder>(encoding);
        if (!decoder->isValid())
            decoder = std::make_shared<StreamDecoder>(u"UTF-8");
    }
    return decoder->decode(entry.data);
}

QString localTimeText(qint64 msecsSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
}

// ISO 8601 local time with milliseconds and always a numeric offset: Qt 6.4
// leaves the offset off local times and writes UTC as "Z", which some readers
// (Python before 3.11) refuse.
QString isoTimeText(qint64 msecsSinceEpoch)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch);
    const int offset = time.offsetFromUtc();
    const int minutes = std::abs(offset) / 60;
    return time.toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz"_s) + (offset < 0 ? u'-' : u'+')
        + u"%1:%2"_s.arg(minutes / 60, 2, 10, QChar(u'0')).arg(minutes % 60, 2, 10, QChar(u'0'));
}

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

QString escapeForLine(QStringView text, bool quoted)
{
    QString out;
    out.reserve(text.size() + 2);
    for (const QChar c : text) {
        const char16_t unit = c.unicode();
        switch (unit) {
        case u'\r':
            out += u"\\r"_s;
            break;
        case u'\n':
            out += u"\\n"_s;
            break;
        case u'\t':
            out += u"\\t"_s;
            break;
        case u'\\':
            out += u"\\\\"_s;
            break;
        case u'"':
            out += quoted ? u"\\\""_s : u"\""_s;
            break;
        default:
            if (unit < 0x20 || unit == 0x7f) {
                out += u"\\x"_s;
                appendHex(out, unit, 2);
            } else if ((unit >= 0x80 && unit < 0xa0) || unit == 0x2028 || unit == 0x2029) {
                // C1 controls and Unicode line separators end lines for some tools.
                out += u"\\u"_s;
                appendHex(out, unit, 4);
            } else {
                out += c;
            }
        }
    }
    return out;
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
    // The decoders notice the change themselves (see decodeWith).
    m_sessionEncodings[session - 1] = TextCodec::canonicalName(encoding).value_or(encoding);
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

    if (m_stream) {
        const QString text = decodeForStream(entry);
        QByteArray line = m_streamFormat == StreamFormat::Text ? formatText(entry, text).toUtf8()
                                                               : formatJson(entry, text);
        line += '\n';
        // QFile buffers; the batch timer flushes.
        if (!writeAll(*m_stream, line)) {
            const QString message = takeStreamError(m_stream);
            m_streamDecoders.clear();
            Q_EMIT streamError(message);
        }
    }

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

bool TrafficLog::startStreaming(const QString &path, StreamFormat format, QString *error)
{
    stopStreaming();

    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = cannotWrite(path, file->errorString());
        return false;
    }
    m_stream = std::move(file);
    m_streamFormat = format;
    m_streamDecoders.clear();
    if (error)
        error->clear();
    return true;
}

void TrafficLog::stopStreaming()
{
    if (!m_stream)
        return;
    m_streamDecoders.clear();
    if (!flushAll(*m_stream)) {
        const QString message = takeStreamError(m_stream);
        Q_EMIT streamError(message);
        return;
    }
    m_stream.reset();
}

QString TrafficLog::formatText(const LogEntry &entry, const QString &text) const
{
    QString line = localTimeText(entry.msecsSinceEpoch) + u" ["_s
        + escapeForLine(sessionName(entry.session), false) + u"] "_s
        + logKindName(entry.kind).toUpper() + u' '
        + (entry.peer.isNull() ? u"-"_s : entry.peer.toString());
    if (entry.isData()) {
        line += u' ' + QString::number(entry.data.size()) + u" B \""_s + escapeForLine(text, true)
            + u"\" |"_s;
        if (!entry.data.isEmpty())
            line += u' ' + Hex::format(entry.data);
    } else if (!entry.data.isEmpty()) {
        line += u' ' + escapeForLine(QString::fromUtf8(entry.data), false);
    }
    return line;
}

QByteArray TrafficLog::formatJson(const LogEntry &entry, const QString &text) const
{
    QJsonObject object {
        { u"time"_s, isoTimeText(entry.msecsSinceEpoch) },
        { u"session"_s, sessionName(entry.session) },
        { u"event"_s, logKindName(entry.kind) },
        { u"peer"_s,
            entry.peer.isNull() ? QJsonValue() : QJsonValue(entry.peer.address.toString()) },
        { u"port"_s, entry.peer.isNull() ? QJsonValue() : QJsonValue(int(entry.peer.port)) },
    };
    if (entry.isData()) {
        object.insert(u"bytes"_s, qint64(entry.data.size()));
        object.insert(u"text"_s, text);
        object.insert(u"hex"_s, Hex::format(entry.data));
    } else {
        object.insert(u"message"_s, QString::fromUtf8(entry.data));
    }
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool TrafficLog::saveTo(const QString &path, StreamFormat format, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = cannotWrite(path, file.errorString());
        return false;
    }

    DecoderHash decoders; // fresh: the saved log starts at its oldest entry
    for (qsizetype i = 0; i < size(); ++i) {
        const LogEntry &entry = at(i);
        const QString text = decodeWith(decoders, entry, sessionEncoding(entry.session));
        QByteArray line = format == StreamFormat::Text ? formatText(entry, text).toUtf8()
                                                       : formatJson(entry, text);
        line += '\n';
        if (file.write(line) != line.size())
            break; // commit() reports it
    }
    if (!file.commit()) {
        if (error)
            *error = cannotWrite(path, file.errorString());
        return false;
    }
    if (error)
        error->clear();
    return true;
}

void TrafficLog::flushBatch()
{
    if (m_stream && !flushAll(*m_stream)) {
        const QString message = takeStreamError(m_stream);
        m_streamDecoders.clear();
        Q_EMIT streamError(message);
    }
    Q_EMIT batchReady();
}

QString TrafficLog::decodeForStream(const LogEntry &entry)
{
    if (m_streamDecoders.size() > MaxStreamDecoders)
        m_streamDecoders.clear();
    return decodeWith(m_streamDecoders, entry, sessionEncoding(entry.session));
}
