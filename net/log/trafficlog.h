#pragma once

#include "net/core/endpoint.h"
#include "net/log/logwriter.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

class LogStream;

// What a log entry records: data in either direction, or a session event.
enum class LogKind : quint8 {
    Rx,
    Tx,
    Listening, // a server listens or a UDP socket is bound; peer holds the local address
    Connected,
    Disconnected, // data holds the reason
    Error, // data holds the message (UTF-8)
    Info, // data holds the message (UTF-8)
};

QString logKindName(LogKind kind); // "rx", "tx", "listening", ...

struct LogEntry
{
    qint64 msecsSinceEpoch = 0;
    int session = 0; // id from TrafficLog::registerSession()
    LogKind kind = LogKind::Info;
    quint64 peerId = 0; // 0 when there is no peer
    Endpoint peer;
    QByteArray data; // raw bytes for Rx/Tx, UTF-8 text otherwise

    bool isData() const { return kind == LogKind::Rx || kind == LogKind::Tx; }
};

// Traffic of every session, in arrival order, bounded: when the cap is
// reached the oldest entries go. Only kept entries take memory (a deque, not a
// ring allocated for the cap: a default LogEntry allocates its address). Listeners are told of each
// entry as it comes (appended) and of each batch on a short timer (batchReady), which is also when
// the optional stream file is flushed. The log keeps entries as they came;
// turning them into text is for LogDecoders and LogWriter.
class TrafficLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficLog)

public:
    using StreamFormat = LogFormat;

    static constexpr qsizetype DefaultCap = 100'000;
    // Payload bytes kept at most: a flood of large reads must not take all memory.
    static constexpr qint64 DefaultByteCap = 64 * 1024 * 1024;

    explicit TrafficLog(QObject *parent = nullptr);
    ~TrafficLog() override;

    int registerSession(const QString &name);
    QString sessionName(int session) const;
    // Received and sent text of this session is decoded with this encoding when
    // streamed as text or JSON (one stateful decoder per peer and direction).
    void setSessionEncoding(int session, const QString &encoding);
    QString sessionEncoding(int session) const;
    // Changes with every setSessionEncoding(), so decoders notice cheaply.
    quint64 encodingRevision() const { return m_encodingRevision; }

    void append(LogEntry entry);

    qsizetype size() const { return qsizetype(m_entries.size()); }
    const LogEntry &at(qsizetype index) const; // 0 is the oldest kept entry
    // Sequence number of at(0); at(i) has firstSequence() + i. Numbers never repeat.
    quint64 firstSequence() const { return m_appended - m_entries.size(); }
    quint64 totalAppended() const { return m_appended; }

    qsizetype cap() const { return m_cap; }
    void setCap(qsizetype cap); // keeps the newest entries that fit
    // The payload bytes kept; the oldest entries go when more arrive (the
    // newest entry is always kept, whatever its size).
    qint64 byteCap() const { return m_byteCap; }
    void setByteCap(qint64 bytes);
    qint64 bytes() const { return m_bytes; }
    void clear();

    // Writes every entry from now on to path (appending, see LogStream),
    // flushed once per batch so a crash loses at most one batch interval.
    // False and an error message when the file cannot be opened. Without a
    // format, the file's extension chooses (see logFormatForPath()).
    bool startStreaming(const QString &path, QString *error);
    bool startStreaming(const QString &path, LogFormat format, QString *error);
    void stopStreaming();
    bool isStreaming() const { return m_stream != nullptr; }

    // Writes the kept entries to path in the format (see LogWriter::save()).
    bool saveTo(const QString &path, LogFormat format, QString *error) const;

Q_SIGNALS:
    void appended(const LogEntry &entry);
    void batchReady();
    void streamError(const QString &message);
    void cleared();

private:
    void flushBatch();
    void dropOldest();
    void failStream();

    std::deque<LogEntry> m_entries; // oldest first
    qsizetype m_cap = DefaultCap;
    quint64 m_appended = 0;
    qint64 m_bytes = 0; // payload bytes of the kept entries
    qint64 m_byteCap = DefaultByteCap;
    QStringList m_sessionNames;
    QStringList m_sessionEncodings;
    quint64 m_encodingRevision = 0;
    QTimer m_batchTimer;

    std::unique_ptr<LogStream> m_stream;
};
