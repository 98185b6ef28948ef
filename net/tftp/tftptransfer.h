#pragma once

#include "net/tftp/tftppacket.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>
#include <memory>
#include <optional>
#include <utility>

class QFile;
class QTemporaryFile;
class QUdpSocket;

// What to transfer and how; TftpTransfer::start() checks it.
struct TftpRequest
{
    enum class Direction { Download, Upload };

    Direction direction = Direction::Download;
    QString host; // address literal ("::1" or "[::1]") or host name
    quint16 port = 69;
    // Upload: empty means the local file's name.
    QString remoteName;
    // Download: the file to write, or a folder (empty means the current one)
    // to write the remote name's last path component into. Upload: the file
    // to read.
    QString localPath;
    Tftp::Mode mode = Tftp::Mode::Octet;

    // Options to negotiate (RFC 2347); 0 or false asks for nothing, and a
    // request without any options is plain RFC 1350.
    int blockSize = 0; // blksize, 8..65464
    int windowSize = 0; // windowsize, 1..65535 (an upload asks for at most 64 MiB of blocks)
    bool transferSize = false; // tsize (not sent in netascii: the size is ambiguous)
    int timeoutOption = 0; // timeout in seconds the server should use, 1..255

    // Wait before the first retransmission; each further one doubles it (up
    // to 8 times this or 30 s, whichever is less, but never less than this).
    int timeoutMs = 1000;
    int retries = 5; // retransmissions of one packet before giving up
    bool overwrite = false; // download: replace an existing local file
};

enum class TftpStatus {
    Success,
    Cancelled,
    InvalidRequest, // the request itself is wrong; nothing was sent
    LocalError, // a local file could not be read, created, written or renamed
    NetworkError, // host not found, socket error
    TimedOut, // no answer after all retries
    ServerError, // the server sent an ERROR packet
    ProtocolError, // the server broke the protocol (malformed packet, bad OACK)
};
QString tftpStatusName(TftpStatus status); // "success", "timed-out", ...

struct TftpResult
{
    TftpStatus status = TftpStatus::Success;
    QString errorString; // one line; empty on success
    int serverErrorCode = -1; // of the server's ERROR packet, if one came
    QString serverMessage;

    QString localPath; // the file written (download) or read (upload)
    QString remoteName;
    qint64 bytes = 0; // bytes of the local file transferred
    qint64 elapsedMs = 0;

    bool optionsAcknowledged = false; // the server answered with an OACK
    bool fellBackToPlain = false; // options were asked for and ignored or refused
    int blockSize = Tftp::DefaultBlockSize; // in force for the transfer
    int windowSize = 1;
    qint64 transferSize = -1; // the server's tsize, -1 when unknown
    int retransmissions = 0; // packets sent again after a timeout
    int strangerPackets = 0; // packets from an unknown TID, answered with ERROR 5

    bool ok() const { return status == TftpStatus::Success; }
};

// The local name a download gets by default: the remote name's last path
// component ('/' or '\\' separated), with control characters replaced, so
// that it cannot leave the chosen folder. nullopt when nothing usable is
// left ("", ".", "..", "dir/").
std::optional<QString> tftpLocalName(QStringView remoteName);

// One download or upload with a TFTP server, event driven on the thread it
// lives in: progress() while it runs, then exactly one finished(). A download
// writes to a temporary file beside the target and renames it into place only
// on success; whatever ends it otherwise leaves no file behind and an existing
// file untouched. Packets from any other transfer ID than the server's get
// ERROR 5 and are otherwise ignored.
class TftpTransfer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TftpTransfer)

public:
    explicit TftpTransfer(TftpRequest request, QObject *parent = nullptr);
    ~TftpTransfer() override;

    const TftpRequest &request() const { return m_request; }
    bool isRunning() const { return m_phase != Phase::Idle && m_phase != Phase::Done; }
    bool isFinished() const { return m_phase == Phase::Done; }

    // Starts once; every outcome, even a request refused at once, arrives as
    // finished() from the event loop.
    void start();
    // Sends ERROR 0 to the server (if one was contacted), removes a partial
    // download and finishes with TftpStatus::Cancelled. Nothing once finished.
    void cancel();

Q_SIGNALS:
    // done and total count bytes of the local file; total is -1 when unknown.
    void progress(qint64 done, qint64 total);
    void finished(const TftpResult &result);

