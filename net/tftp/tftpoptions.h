#pragma once

#include "net/tftp/tftppacket.h"

#include <QString>

#include <optional>

// Option negotiation (RFC 2347) for blksize (RFC 2348), timeout and tsize
// (RFC 2349) and windowsize (RFC 7440), both sides of it: what a client asks
// for and how it checks the server's OACK, and what a server grants a request
// within its caps. Pure functions of their arguments, like tftppacket.h.
namespace Tftp {

// A side that sends DATA keeps the blocks of a window in memory until they
// are acknowledged, so no window of more bytes than this is asked or granted.
inline constexpr qint64 MaxWindowBytes = 64 * 1024 * 1024;

// What a transfer runs with once negotiated: plain RFC 1350 unless an OACK
// said otherwise.
struct Parameters
{
    int blockSize = DefaultBlockSize;
    int windowSize = 1;
    int timeout = 0; // seconds agreed on; 0 when none was
    qint64 transferSize = -1; // tsize agreed on; -1 when none was
    friend bool operator==(const Parameters &, const Parameters &) = default;
};

// What a client wants; 0 or false asks for nothing.
struct OptionWishes
{
    int blockSize = 0;
    int windowSize = 0;
    int timeout = 0; // seconds
    bool transferSize = false;
};

// The options of a request, in the order blksize, tsize, timeout,
// windowsize. tsize goes in octet mode only (in netascii the size on the wire
// differs from the file's, and tftpd-hpa refuses the combination): 0 in a read
// request, to ask for the size, and fileSize in a write request when it is
// known (>= 0). A write request's window stays within MaxWindowBytes.
Options requestOptions(const OptionWishes &wishes, bool write, Mode mode, qint64 fileSize);

// Whole decimal numbers as option values spell them: digits only.
std::optional<qint64> parseOptionNumber(QByteArrayView value);

// How a client takes an OACK: every option in it must have been asked for,
// once, with a value the server may answer (blksize and windowsize no larger
// than asked, timeout as asked, tsize of a write request as sent).
struct OptionAckCheck
{
    Parameters parameters;
    QString error; // why the OACK is refused (for ERROR 8); empty when it is taken
    bool ok() const { return error.isEmpty(); }
};
OptionAckCheck checkOptionAck(const Options &asked, const Options &acknowledged, bool write);

// What a server is willing to grant.
struct OptionCaps
{
    int maxBlockSize = MaxBlockSize; // MinBlockSize..MaxBlockSize
    int maxWindowSize = MaxWindowSize;
    bool transferSize = true;
    bool timeout = true;
};

struct OptionGrant
{
    Options acknowledged; // for the OACK, in the request's order; empty: answer plainly
    Parameters parameters; // what the transfer then runs with
};

// How a server answers a request's options, as tftpd-hpa does: unknown
// options, repeats and values out of range are left out (the client then
// goes without them); blksize and windowsize above the caps are lowered to
// them. tsize: a read request in octet mode is told fileSize when it is known
// (>= 0); a write request's announced size is echoed, and is
// parameters.transferSize for the server to check against its upload limit.
// The answer passes the client's checkOptionAck().
OptionGrant grantOptions(
    const Options &requested, bool write, Mode mode, qint64 fileSize, const OptionCaps &caps = {});

} // namespace Tftp
