// StreamDecoder across arbitrary chunkings, in every encoding.
//
// Input layout (so seeds stay readable):
//   byte 0      encoding, modulo 6: '0' UTF-8, '1' GB2312, '2' GBK,
//               '3' GB18030, '4' Big5, '5' Latin-1
//   byte 1      k, modulo 16: how many chunk lengths follow
//   k bytes     chunk lengths, used in turn and over again until the payload
//               is cut up (0 makes an empty read)
//   the rest    the payload, the bytes as they arrive from a peer

#include "fuzzcheck.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

constexpr std::array<QStringView, 6> encodings
    = { u"UTF-8", u"GB2312", u"GBK", u"GB18030", u"Big5", u"Latin-1" };

struct Input
{
    QStringView encoding;
    QByteArrayView lengths;
    QByteArrayView payload;
};

std::optional<Input> split(QByteArrayView data)
{
    if (data.size() < 2)
        return std::nullopt;
    const qsizetype k = static_cast<uchar>(data[1]) % 16;
    if (data.size() < 2 + k)
        return std::nullopt;
    return Input { encodings[static_cast<uchar>(data[0]) % encodings.size()], data.sliced(2, k),
        data.sliced(2 + k) };
}

QString decodeInChunks(
    StreamDecoder &decoder, QByteArrayView payload, QByteArrayView lengths, QString *cuts)
{
    QString text;
    qsizetype start = 0;
    qsizetype turn = 0;
    bool anyNonZero = false;
    for (const char length : lengths)
        anyNonZero = anyNonZero || length != 0;
    while (anyNonZero && start < payload.size()) {
        const qsizetype length = std::min<qsizetype>(
            static_cast<uchar>(lengths[turn++ % lengths.size()]), payload.size() - start);
        text += decoder.decode(payload.sliced(start, length));
        start += length;
        *cuts += QString::number(start) + u' ';
    }
    text += decoder.decode(payload.sliced(start));
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::optional<Input> input = split(QByteArrayView(data, static_cast<qsizetype>(size)));
    if (!input)
        return 0;
    const QStringView encoding = input->encoding;
    const QByteArrayView payload = input->payload;

    StreamDecoder chunkedDecoder(encoding);
    FUZZ_CHECK(chunkedDecoder.isValid(), encoding.toString());
    QString cuts;
    const QString chunked = decodeInChunks(chunkedDecoder, payload, input->lengths, &cuts);

    StreamDecoder oneRead(encoding);
    const QString whole = oneRead.decode(payload);
    const QString shown = encoding.toString() + u"\npayload: "_s + Fuzz::hex(payload)
        + u"\ncuts after: "_s + cuts + u"\nchunked: "_s + Fuzz::units(chunked) + u"\none read: "_s
        + Fuzz::units(whole);

    // The promise of StreamDecoder: how the bytes are cut does not matter.
    FUZZ_CHECK(chunked == whole, shown);

    // What it holds back is the start of one character: the whole-buffer
    // decode says the same, plus at most a replacement per held-back byte.
    const QString complete = TextCodec::decode(payload, encoding);
    FUZZ_CHECK(complete.startsWith(whole) && complete.size() - whole.size() <= 3,
        shown + u"\nwhole buffer: "_s + Fuzz::units(complete));

    // Control bytes are never part of a multi-byte character in these
    // encodings: each comes out as itself, never swallowed by a lead byte
    // before it, and invalid bytes become U+FFFD, not SUB (ICU's GB2312
    // converter writes SUB of its own).
    for (const char control : { '\0', '\t', '\n', '\r', '\x1a', '\x1b' }) {
        FUZZ_CHECK(complete.count(QChar(static_cast<char16_t>(control))) == payload.count(control),
            shown + u"\nwhole buffer: "_s + Fuzz::units(complete) + u"\ncontrol: "_s
                + QString::number(control));
    }

    // A newline ends any pending character, so then both decoders agree, and
    // the chunked one has nothing left over.
    const QString flushed = chunked + chunkedDecoder.decode("\n");
    QByteArray terminated = payload.toByteArray();
    terminated.append('\n');
    const QString expected = TextCodec::decode(terminated, encoding);
    FUZZ_CHECK(flushed == expected,
        shown + u"\nwith newline: "_s + Fuzz::units(flushed) + u"\nexpected: "_s
            + Fuzz::units(expected));
    FUZZ_CHECK(chunkedDecoder.decode("x") == u"x"_s, shown);

    // After reset() a decoder is as good as new.
    oneRead.reset();
    FUZZ_CHECK(oneRead.decode(payload) == whole, shown);

    // Whatever came out can be handed to the encoder: an error, not a crash.
    const BytesResult encoded = TextCodec::encode(complete, encoding);
    FUZZ_CHECK(encoded.ok() == (encoded.position == -1), shown + u"\n"_s + encoded.error);
    if (!encoded.ok())
        FUZZ_CHECK(encoded.position >= 0 && encoded.position < complete.size(), shown);
    // Latin-1 maps each byte to one character and back.
    if (encoding == u"Latin-1")
        FUZZ_CHECK(encoded.ok() && encoded.bytes == payload, shown);
    return 0;
}
