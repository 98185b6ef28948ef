// The TFTP packet layer on arbitrary datagrams: decode, re-encode, decode
// again; the encoders on fields taken from the input; and the netascii
// converters across arbitrary block boundaries. The whole input is the
// datagram, so the seeds are real packets.

#include "fuzzcheck.h"
#include "net/tftp/tftpoptions.h"
#include "net/tftp/tftppacket.h"

#include <cstddef>
#include <cstdint>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

QByteArray lower(QByteArrayView text)
{
    QByteArray out = text.toByteArray();
    for (char &c : out)
        c = lower(c);
    return out;
}

// A server's answer to any request's options is one its client takes, and
// stays within the server's caps.
void checkNegotiation(const Tftp::Request &request, const QString &shown)
{
    const qint64 fileSize = request.filename.size() * 1000;
    const std::optional<Tftp::Mode> mode = Tftp::parseMode(request.mode);
    for (const Tftp::OptionCaps &caps :
        { Tftp::OptionCaps {}, Tftp::OptionCaps { 1024, 4, false, true } }) {
        const Tftp::OptionGrant grant = Tftp::grantOptions(
            request.options, request.write, mode.value_or(Tftp::Mode::Octet), fileSize, caps);
        const Tftp::Parameters &p = grant.parameters;
        FUZZ_CHECK(grant.acknowledged.size() <= request.options.size(), shown);
        FUZZ_CHECK(p.blockSize >= Tftp::MinBlockSize && p.blockSize <= caps.maxBlockSize, shown);
        FUZZ_CHECK(
            p.windowSize >= Tftp::MinWindowSize && p.windowSize <= caps.maxWindowSize, shown);
        const Tftp::OptionAckCheck check
            = Tftp::checkOptionAck(request.options, grant.acknowledged, request.write);
        FUZZ_CHECK(check.ok(), shown + u"\nrefused: "_s + check.error);
        FUZZ_CHECK(check.parameters == p, shown);
    }
}

// decode(), then encode() and decode() again.
void checkPacket(QByteArrayView datagram)
{
    const QString shown = u"datagram: "_s + Fuzz::hex(datagram);
    const Tftp::Decoded decoded = Tftp::decode(datagram);
    if (!decoded.ok()) {
        FUZZ_CHECK(!Tftp::decodeErrorText(decoded.error).isEmpty(), shown);
        return;
    }
    FUZZ_CHECK(datagram.size() <= Tftp::MaxPacketSize, shown);

    const QByteArray encoded = Tftp::encode(decoded.packet);
    const QString both = shown + u"\nencoded: "_s + Fuzz::hex(encoded);
    // decode() lower-cases only a request's mode and the option names, so the
    // bytes come back as sent but for the case of those.
    const bool normalisesCase = std::holds_alternative<Tftp::Request>(decoded.packet)
        || std::holds_alternative<Tftp::OptionAck>(decoded.packet);
    if (normalisesCase) {
        FUZZ_CHECK(encoded.size() == datagram.size(), both);
        for (qsizetype i = 0; i < encoded.size(); ++i)
            FUZZ_CHECK(encoded[i] == datagram[i] || encoded[i] == lower(datagram[i]), both);
    } else {
        FUZZ_CHECK(encoded == datagram, both);
    }

    const Tftp::Decoded again = Tftp::decode(encoded);
    FUZZ_CHECK(again.ok(), both);
    FUZZ_CHECK(again.packet == decoded.packet, both);
    FUZZ_CHECK(Tftp::encode(again.packet) == encoded, both);

    const Tftp::Options *options = nullptr;
    if (const auto *request = std::get_if<Tftp::Request>(&decoded.packet)) {
        options = &request->options;
        FUZZ_CHECK(request->mode == lower(request->mode), both);
        const std::optional<Tftp::Mode> mode = Tftp::parseMode(request->mode);
        FUZZ_CHECK(!mode || Tftp::modeName(*mode) == request->mode, both);
        checkNegotiation(*request, both);
    } else if (const auto *oack = std::get_if<Tftp::OptionAck>(&decoded.packet)) {
        options = &oack->options;
    } else if (const auto *error = std::get_if<Tftp::Error>(&decoded.packet)) {
        FUZZ_CHECK(!Tftp::errorCodeText(error->code).isEmpty(), both);
        FUZZ_CHECK(!error->message.contains('\0'), both);
    }
    if (options) {
        for (const Tftp::Option &option : *options) {
            FUZZ_CHECK(!option.name.isEmpty() && option.name == lower(option.name), both);
            const Tftp::Option *found = Tftp::findOption(*options, option.name.toUpper());
            FUZZ_CHECK(found && found->name == option.name, both);
        }
    }
}

