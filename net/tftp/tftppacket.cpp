#include "net/tftp/tftppacket.h"

#include <cstring>

using namespace Qt::StringLiterals;

namespace Tftp {

namespace {

char lowerAscii(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

QByteArray lowerAscii(QByteArrayView text)
{
    QByteArray result(text.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < text.size(); ++i)
        result[i] = lowerAscii(text[i]);
    return result;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (lowerAscii(a[i]) != lowerAscii(b[i]))
            return false;
    }
    return true;
}

// Reads NUL-terminated strings one after another from a packet body.
class StringReader
{
public:
    explicit StringReader(QByteArrayView bytes)
        : m_bytes(bytes)
    { }

    bool atEnd() const { return m_position >= m_bytes.size(); }
    // The next string without its NUL, or nullopt when no NUL ends it.
    std::optional<QByteArrayView> next()
    {
        const QByteArrayView rest = m_bytes.sliced(m_position);
        const qsizetype nul = rest.indexOf('\0');
        if (nul < 0)
            return std::nullopt;
        m_position += nul + 1;
        return rest.first(nul);
    }
    qsizetype position() const { return m_position; }

private:
    QByteArrayView m_bytes;
    qsizetype m_position = 0;
};

Decoded failed(DecodeError error)
{
    return { Packet {}, error };
}

// name NUL value NUL, to the end of the packet.
DecodeError readOptions(StringReader &reader, Options &options)
{
    while (!reader.atEnd()) {
        const std::optional<QByteArrayView> name = reader.next();
        if (!name)
            return DecodeError::MissingNul;
        if (name->isEmpty())
            return DecodeError::EmptyOptionName;
        const std::optional<QByteArrayView> value = reader.next();
        if (!value)
            return DecodeError::MissingNul;
        options.append({ lowerAscii(*name), value->toByteArray() });
    }
    return DecodeError::None;
}

void appendString(QByteArray &out, QByteArrayView text)
{
    out.append(text);
    out.append('\0');
}

void appendOptions(QByteArray &out, const Options &options)
{
    for (const Option &option : options) {
        appendString(out, option.name);
        appendString(out, option.value);
    }
}

QByteArray header(Opcode opcode, quint16 blockOrCode, qsizetype reserve)
{
    QByteArray out(HeaderSize, Qt::Uninitialized);
    out.reserve(HeaderSize + reserve);
    writeHeader(out.data(), opcode, blockOrCode);
    return out;
}

} // namespace

QString printable(QByteArrayView bytes)
{
    QString text = QString::fromUtf8(bytes);
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u' ';
    }
    return text.trimmed();
}

QString errorCodeText(quint16 code)
{
    switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::NotDefined:
        return u"Not defined, see error message"_s;
    case ErrorCode::FileNotFound:
        return u"File not found"_s;
    case ErrorCode::AccessViolation:
        return u"Access violation"_s;
    case ErrorCode::DiskFull:
        return u"Disk full or allocation exceeded"_s;
    case ErrorCode::IllegalOperation:
        return u"Illegal TFTP operation"_s;
    case ErrorCode::UnknownTransferId:
        return u"Unknown transfer ID"_s;
    case ErrorCode::FileExists:
        return u"File already exists"_s;
    case ErrorCode::NoSuchUser:
        return u"No such user"_s;
    case ErrorCode::OptionRefused:
        return u"Option negotiation refused"_s;
    }
    return u"unknown error code %1"_s.arg(code);
}

QByteArray modeName(Mode mode)
{
    return mode == Mode::Netascii ? QByteArrayLiteral("netascii") : QByteArrayLiteral("octet");
}

std::optional<Mode> parseMode(QByteArrayView name)
{
    if (equalsIgnoringCase(name, "octet"))
        return Mode::Octet;
    if (equalsIgnoringCase(name, "netascii"))
        return Mode::Netascii;
    return std::nullopt;
}

