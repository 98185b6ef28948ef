#pragma once

#include "net/tftp/tftpbackoff.h"
#include "net/tftp/tftppacket.h"
#include "net/tftp/tftprequest.h"
#include "net/tftp/tftpsocket.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

class TftpFileSink;
class TftpFileSource;

// One download or upload with a TFTP server, event driven on the thread it
// lives in: progress() while it runs, then exactly one finished(). A download
// writes to a temporary file beside the target and renames it into place only
// on success; whatever ends it otherwise leaves no file behind and an existing
// file untouched. Packets from any other transfer ID than the server's get
// ERROR 5 and are otherwise ignored.
//
// The client's state machine; the socket, the local file, option negotiation
// and the back-off are pieces of their own (tftpsocket.h, tftpfilesink.h,
// tftpfilesource.h, tftpoptions.h, tftpbackoff.h) that a server uses too.
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
    void contact(const QHostAddress &address);
    void sendRequest();
    void readPending();
    bool receiveOne(); // false when no datagram was waiting
    void closeSocket();
    void handleDatagram(QByteArrayView datagram, const QHostAddress &from, quint16 fromPort);
    void failWithServerError(quint16 code, QByteArrayView message);
    void rejectStranger(const QHostAddress &from, quint16 fromPort);
    void lockPeer(const QHostAddress &from, quint16 fromPort);
    bool acceptOptionAck(const Tftp::Options &options);
    void usePlainParameters();

    // Download
    void onData(quint16 block, QByteArrayView payload);
    void sendAck(quint16 block);
    void acknowledgeInOrder(); // ACK the last block taken in order
    qint64 downloadedBytes() const;

    // Upload
    void onAck(quint16 block);
    void beginUpload();
    void sendWindow();
    bool fillSource(qint64 wireEnd);
    bool sendBlock(qint64 block);
    qint64 uploadedFileBytes(qint64 ackedWireBytes);

    void onTimeout();
    void emitProgress(bool force);
    bool sendTo(const char *data, qint64 size, const QHostAddress &address, quint16 port);
    bool sendToPeer(const char *data, qint64 size); // the hot path
    // True when sent; a failed send finishes the transfer.
    bool sendOutcome(TftpSocket::SendStatus status);
    void sendError(Tftp::ErrorCode code, const QString &message);
    void failProtocol(const QString &message); // sends ERROR 4 first
    void finish(TftpStatus status, const QString &message);
    bool isDownload() const { return m_request.direction == TftpRequest::Direction::Download; }

    TftpRequest m_request;
    TftpResult m_result;
    Phase m_phase = Phase::Idle;
    std::unique_ptr<TftpSocket> m_socket;
    TftpRetryTimer m_retry;
    QElapsedTimer m_clock; // since start()
    QElapsedTimer m_lastProgressSignal;
    int m_lookupId = -1;

    QHostAddress m_server; // the address the request went to
    quint16 m_serverPort = 0;
    // Packets from a host other than the server before the transfer began:
    // a multihomed server answering from another address (see onTimeout()).
    int m_otherHostPackets = 0;
    QHostAddress m_otherHost; // the last such sender
    quint16 m_otherHostPort = 0;

    QByteArray m_requestPacket;
    Tftp::Options m_askedOptions;
    bool m_retriedPlain = false;
    int m_blockSize = Tftp::DefaultBlockSize;
    int m_windowSize = 1;
    bool m_progressed = false; // the transfer moved on in this batch of datagrams
    qint64 m_progressCheckedAt = 0; // bytes done when progress() last looked at the clock
    bool m_awaitingReply = false; // what was just sent needs an answer before more can come

    QByteArray m_receiveBuffer;
    qint64 m_total = -1;

    // Download state: blocks counted from 1 without wrapping at 65536.
    std::unique_ptr<TftpFileSink> m_sink;
    qint64 m_expected = 1; // the next block in order
    int m_inWindow = 0; // blocks taken in order since the last ACK
    bool m_gapReported = false; // an ACK for the gap went out; wait for progress
    qint64 m_lastAcked = 0; // the last block acknowledged

    // Upload state: the source holds the wire bytes of the unacknowledged
    // blocks and those read ahead.
    std::unique_ptr<TftpFileSource> m_source;
    qint64 m_base = 1; // the first unacknowledged block
    qint64 m_next = 1; // the next block to send
    qint64 m_lastSent = 0; // the highest block sent so far
    qint64 m_lastBlock = -1; // known once the file is read to its end
};
