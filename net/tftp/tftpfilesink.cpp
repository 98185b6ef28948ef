#include "net/tftp/tftpfilesink.h"

#include "net/tftp/tftpsocket.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

#include <filesystem>
#include <system_error>

using namespace Qt::StringLiterals;

TftpFileSink::TftpFileSink() = default;

TftpFileSink::~TftpFileSink()
{
    discard();
}

bool TftpFileSink::open(const QString &target, Tftp::Mode mode, bool overwrite, QString *error)
{
    const QFileInfo info(target);
    if (info.isDir()) {
        *error = u"%1 is a folder"_s.arg(target);
        return false;
    }
    if ((info.exists() || info.isSymLink()) && !overwrite) {
        *error = u"%1 already exists (choose overwrite to replace it)"_s.arg(target);
        return false;
    }
    const QString folder = info.absolutePath();
    if (const QFileInfo folderInfo(folder); !folderInfo.isDir()) {
        *error = folderInfo.exists() ? u"%1 is not a folder"_s.arg(folder)
                                     : u"folder %1 does not exist"_s.arg(folder);
        return false;
    }
    m_targetPath = info.absoluteFilePath();
    m_mode = mode;
    m_overwrite = overwrite;
    // Beside the target, so the final rename stays on one file system.
    m_temporary = std::make_unique<QTemporaryFile>(
        QDir(folder).filePath(u"."_s + info.fileName().left(120) + u".XXXXXX.part"_s));
    if (!m_temporary->open()) {
        *error = u"cannot create a file in %1: %2"_s.arg(folder, m_temporary->errorString());
        m_temporary.reset();
        return false;
    }
    // Room for a whole datagram after a full chunk, and for the header of a
    // datagram received in place (see receiveSlot()).
    m_buffer
        = QByteArray(Tftp::HeaderSize + FileChunk + TftpSocket::ReceiveSize + 1, Qt::Uninitialized);
    m_used = 0;
    m_size = 0;
    m_netascii.reset();
    return true;
}

QString TftpFileSink::errorString() const
{
    return u"cannot write %1: %2"_s.arg(
        m_targetPath, m_temporary ? m_temporary->errorString() : QString());
}

bool TftpFileSink::flushBuffer()
{
    // A write that fills the disk returns the part that fitted and no reason;
    // writing the rest again fails with the system's ("No space left on device").
    const char *const data = m_buffer.constData() + Tftp::HeaderSize;
    for (qint64 done = 0; done < m_used;) {
        const qint64 written = m_temporary->write(data + done, m_used - done);
        if (written <= 0)
            return false;
        done += written;
    }
    m_used = 0;
    return true;
}

bool TftpFileSink::commit(QString *error)
{
    if (m_mode == Tftp::Mode::Netascii) {
        char *const end = m_buffer.data() + Tftp::HeaderSize + m_used;
        const qint64 stored = m_netascii.finish(end) - end;
        m_used += stored;
        m_size += stored;
    }
    // flush() too writes what fits and no reason; asked twice, it gives one.
    if (!flushBuffer() || !(m_temporary->flush() || m_temporary->flush())) {
        *error = errorString();
        return false;
    }
    // A temporary file is private (0600); the download gets the usual mode,
    // or the mode of the file it replaces.
    QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner
        | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (m_overwrite && QFileInfo::exists(m_targetPath))
        permissions = QFile::permissions(m_targetPath);
    m_temporary->setPermissions(permissions);
    const QString temporaryPath = m_temporary->fileName();
    m_temporary->close();
    if (m_overwrite) {
        // Atomic: the old file stays whole until the new one takes its name.
        std::error_code code;
        std::filesystem::rename(
            std::filesystem::path(QFile::encodeName(temporaryPath).toStdString()),
            std::filesystem::path(QFile::encodeName(m_targetPath).toStdString()), code);
        if (code) {
            *error = u"cannot rename the download to %1: %2"_s.arg(
                m_targetPath, QString::fromStdString(code.message()));
            return false;
        }
    } else if (!QFile::rename(temporaryPath, m_targetPath)) {
        // QFile::rename never replaces: someone made the file meanwhile.
        *error = QFileInfo::exists(m_targetPath)
            ? u"%1 appeared during the transfer; not replaced (choose overwrite)"_s.arg(
                m_targetPath)
            : u"cannot rename the download to %1"_s.arg(m_targetPath);
        return false;
    }
    m_temporary->setAutoRemove(false);
    m_temporary.reset();
    m_buffer = QByteArray();
    m_used = 0;
    return true;
}

void TftpFileSink::discard()
{
    m_temporary.reset(); // removes the partial file
    m_buffer = QByteArray();
    m_used = 0;
}
