#pragma once

#include "net/tftp/tftppacket.h"

#include <QByteArray>
#include <QString>

#include <cstring>
#include <memory>

class QTemporaryFile;

// Where received DATA goes: a temporary file beside the target, which takes
// the target's name only on commit(). An existing file is never replaced
// unless overwrite was given, and then atomically; whatever ends a transfer
// otherwise (discard(), or destroying the sink) leaves no file behind and an
// existing one untouched. Netascii is decoded on the way. Writes go to the
// file in chunks, not per block.
class TftpFileSink final
{
    Q_DISABLE_COPY_MOVE(TftpFileSink)

public:
    TftpFileSink();
    ~TftpFileSink();

    // false, with *error, when target is a folder, exists (and overwrite is
    // not given), or its folder does not exist or takes no new file.
    bool open(const QString &target, Tftp::Mode mode, bool overwrite, QString *error);
    const QString &targetPath() const { return m_targetPath; } // absolute
    qint64 size() const { return m_size; } // local bytes taken so far

    // In octet mode a datagram (up to TftpSocket::ReceiveSize bytes) can be
    // received at receiveSlot(), so that its payload lies where the file's
    // next bytes belong and write() copies nothing. The header lands on the
    // last HeaderSize bytes taken (or on headroom before the first): the
    // caller keeps them aside and puts them back before calling write().
    bool receivesInPlace() const { return m_mode == Tftp::Mode::Octet; }
    char *receiveSlot() { return m_buffer.data() + m_used; }

    // Takes a DATA payload, which may lie at receiveSlot() + HeaderSize.
    // false when the file cannot be written (see errorString()).
    bool write(QByteArrayView payload)
    {
        char *const end = m_buffer.data() + Tftp::HeaderSize + m_used;
        qint64 stored = payload.size();
        if (m_mode == Tftp::Mode::Netascii)
            stored = m_netascii.decode(payload, end) - end;
        else if (payload.constData() != end) // not received in place
            std::memcpy(end, payload.constData(), size_t(payload.size()));
        m_used += stored;
        m_size += stored;
        if (m_used < FileChunk)
            return true;
        return flushBuffer();
    }
    QString errorString() const; // "cannot write <target>: <reason>"

    // Writes the rest and gives the file the target's name.
    bool commit(QString *error);
    // Removes the temporary file; the target is as it was.
    void discard();

private:
    static constexpr qsizetype FileChunk = 1024 * 1024;

    bool flushBuffer();

    QString m_targetPath;
    Tftp::Mode m_mode = Tftp::Mode::Octet;
    bool m_overwrite = false;
    std::unique_ptr<QTemporaryFile> m_temporary;
    QByteArray m_buffer; // HeaderSize bytes of headroom, then m_used bytes for the file
    qint64 m_used = 0;
    qint64 m_size = 0;
    Tftp::NetasciiDecoder m_netascii;
};
