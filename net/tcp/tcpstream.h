#pragma once

#include "net/core/endpoint.h"
#include "net/io/nativesocket.h"
#include "net/io/streampoller.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

// How a stream ended: why, as a kind the sessions act on, and the words the
// log shows.
struct StreamEnd
{
    enum class Reason {
        ClosedByPeer, // the peer's FIN (and everything we had for it sent)
        Reset, // the peer reset the connection
        TimedOut, // the connection timed out (no answer from the peer)
        Error, // another socket error
        ClosedLocally, // close() or abort() here
    };
    Reason reason = Reason::ClosedLocally;
    QString text;
};

// One connected TCP socket, read and written here rather than by QTcpSocket.
// QTcpSocket closes its descriptor the moment it reads the peer's FIN and
// drops what it has not yet written, and reports a reset as a close. TCP's
// two directions are independent: a peer that shuts its sending side (nc -N,
// HTTP/1.0-style clients, shutdown(SHUT_WR)) still reads, and must get
// everything queued for it. So a stream:
//  - reads into the bytes handed on (one read per wake-up, sized by FIONREAD);
//  - writes as much as the kernel takes at once, queues the rest in order;
//  - on the peer's FIN with nothing queued, ends ("closed by peer"); with data
//    queued, says peerHalfClosed() and goes on sending until the queue has
//    been empty for HalfCloseLingerMs (what else the sender queues in that
//    time still goes), then ends;
//  - tells a reset ("connection reset by peer") from a close.
// Non-blocking, on the owner's thread (readiness through a StreamPoller);
// no signal comes from inside write().
class TcpStream final : public QObject, private PollTarget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpStream)

public:
    // How long a half-closed stream waits with nothing queued before it ends.
    static constexpr int HalfCloseLingerMs = 500;

    // Takes ownership of socket, a connected stream socket (made
    // non-blocking), watched through poller (which may go first: the stream
    // then stops).
    TcpStream(io::SocketHandle socket, StreamPoller *poller, QObject *parent = nullptr);
    ~TcpStream() override;

    bool isOpen() const { return io::isValid(m_socket); }
    Endpoint peer() const { return m_peer; }
    Endpoint local() const { return m_local; }
    // The peer has sent its FIN: it sends nothing more, and may still read.
    bool isPeerHalfClosed() const { return m_peerHalfClosed; }
    bool isClosing() const { return m_closing; }
    QString errorString() const { return m_error; }

    // Queues data; what the kernel takes goes out before this returns. False,
    // with errorString() saying why, once the stream is closing or over. A
    // write that meets a reset still returns true: the data is lost with the
    // connection, as what sat in the kernel's buffers is, and ended() says so
    // on the next pass.
    bool write(const QByteArray &data);
    qint64 bytesToWrite() const { return m_queued; }

    // Graceful: what is queued goes out, then our FIN, and the stream ends;
    // if the queue has not drained after graceMs (a peer that stops
    // reading), it ends as abort(). ended() carries reason.
    void close(const QString &reason, int graceMs);
    // Ends now; what is queued is dropped.
    void abort(const QString &reason);

Q_SIGNALS:
    void received(const QByteArray &data);
    // The peer's FIN came while pending bytes were still queued for it.
    void peerHalfClosed(qint64 pending);
    // Queued bytes reached the kernel; bytesToWrite() is smaller.
    void bytesWritten();
    // The connection is over and the socket closed. Emitted once.
    void ended(const StreamEnd &end);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void onReady(Readiness readiness) override;
    // Tells the poller what this stream waits for now, if that changed.
    void updateInterest();
    void onReadable();
    void onWritable();
    // Writes from the queue until it is empty or the kernel says "later",
    // adding to *written; 0 or the socket error.
    int flushQueue(qint64 *written);
    void afterDrain();
    void onPeerFin();
    void fail(int error);
    void finish(StreamEnd::Reason reason, const QString &text);
    void queueBytesWritten();

    io::SocketHandle m_socket = io::SocketHandle::Invalid;
    Endpoint m_peer;
    Endpoint m_local;
    QPointer<StreamPoller> m_poller;
    StreamPoller::Key m_pollKey = 0;
    bool m_reading = true; // until the peer's FIN
    bool m_watchRead = true; // what the poller was last told
    bool m_watchWrite = false;
    QList<QByteArray> m_queue; // allocates nothing while empty (most of the time)
    qsizetype m_frontOffset = 0; // bytes of m_queue.constFirst() already written
    qint64 m_queued = 0;
    bool m_peerHalfClosed = false;
    bool m_closing = false;
    bool m_finSent = false;
    bool m_bytesWrittenQueued = false;
    bool m_failQueued = false;
    int m_failError = 0;
    QString m_closeReason;
    QString m_error;
    QBasicTimer m_linger; // half-closed by the peer, nothing queued
    QBasicTimer m_grace; // close() waiting for the queue and the peer's FIN
};

// The log's note for peerHalfClosed(): "the peer half-closed (sent its FIN);
// still sending it N queued bytes".
QString halfClosedText(qint64 pending);

// The text for a socket error: "connection reset by peer" for a reset
// (ECONNRESET, EPIPE), "connection timed out", else the system's text
// starting in lower case.
QString tcpErrorText(int error);
// The kind of end a socket error makes: Reset, TimedOut or Error.
StreamEnd::Reason endReasonOf(int error);