const Option *findOption(const Options &options, QByteArrayView name)
{
    for (const Option &option : options) {
        if (equalsIgnoringCase(option.name, name))
            return &option;
    }
    return nullptr;
}

QString decodeErrorText(DecodeError error)
{
    switch (error) {
    case DecodeError::None:
        return {};
    case DecodeError::Truncated:
        return u"truncated packet"_s;
    case DecodeError::MissingNul:
        return u"string without its terminating NUL"_s;
    case DecodeError::UnknownOpcode:
        return u"unknown opcode"_s;
    case DecodeError::Oversized:
        return u"packet longer than %1 bytes"_s.arg(MaxPacketSize);
    case DecodeError::TrailingBytes:
        return u"unexpected bytes at the end of the packet"_s;
    case DecodeError::EmptyOptionName:
        return u"option without a name"_s;
    }
    return {};
}

Decoded decode(QByteArrayView datagram)
{
    if (datagram.size() < 2)
        return failed(DecodeError::Truncated);
    if (datagram.size() > MaxPacketSize)
        return failed(DecodeError::Oversized);
    const quint16 opcode = readUint16(datagram.data());
    const QByteArrayView body = datagram.sliced(2);

    switch (static_cast<Opcode>(opcode)) {
    case Opcode::ReadRequest:
    case Opcode::WriteRequest: {
        StringReader reader(body);
        const std::optional<QByteArrayView> filename = reader.next();
        if (!filename)
            return failed(DecodeError::MissingNul);
        const std::optional<QByteArrayView> mode = reader.next();
        if (!mode)
            return failed(DecodeError::MissingNul);
        Request request;
        request.write = static_cast<Opcode>(opcode) == Opcode::WriteRequest;
        request.filename = filename->toByteArray();
        request.mode = lowerAscii(*mode);
        if (const DecodeError error = readOptions(reader, request.options);
            error != DecodeError::None)
            return failed(error);
        return { std::move(request), DecodeError::None };
    }
    case Opcode::Data:
        if (body.size() < 2)
            return failed(DecodeError::Truncated);
        return { Data { readUint16(body.data()), body.sliced(2) }, DecodeError::None };
    case Opcode::Ack:
        if (body.size() < 2)
            return failed(DecodeError::Truncated);
        if (body.size() > 2)
            return failed(DecodeError::TrailingBytes);
        return { Ack { readUint16(body.data()) }, DecodeError::None };
    case Opcode::Error: {
        if (body.size() < 2)
            return failed(DecodeError::Truncated);
        StringReader reader(body.sliced(2));
        const std::optional<QByteArrayView> message = reader.next();
        if (!message)
            return failed(DecodeError::MissingNul);
        if (!reader.atEnd())
            return failed(DecodeError::TrailingBytes);
        return { Error { readUint16(body.data()), message->toByteArray() }, DecodeError::None };
    }
    case Opcode::OptionAck: {
        StringReader reader(body);
        OptionAck oack;
        if (const DecodeError error = readOptions(reader, oack.options); error != DecodeError::None)
            return failed(error);
        return { std::move(oack), DecodeError::None };
    }
    }
    return failed(DecodeError::UnknownOpcode);
}

QByteArray encodeRequest(const Request &request)
{
    QByteArray out;
    out.reserve(
        2 + request.filename.size() + request.mode.size() + 2 + 32 * request.options.size());
    out.resize(2);
    const quint16 op
        = static_cast<quint16>(request.write ? Opcode::WriteRequest : Opcode::ReadRequest);
    out[0] = static_cast<char>(op >> 8);
    out[1] = static_cast<char>(op & 0xff);
    appendString(out, request.filename);
    appendString(out, request.mode);
    appendOptions(out, request.options);
    return out;
}

QByteArray encodeData(quint16 block, QByteArrayView payload)
{
    QByteArray out = header(Opcode::Data, block, payload.size());
    out.append(payload);
    return out;
}

QByteArray encodeAck(quint16 block)
{
    return header(Opcode::Ack, block, 0);
}

