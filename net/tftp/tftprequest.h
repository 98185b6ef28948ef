#pragma once

#include "net/tftp/tftppacket.h"

#include <QString>

#include <optional>

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

// What is wrong with the request's server, numbers and limits, in one line;
// empty when nothing is. The local file and the remote name are checked when
// the transfer opens them.
QString tftpRequestProblem(const TftpRequest &request);

// The local name a download gets by default: the remote name's last path
// component ('/' or '\\' separated), with control characters replaced, so
// that it cannot leave the chosen folder. nullopt when nothing usable is
// left ("", ".", "..", "dir/").
std::optional<QString> tftpLocalName(QStringView remoteName);

// The file a download writes: localPath itself, or the remote name's local
// name inside the folder localPath names (see TftpRequest::localPath).
// nullopt, with *error set, when no local name can be made.
std::optional<QString> tftpDownloadTarget(const TftpRequest &request, QString *error);