private:
    enum class Phase { Idle, Starting, Resolving, Requesting, Transferring, Done };

    void startNow();
    bool prepareDownload(QString *error, TftpStatus *status);
    bool prepareUpload(QString *error, TftpStatus *status);
    void buildRequestOptions();
    void contact(const QHostAddress &address);
    void sendRequest();
    void readPending();
    bool receiveOne(); // false when no datagram was waiting
    void closeSocket();
    void handleDatagram(QByteArrayView datagram, const QHostAddress &from, quint16 fromPort);
    void rejectStranger(const QHostAddress &from, quint16 fromPort);
    void lockPeer(const QHostAddress &from, quint16 fromPort);
    bool acceptOptionAck(const Tftp::Options &options);
    void usePlainParameters();
    void applyBufferSizes(int blockSize, int windowSize);

    // Download
    void onData(quint16 block, QByteArrayView payload);
    void sendAck(quint16 block);
    void acknowledgeInOrder(); // ACK the last block taken in order
    bool storePayload(QByteArrayView payload);
    bool flushWriteBuffer();
    bool commitDownload(QString *error);

    // Upload
    void onAck(quint16 block);
    void beginUpload();
    void sendWindow();
    bool fillSendBuffer(qint64 wireEnd);
    bool sendBlock(qint64 block);
    qint64 uploadedFileBytes(qint64 ackedWireBytes);
    qint64 wireBuffered() const { return m_wireOffset + m_wire.size() - Tftp::HeaderSize; }

    void onTimer();
    void armTimer(); // a new wait of currentTimeoutMs() starts now
    qint64 waitedMs() const;
    void emitProgress(bool force);
    bool sendTo(const char *data, qint64 size, const QHostAddress &address, quint16 port);
    bool sendToPeer(const char *data, qint64 size); // the hot path
    void sendError(Tftp::ErrorCode code, const QString &message);
    void failProtocol(const QString &message); // sends ERROR 4 first
    void finish(TftpStatus status, const QString &message);
    int timeoutForAttempt(int attempt) const; // exponential back-off, capped
    int currentTimeoutMs() const { return timeoutForAttempt(m_attempt); }
    bool isDownload() const { return m_request.direction == TftpRequest::Direction::Download; }

    TftpRequest m_request;
    TftpResult m_result;
    Phase m_phase = Phase::Idle;
    QUdpSocket *m_socket = nullptr; // child
    struct Native;
    std::unique_ptr<Native> m_native; // its descriptor for the hot path (UNIX)
    QTimer m_timer;
    QElapsedTimer m_clock; // since start()
    QElapsedTimer m_lastProgressSignal;
    int m_lookupId = -1;

    QHostAddress m_server; // the address the request went to
    quint16 m_serverPort = 0;
    bool m_peerLocked = false; // the server's transfer ID is known
    QHostAddress m_peer;
    quint16 m_peerPort = 0;
    // Packets from a host other than the server before the transfer began:
    // a multihomed server answering from another address (see onTimer()).
    int m_otherHostPackets = 0;
    QHostAddress m_otherHost; // the last such sender
    quint16 m_otherHostPort = 0;

    QByteArray m_requestPacket;
    Tftp::Options m_askedOptions;
    bool m_retriedPlain = false;
    int m_blockSize = Tftp::DefaultBlockSize;
    int m_windowSize = 1;
    int m_attempt = 0; // retransmissions of the current packet so far
    bool m_progressed = false; // the transfer moved on in this batch of datagrams
    bool m_progressSinceTick = false;
    int m_quietTicks = 0; // timer ticks without progress
    qint64 m_progressCheckedAt = 0; // bytes done when progress() last looked at the clock
    bool m_awaitingReply = false; // what was just sent needs an answer before more can come

    QByteArray m_receiveBuffer;
    qint64 m_total = -1;

    // Download state: blocks counted from 1 without wrapping at 65536.
    QString m_targetPath;
    std::unique_ptr<QTemporaryFile> m_temporary;
    QByteArray m_writeBuffer; // 4 bytes of headroom, then m_writeUsed bytes for the file
    qint64 m_writeUsed = 0;
    Tftp::NetasciiDecoder m_netasciiDecoder;
    qint64 m_expected = 1; // the next block in order
    int m_inWindow = 0; // blocks taken in order since the last ACK
    bool m_gapReported = false; // an ACK for the gap went out; wait for progress
    qint64 m_lastAcked = 0; // the last block acknowledged
    qint64 m_received = 0; // local bytes written

    // Upload state: 4 bytes of headroom, then the wire bytes (netascii-encoded
    // if so) of the unacknowledged blocks and those read ahead, the first of
    // them at wire offset m_wireOffset.
    std::unique_ptr<QFile> m_source;
    QByteArray m_wire;
    QByteArray m_readChunk; // netascii: raw bytes before encoding
    qint64 m_wireOffset = 0;
    bool m_sourceEnded = false;
    qint64 m_wireSize = -1; // known once the file is read to its end
    qint64 m_fileRead = 0;
    qint64 m_fileAcked = 0; // netascii: file bytes of the acknowledged wire bytes
    std::deque<std::pair<qint64, qint64>> m_netasciiMarks; // (wire end, file end) per chunk
    qint64 m_base = 1; // the first unacknowledged block
    qint64 m_next = 1; // the next block to send
    qint64 m_lastSent = 0; // the highest block sent so far
    qint64 m_lastBlock = -1; // known once the file is read to its end
};
