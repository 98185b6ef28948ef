#include "net/tftp/tftprequest.h"

#include "net/core/endpoint.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

QString tftpStatusName(TftpStatus status)
{
    switch (status) {
    case TftpStatus::Success:
        return u"success"_s;
    case TftpStatus::Cancelled:
        return u"cancelled"_s;
    case TftpStatus::InvalidRequest:
        return u"invalid-request"_s;
    case TftpStatus::LocalError:
        return u"local-error"_s;
    case TftpStatus::NetworkError:
        return u"network-error"_s;
    case TftpStatus::TimedOut:
        return u"timed-out"_s;
    case TftpStatus::ServerError:
        return u"server-error"_s;
    case TftpStatus::ProtocolError:
        return u"protocol-error"_s;
    }
    return {};
}

QString tftpRequestProblem(const TftpRequest &r)
{
    if (r.host.trimmed().isEmpty())
        return u"no server given"_s;
    if (const QString problem = remoteHostError(r.host.trimmed()); !problem.isEmpty())
        return problem;
    if (r.port == 0)
        return u"server port 0 is not valid"_s;
    if (r.blockSize != 0 && (r.blockSize < Tftp::MinBlockSize || r.blockSize > Tftp::MaxBlockSize))
        return u"block size %1 is outside %2..%3"_s.arg(r.blockSize)
            .arg(Tftp::MinBlockSize)
            .arg(Tftp::MaxBlockSize);
    if (r.windowSize != 0
        && (r.windowSize < Tftp::MinWindowSize || r.windowSize > Tftp::MaxWindowSize))
        return u"window size %1 is outside %2..%3"_s.arg(r.windowSize)
            .arg(Tftp::MinWindowSize)
            .arg(Tftp::MaxWindowSize);
    if (r.timeoutOption != 0
        && (r.timeoutOption < Tftp::MinTimeout || r.timeoutOption > Tftp::MaxTimeout))
        return u"timeout option %1 s is outside %2..%3"_s.arg(r.timeoutOption)
            .arg(Tftp::MinTimeout)
            .arg(Tftp::MaxTimeout);
    if (r.timeoutMs <= 0 || r.timeoutMs > 600'000)
        return u"retransmission timeout %1 ms is outside 1..600000"_s.arg(r.timeoutMs);
    if (r.retries < 0 || r.retries > 1000)
        return u"retry count %1 is outside 0..1000"_s.arg(r.retries);
    return {};
}

std::optional<QString> tftpLocalName(QStringView remoteName)
{
    qsizetype start = remoteName.size();
    while (start > 0 && remoteName[start - 1] != u'/' && remoteName[start - 1] != u'\\')
        --start;
    QString name = remoteName.sliced(start).toString();
    for (QChar &c : name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'_';
    }
    if (name.trimmed().isEmpty() || name == u"."_s || name == u".."_s)
        return std::nullopt;
    return name;
}

std::optional<QString> tftpDownloadTarget(const TftpRequest &request, QString *error)
{
    const QString &given = request.localPath;
    const QFileInfo givenInfo(given.isEmpty() ? u"."_s : given);
    if (!given.isEmpty() && !givenInfo.isDir())
        return given;
    const std::optional<QString> name = tftpLocalName(request.remoteName);
    if (!name) {
        *error = u"cannot make a local file name from the remote name '%1'; give one"_s.arg(
            request.remoteName);
        return std::nullopt;
    }
    return QDir(givenInfo.filePath()).filePath(*name);
}
