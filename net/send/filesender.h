#pragma once

#include <QFile>
#include <QObject>
#include <QPointer>

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
    // ok false carries the reason (read error, session stopped, cancelled).
    void finished(bool ok, const QString &error);

private:
    void pump();
    void finish(bool ok, const QString &error);

    QPointer<Session> m_session;
    QFile m_file;
    qint64 m_chunkSize = 0;
    qint64 m_sent = 0;
    qint64 m_total = 0;
    bool m_pumpQueued = false;
};
