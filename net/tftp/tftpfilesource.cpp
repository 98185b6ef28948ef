#include "net/tftp/tftpfilesource.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

TftpFileSource::TftpFileSource() = default;

TftpFileSource::~TftpFileSource() = default;

bool TftpFileSource::open(const QString &path, Tftp::Mode mode, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        *error = u"%1 does not exist"_s.arg(path);
        return false;
    }
    if (info.isDir()) {
        *error = u"%1 is a folder"_s.arg(path);
        return false;
    }
    m_file = std::make_unique<QFile>(path);
    if (!m_file->open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        *error = u"cannot read %1: %2"_s.arg(path, m_file->errorString());
        return false;
    }
    m_path = info.absoluteFilePath();
    m_mode = mode;
    m_fileSize = m_file->isSequential() ? -1 : m_file->size();
    // The headroom before the first byte takes the first block's header.
    m_wire = QByteArray(Tftp::HeaderSize, '\0');
    return true;
}

void TftpFileSource::reserve(qint64 windowBytes)
{
    m_wire.reserve(qsizetype(Tftp::HeaderSize + 2 * FileChunk + windowBytes));
}

void TftpFileSource::release(qint64 ackedWire)
{
    m_wire.remove(Tftp::HeaderSize, ackedWire - m_wireOffset);
    m_wireOffset = ackedWire;
}

bool TftpFileSource::readUntil(qint64 wireEnd)
{
    while (!m_ended && wireBuffered() < wireEnd) {
        qint64 got = 0;
        if (m_mode == Tftp::Mode::Octet) {
            const qsizetype old = m_wire.size();
            m_wire.resize(old + FileChunk);
            got = m_file->read(m_wire.data() + old, FileChunk);
            m_wire.resize(old + std::max<qint64>(got, 0));
        } else {
            m_readChunk.resize(FileChunk);
            got = m_file->read(m_readChunk.data(), FileChunk);
            if (got > 0) {
                Tftp::NetasciiEncoder().encode(
                    QByteArrayView(m_readChunk.constData(), got), m_wire);
                m_netasciiMarks.emplace_back(wireBuffered(), m_fileRead + got);
            }
        }
        if (got < 0)
            return false;
        m_fileRead += got;
        if (got == 0) {
            m_ended = true;
            m_wireSize = wireBuffered();
        }
    }
    return true;
}

qint64 TftpFileSource::fileBytesFor(qint64 ackedWire)
{
    if (m_mode == Tftp::Mode::Octet)
        return ackedWire;
    while (!m_netasciiMarks.empty() && m_netasciiMarks.front().first <= ackedWire) {
        m_fileAcked = m_netasciiMarks.front().second;
        m_netasciiMarks.pop_front();
    }
    return m_fileAcked;
}

QString TftpFileSource::errorString() const
{
    return u"cannot read %1: %2"_s.arg(m_path, m_file ? m_file->errorString() : QString());
}

void TftpFileSource::close()
{
    if (m_file)
        m_file->close();
}
