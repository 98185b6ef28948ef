#pragma once

#include "net/tftp/tftppacket.h"

#include <QByteArray>
#include <QString>

#include <deque>
#include <memory>
#include <utility>

class QFile;

// Where sent DATA comes from: a local file, read ahead in chunks and kept in
// its wire form (netascii-encoded if so) from the first unacknowledged byte
// on, so that a block is sent, and sent again, straight from the buffer.
// Offsets count wire bytes from the start of the transfer.
class TftpFileSource final
{
    Q_DISABLE_COPY_MOVE(TftpFileSource)

public:
    TftpFileSource();
    ~TftpFileSource();

    // false, with *error, when path does not exist, is a folder or cannot be read.
    bool open(const QString &path, Tftp::Mode mode, QString *error);
    const QString &path() const { return m_path; } // absolute
    // The file's size, for tsize; -1 when unknown (a pipe or a device).
    qint64 fileSize() const { return m_fileSize; }

    // Room to read ahead two chunks beyond a window of this many bytes in flight.
    void reserve(qint64 windowBytes);

    // Wire bytes before ackedWire are no longer needed; the buffer holds at
    // least up to wireEnd afterwards, or to the end of the file. false when
    // the file cannot be read (see errorString()).
    bool fill(qint64 wireEnd, qint64 ackedWire)
    {
        if (ackedWire - m_wireOffset >= FileChunk)
            release(ackedWire);
        return m_ended || wireBuffered() >= wireEnd || readUntil(wireEnd);
    }
    qint64 wireBuffered() const { return m_wireOffset + m_wire.size() - Tftp::HeaderSize; }
    bool atEnd() const { return m_ended; }
    qint64 wireSize() const { return m_wireSize; } // -1 until atEnd()
    // The buffered wire byte at offset; the HeaderSize bytes before it may be
    // overwritten for a packet's header and must then be put back.
    char *wireAt(qint64 offset)
    {
        return m_wire.data() + Tftp::HeaderSize + (offset - m_wireOffset);
    }

    // The file bytes the first ackedWire wire bytes came from (they differ
    // in netascii). ackedWire never decreases from one call to the next.
    qint64 fileBytesFor(qint64 ackedWire);
    qint64 fileBytesRead() const { return m_fileRead; }
    QString errorString() const; // "cannot read <path>: <reason>"
    void close();

private:
    static constexpr qsizetype FileChunk = 1024 * 1024;

    void release(qint64 ackedWire);
    bool readUntil(qint64 wireEnd);

    QString m_path;
    Tftp::Mode m_mode = Tftp::Mode::Octet;
    std::unique_ptr<QFile> m_file;
    qint64 m_fileSize = -1;
    // HeaderSize bytes of headroom (for the first block's header), then the
    // wire bytes from m_wireOffset on.
    QByteArray m_wire;
    QByteArray m_readChunk; // netascii: raw bytes before encoding
    qint64 m_wireOffset = 0;
    bool m_ended = false;
    qint64 m_wireSize = -1;
    qint64 m_fileRead = 0;
    qint64 m_fileAcked = 0; // netascii: file bytes of the acknowledged wire bytes
    std::deque<std::pair<qint64, qint64>> m_netasciiMarks; // (wire end, file end) per chunk
};
