#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

// TFTP packets as bytes and back: RFC 1350, with options (RFC 2347) for the
// block size (RFC 2348), timeout and transfer size (RFC 2349) and window size
// (RFC 7440). No sockets and no state: every function here depends only on its
// arguments, so the layer can be fuzzed on its own.
namespace Tftp {

enum class Opcode : quint16 {
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    OptionAck = 6,
};

// The codes an ERROR packet carries (RFC 1350, and 8 from RFC 2347).
enum class ErrorCode : quint16 {
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
    OptionRefused = 8,
};

// "File not found", "Unknown transfer ID", ...; "unknown error code 42" past 8.
QString errorCodeText(quint16 code);

// Text from a packet (a file name, an error message, an option) fit for one
// line of a message: decoded as UTF-8, control characters as spaces, trimmed.
QString printable(QByteArrayView bytes);

inline constexpr int HeaderSize = 4; // opcode and block number (or error code)
inline constexpr int DefaultBlockSize = 512;
inline constexpr int MinBlockSize = 8;
inline constexpr int MaxBlockSize = 65464;
inline constexpr int MinWindowSize = 1;
inline constexpr int MaxWindowSize = 65535;
inline constexpr int MinTimeout = 1; // seconds
inline constexpr int MaxTimeout = 255;
// No valid packet of any kind is longer: a DATA packet at the largest block size.
inline constexpr int MaxPacketSize = HeaderSize + MaxBlockSize;
// RFC 2347: a request carrying options must fit in 512 bytes.
inline constexpr int MaxRequestSize = 512;

enum class Mode { Octet, Netascii };
QByteArray modeName(Mode mode); // "octet", "netascii"
// Case-insensitive; "mail" and anything else is not a mode this client speaks.
std::optional<Mode> parseMode(QByteArrayView name);

struct Option
{
    QByteArray name; // decode() lower-cases it: option names are case-insensitive
    QByteArray value;
    friend bool operator==(const Option &, const Option &) = default;
};
using Options = QList<Option>;

// The first option with this name (case-insensitive), or nullptr.
const Option *findOption(const Options &options, QByteArrayView name);

// RRQ or WRQ.
struct Request
{
    bool write = false;
    QByteArray filename;
    QByteArray mode; // as sent; decode() lower-cases it
    Options options;
    friend bool operator==(const Request &, const Request &) = default;
};

struct Data
{
    quint16 block = 0;
    // Points into the buffer given to decode(): valid only as long as it is.
    QByteArrayView payload;
    friend bool operator==(const Data &a, const Data &b)
    {
        return a.block == b.block && a.payload == b.payload;
    }
};

struct Ack
{
    quint16 block = 0;
    friend bool operator==(const Ack &, const Ack &) = default;
};

struct Error
{
    quint16 code = 0;
    QByteArray message;
    friend bool operator==(const Error &, const Error &) = default;
};

struct OptionAck
{
    Options options;
    friend bool operator==(const OptionAck &, const OptionAck &) = default;
};

using Packet = std::variant<Request, Data, Ack, Error, OptionAck>;

enum class DecodeError {
    None,
    Truncated, // shorter than its fixed fields
    MissingNul, // a string runs to the end of the packet without its NUL
    UnknownOpcode,
    Oversized, // longer than any valid TFTP packet
    TrailingBytes, // bytes after the end of an ACK or an ERROR's message
    EmptyOptionName, // a request or OACK with an option of no name
};

// "truncated packet", "string without its terminating NUL", ...
QString decodeErrorText(DecodeError error);

struct Decoded
{
    Packet packet;
    DecodeError error = DecodeError::None;
    bool ok() const { return error == DecodeError::None; }
};

// Any input is safe: a packet or the first thing wrong with it.
Decoded decode(QByteArrayView datagram);

QByteArray encode(const Packet &packet);
QByteArray encodeRequest(const Request &request);
QByteArray encodeData(quint16 block, QByteArrayView payload);
QByteArray encodeAck(quint16 block);
QByteArray encodeError(quint16 code, QByteArrayView message);
QByteArray encodeOptionAck(const Options &options);

// The hot path writes headers into buffers it owns, without allocating.
inline void writeHeader(char *out, Opcode opcode, quint16 blockOrCode)
{
    const auto op = static_cast<quint16>(opcode);
    out[0] = static_cast<char>(op >> 8);
    out[1] = static_cast<char>(op & 0xff);
    out[2] = static_cast<char>(blockOrCode >> 8);
    out[3] = static_cast<char>(blockOrCode & 0xff);
}

inline quint16 readUint16(const char *in)
{
    return static_cast<quint16>(
        (static_cast<quint16>(static_cast<uchar>(in[0])) << 8) | static_cast<uchar>(in[1]));
}

// Local text to netascii (RFC 764 as RFC 1350 uses it): LF becomes CR LF and a
// bare CR becomes CR NUL. Each byte maps on its own, so a file can be encoded
// in chunks of any size; the caller cuts the result into blocks.
class NetasciiEncoder
{
public:
    // Appends the netascii form of local to wire.
    void encode(QByteArrayView local, QByteArray &wire) const;
    // How many bytes encode() makes of local.
    static qint64 encodedSize(QByteArrayView local);
};

// Netascii to local text: CR LF becomes LF and CR NUL becomes CR. A CR at the
// end of one block waits for the first byte of the next, so a pair split by a
// block boundary comes out right. A CR followed by anything else is kept as it
// is (lenient: some servers send it).
class NetasciiDecoder
{
public:
    // Appends the local form of wire to local.
    void decode(QByteArrayView wire, QByteArray &local);
    // Writes the local form of wire to out, which has room for
    // wire.size() + 1 bytes; returns the end of what it wrote.
    char *decode(QByteArrayView wire, char *out);
    // End of the stream: a CR still waiting is written as it is.
    void finish(QByteArray &local);
    char *finish(char *out); // out has room for 1 byte
    void reset() { m_pendingCr = false; }
    bool hasPendingCr() const { return m_pendingCr; }

private:
    bool m_pendingCr = false;
};

} // namespace Tftp
