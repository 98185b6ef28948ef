#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QString>
#include <QtGlobal>

#include <functional>
#include <memory>

class QObject;
class QUdpSocket;

// The datagram socket of one TFTP transfer, client or server side: bound to
// a port of its own (the transfer ID), with a peer once the other side's
// transfer ID is known. The only place in net/tftp that knows the platform:
// on UNIX, unless the build asks for the portable I/O backend
// (SOCKLAB_IO_PORTABLE), DATA and ACK go through recvfrom()/sendto() on a
// duplicate of the descriptor; elsewhere everything goes through QUdpSocket.
class TftpSocket final
{
    Q_DISABLE_COPY_MOVE(TftpSocket)

public:
    // A buffer this large receives any UDP datagram whole, so that an
    // oversized packet is seen as such rather than cut.
    static constexpr qsizetype ReceiveSize = 65536;

    enum class SendStatus {
        Sent,
        Dropped, // a full buffer or an ICMP error: a lost packet, which timeouts deal with
        Failed, // see errorString()
    };

    // onReadable runs whenever datagrams wait; it should receive() until
    // nothing is left, or at least once. The QUdpSocket is a child of owner
    // (so that it follows owner to another thread) and dies with this.
    TftpSocket(QObject *owner, std::function<void()> onReadable);
    ~TftpSocket();

    bool bind(const QHostAddress &address, quint16 port, QString *error);
    bool isBound() const;
    quint16 localPort() const;
    // Socket buffers for a window of blocks in flight; the send buffer only
    // for the side that sends DATA.
    void setBufferSizes(int blockSize, int windowSize, bool sendsData);

    // The other side's transfer ID: what receive() compares senders with and
    // sendToPeer() sends to.
    void setPeer(const QHostAddress &address, quint16 port);
    bool hasPeer() const { return m_hasPeer; }
    const QHostAddress &peerAddress() const { return m_peer; }
    quint16 peerPort() const { return m_peerPort; }

    // The hot path. One datagram into at (room for ReceiveSize bytes): its
    // size, or -1 when none is waiting. *fromPeer says whether the peer sent
    // it; who else did, senderAddress() and senderPort() tell (slower).
    qint64 receive(char *at, bool *fromPeer);
    QHostAddress senderAddress() const;
    quint16 senderPort() const;
    SendStatus sendToPeer(const char *data, qint64 size);

    // Requests and other packets off the hot path.
    SendStatus sendTo(const char *data, qint64 size, const QHostAddress &address, quint16 port);
    // ERROR packets: sent if the socket is bound, their fate unobserved.
    void sendQuietly(QByteArrayView packet, const QHostAddress &address, quint16 port);
    QString errorString() const { return m_errorString; } // of the last Failed send

    // No more onReadable calls (until close, datagrams are still received).
    void stopReading();
    void close();

private:
    QUdpSocket *m_socket = nullptr; // child of the owner; deleted with this
    std::function<void()> m_onReadable;
    struct Native;
    std::unique_ptr<Native> m_native; // the descriptor of the hot path, where there is one
    bool m_hasPeer = false;
    QHostAddress m_peer;
    quint16 m_peerPort = 0;
    QString m_errorString;
};