// Packets built from fields of the input decode to what was put in.
void checkEncoders(QByteArrayView input)
{
    const QString shown = u"input: "_s + Fuzz::hex(input);
    const quint16 number = input.size() >= 2 ? Tftp::readUint16(input.data()) : 0;
    const QByteArrayView rest = input.size() >= 2 ? input.sliced(2) : input;

    if (rest.size() <= Tftp::MaxBlockSize) {
        const QByteArray wire = Tftp::encodeData(number, rest);
        const Tftp::Decoded decoded = Tftp::decode(wire);
        FUZZ_CHECK(
            decoded.ok() && decoded.packet == Tftp::Packet(Tftp::Data { number, rest }), shown);
    }
    {
        const Tftp::Decoded decoded = Tftp::decode(Tftp::encodeAck(number));
        FUZZ_CHECK(decoded.ok() && decoded.packet == Tftp::Packet(Tftp::Ack { number }), shown);
    }
    {
        // A NUL would end the message for every reader: encodeError cuts there.
        const qsizetype nul = rest.indexOf('\0');
        const QByteArrayView message = nul < 0 ? rest : rest.first(nul);
        const Tftp::Decoded decoded = Tftp::decode(Tftp::encodeError(number, rest));
        FUZZ_CHECK(decoded.ok()
                && decoded.packet == Tftp::Packet(Tftp::Error { number, message.toByteArray() }),
            shown);
    }
    {
        // The NUL-separated fields of the input as filename, mode and options.
        const QList<QByteArray> fields = rest.toByteArray().split('\0');
        Tftp::Request request { (number & 1) != 0, fields.value(0), fields.value(1), {} };
        Tftp::Request expected { request.write, request.filename, lower(request.mode), {} };
        bool emptyName = false;
        for (qsizetype i = 2; i + 1 < fields.size(); i += 2) {
            request.options.append({ fields[i], fields[i + 1] });
            expected.options.append({ lower(fields[i]), fields[i + 1] });
            emptyName = emptyName || fields[i].isEmpty();
        }
        const QByteArray wire = Tftp::encodeRequest(request);
        const Tftp::Decoded decoded = Tftp::decode(wire);
        const QString detail = shown + u"\nrequest: "_s + Fuzz::hex(wire);
        if (wire.size() > Tftp::MaxPacketSize)
            FUZZ_CHECK(decoded.error == Tftp::DecodeError::Oversized, detail);
        else if (emptyName)
            FUZZ_CHECK(decoded.error == Tftp::DecodeError::EmptyOptionName, detail);
        else
            FUZZ_CHECK(decoded.ok() && decoded.packet == Tftp::Packet(expected), detail);

        Tftp::OptionAck oack { request.options };
        const Tftp::Decoded decodedOack = Tftp::decode(Tftp::encodeOptionAck(oack.options));
        if (!emptyName && !request.options.isEmpty())
            FUZZ_CHECK(decodedOack.ok()
                    && decodedOack.packet == Tftp::Packet(Tftp::OptionAck { expected.options }),
                detail);
    }
}

// RFC 764 as RFC 1350 uses it, byte by byte, lenient about a CR followed by
// anything else (kept as it is) and a CR at the very end.
QByteArray referenceDecode(QByteArrayView wire)
{
    QByteArray local;
    for (qsizetype i = 0; i < wire.size(); ++i) {
        if (wire[i] != '\r' || i + 1 == wire.size()) {
            local.append(wire[i]);
        } else if (wire[i + 1] == '\n') {
            local.append('\n');
            ++i;
        } else if (wire[i + 1] == '\0') {
            local.append('\r');
            ++i;
        } else {
            local.append('\r');
        }
    }
    return local;
}