QByteArray encodeError(quint16 code, QByteArrayView message)
{
    QByteArray out = header(Opcode::Error, code, message.size() + 1);
    // A NUL inside the message would end it early for every reader.
    const qsizetype nul = message.indexOf('\0');
    appendString(out, nul < 0 ? message : message.first(nul));
    return out;
}

QByteArray encodeOptionAck(const Options &options)
{
    QByteArray out(2, Qt::Uninitialized);
    const auto op = static_cast<quint16>(Opcode::OptionAck);
    out[0] = static_cast<char>(op >> 8);
    out[1] = static_cast<char>(op & 0xff);
    appendOptions(out, options);
    return out;
}

QByteArray encode(const Packet &packet)
{
    struct Encoder
    {
        QByteArray operator()(const Request &request) const { return encodeRequest(request); }
        QByteArray operator()(const Data &data) const
        {
            return encodeData(data.block, data.payload);
        }
        QByteArray operator()(const Ack &ack) const { return encodeAck(ack.block); }
        QByteArray operator()(const Error &error) const
        {
            return encodeError(error.code, error.message);
        }
        QByteArray operator()(const OptionAck &oack) const { return encodeOptionAck(oack.options); }
    };
    return std::visit(Encoder {}, packet);
}

void NetasciiEncoder::encode(QByteArrayView local, QByteArray &wire) const
{
    const qsizetype start = wire.size();
    wire.resize(start + 2 * local.size());
    char *out = wire.data() + start;
    const char *in = local.data();
    const char *const end = in + local.size();
    while (in < end) {
        // Runs without CR or LF are copied whole.
        const char *special = in;
        while (special < end && *special != '\n' && *special != '\r')
            ++special;
        const auto run = static_cast<size_t>(special - in);
        std::memcpy(out, in, run);
        out += run;
        in = special;
        if (in == end)
            break;
        if (*in == '\n') {
            *out++ = '\r';
            *out++ = '\n';
        } else {
            *out++ = '\r';
            *out++ = '\0';
        }
        ++in;
    }
    wire.resize(out - wire.constData());
}

qint64 NetasciiEncoder::encodedSize(QByteArrayView local)
{
    qint64 size = local.size();
    for (const char c : local) {
        if (c == '\n' || c == '\r')
            ++size;
    }
    return size;
}

void NetasciiDecoder::decode(QByteArrayView wire, QByteArray &local)
{
    const qsizetype start = local.size();
    local.resize(start + wire.size() + 1);
    const char *end = decode(wire, local.data() + start);
    local.resize(end - local.constData());
}

char *NetasciiDecoder::decode(QByteArrayView wire, char *out)
{
    const char *in = wire.data();
    const char *const end = in + wire.size();
    if (m_pendingCr && in < end) {
        // The CR ended the previous block; its partner starts this one.
        m_pendingCr = false;
        if (*in == '\n') {
            *out++ = '\n';
            ++in;
        } else if (*in == '\0') {
            *out++ = '\r';
            ++in;
        } else {
            *out++ = '\r';
        }
    }
    while (in < end) {
        const char *cr = in;
        while (cr < end && *cr != '\r')
            ++cr;
        const auto run = static_cast<size_t>(cr - in);
        std::memcpy(out, in, run);
        out += run;
        in = cr;
        if (in == end)
            break;
        if (in + 1 == end) {
            m_pendingCr = true;
            break;
        }
        if (in[1] == '\n') {
            *out++ = '\n';
            in += 2;
        } else if (in[1] == '\0') {
            *out++ = '\r';
            in += 2;
        } else {
            *out++ = '\r';
            ++in;
        }
    }
    return out;
}

void NetasciiDecoder::finish(QByteArray &local)
{
    if (m_pendingCr)
        local.append('\r');
    m_pendingCr = false;
}

char *NetasciiDecoder::finish(char *out)
{
    if (m_pendingCr)
        *out++ = '\r';
    m_pendingCr = false;
    return out;
}

} // namespace Tftp
