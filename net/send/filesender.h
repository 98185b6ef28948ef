#pragma once

#include <QFile>
#include <QObject>
#include <QPointer>

#include "net/send/sendresult.h"

class Session;

// Streams a file through a session in chunks, never holding more than a
// small window of it in memory: it reads the next chunk only when the
// session's backlog has drained below the high-water mark.
class FileSender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileSender)

public:
    static constexpr qint64 HighWater = 1024 * 1024;

    explicit FileSender(Session *session, QObject *parent = nullptr);

    // Sends each chunk through this instead of Session::send (e.g. to the
    // selected peers of a server), as PeriodicSender does.
    void setSendFunction(SendFunction send) { m_send = std::move(send); }

    // Chunk size for each send(); 0 means the session's maxChunk().
    void setChunkSize(qint64 bytes) { m_chunkSize = bytes; }
    // False with "cannot read FILE: reason" when the file cannot be opened.
    bool start(const QString &path, QString *error);
    void cancel();
    bool isRunning() const { return m_file.isOpen(); }
    qint64 bytesSent() const { return m_sent; }
    qint64 totalBytes() const { return m_total; }

Q_SIGNALS:
    void progress(qint64 sent, qint64 total);
    // Once per start() that succeeded; not ok() carries the reason (read
    // error, session stopped, send refused, cancelled).
    void finished(const SendResult &result);

private:
    void pump();
    void finish(SendResult::Status status, const QString &message);

    QPointer<Session> m_session;
    SendFunction m_send;
    QFile m_file;
    qint64 m_chunkSize = 0;
    qint64 m_sent = 0;
    qint64 m_total = 0;
    int m_chunks = 0;
    bool m_pumpQueued = false;
};
