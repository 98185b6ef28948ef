#pragma once

#include "net/log/logdecoders.h"
#include "net/log/logwriter.h"

#include <QFile>

#include <memory>

class TrafficLog;
struct LogEntry;

// A file the traffic log writes every entry to as it comes (appending), in
// arrival order through its own decoders. Writes are buffered; the log
// flushes once per batch, so a crash loses at most one batch interval.
class LogStream final
{
    Q_DISABLE_COPY_MOVE(LogStream)

public:
    // Null and a message when the file cannot be opened. A CSV file gets its
    // header when it is new or empty.
    static std::unique_ptr<LogStream> open(
        const TrafficLog *log, const QString &path, LogFormat format, QString *error);
    ~LogStream();

    LogFormat format() const { return m_writer.format(); }
    // False once a write or flush fails; errorText() then says why, and the
    // stream is of no further use (what it buffers cannot be written either).
    bool write(const LogEntry &entry);
    bool flush();
    QString errorText() const;

private:
    LogStream(const TrafficLog *log, std::unique_ptr<QFile> file, LogFormat format);

    std::unique_ptr<QFile> m_file;
    LogWriter m_writer;
    LogDecoders m_decoders;
};