// Block lengths 1-16, taken in turn from the first bytes of the input, so the
// fuzzer moves the boundaries by changing them.
QList<qsizetype> chunkLengths(QByteArrayView input)
{
    QList<qsizetype> lengths;
    for (qsizetype i = 0; i < std::min<qsizetype>(4, input.size()); ++i)
        lengths.append(1 + static_cast<uchar>(input[i]) % 16);
    if (lengths.isEmpty())
        lengths.append(1);
    return lengths;
}

template<typename Function>
void forEachChunk(QByteArrayView input, const QList<qsizetype> &lengths, Function function)
{
    qsizetype start = 0;
    for (qsizetype turn = 0; start < input.size(); ++turn) {
        const qsizetype length = std::min(lengths[turn % lengths.size()], input.size() - start);
        function(input.sliced(start, length));
        start += length;
    }
}

void checkNetascii(QByteArrayView input)
{
    const QString shown = u"input: "_s + Fuzz::hex(input);
    const QByteArray expected = referenceDecode(input);
    const QList<qsizetype> lengths = chunkLengths(input);

    {
        Tftp::NetasciiDecoder decoder;
        QByteArray local;
        decoder.decode(input, local);
        decoder.finish(local);
        FUZZ_CHECK(local == expected, shown + u"\ngot: "_s + Fuzz::hex(local));
        FUZZ_CHECK(!decoder.hasPendingCr(), shown);
    }
    for (const QList<qsizetype> &cut : { lengths, QList<qsizetype> { 1 } }) {
        Tftp::NetasciiDecoder decoder;
        QByteArray local;
        forEachChunk(input, cut, [&](QByteArrayView chunk) {
            decoder.decode(chunk, local);
            // A CR is never the second byte of a pair, so a CR that ends the
            // stream so far always waits for its partner.
            FUZZ_CHECK(decoder.hasPendingCr() == chunk.endsWith('\r'), shown);
        });
        decoder.finish(local);
        FUZZ_CHECK(local == expected, shown + u"\nchunked: "_s + Fuzz::hex(local));
    }
    {
        // The allocation-free form into buffers of exactly the promised size,
        // so ASan sees one byte too many.
        Tftp::NetasciiDecoder decoder;
        QByteArray local;
        forEachChunk(input, lengths, [&](QByteArrayView chunk) {
            const auto size = static_cast<size_t>(chunk.size()) + 1;
            const std::unique_ptr<char[]> buffer(new char[size]);
            const char *end = decoder.decode(chunk, buffer.get());
            FUZZ_CHECK(end >= buffer.get() && end <= buffer.get() + size, shown);
            local.append(buffer.get(), end - buffer.get());
        });
        const std::unique_ptr<char[]> last(new char[1]);
        const char *end = decoder.finish(last.get());
        local.append(last.get(), end - last.get());
        FUZZ_CHECK(local == expected, shown + u"\ninto buffers: "_s + Fuzz::hex(local));
    }

    // Local text to netascii: in one go or in blocks, the same; every CR on
    // the wire is paired; and decoding gives the text back.
    const Tftp::NetasciiEncoder encoder;
    QByteArray wire;
    encoder.encode(input, wire);
    FUZZ_CHECK(wire.size() == Tftp::NetasciiEncoder::encodedSize(input), shown);
    for (qsizetype i = 0; i < wire.size(); ++i) {
        if (wire[i] == '\r')
            FUZZ_CHECK(i + 1 < wire.size() && (wire[i + 1] == '\n' || wire[i + 1] == '\0'), shown);
    }
    QByteArray chunkedWire = "prefix";
    forEachChunk(input, lengths, [&](QByteArrayView chunk) { encoder.encode(chunk, chunkedWire); });
    FUZZ_CHECK(chunkedWire == "prefix" + wire, shown);
    FUZZ_CHECK(referenceDecode(wire) == input, shown + u"\nwire: "_s + Fuzz::hex(wire));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(data, static_cast<qsizetype>(size));
    checkPacket(input);
    checkEncoders(input);
    checkNetascii(input);
    return 0;
}
