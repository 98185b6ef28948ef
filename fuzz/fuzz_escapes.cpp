// Escapes::encode in every encoding. The first byte picks the encoding (and
// whether the rest is read as UTF-8 or as raw UTF-16); the rest is the text.

#include "fuzzcheck.h"
#include "net/text/escapes.h"
#include "net/text/textcodec.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

constexpr std::array<QStringView, 6> encodings
    = { u"UTF-8", u"GB2312", u"GBK", u"GB18030", u"Big5", u"Latin-1" };

void checkEncode(QStringView input, QStringView encoding)
{
    const BytesResult result = Escapes::encode(input, encoding);
    const QString shown = encoding.toString() + u" input: "_s + Fuzz::units(input) + u"\nerror: "_s
        + result.error + u"\nposition: "_s + QString::number(result.position);
    if (result.ok()) {
        FUZZ_CHECK(result.position == -1, shown);
    } else {
        FUZZ_CHECK(result.position >= 0 && result.position < input.size(), shown);
        FUZZ_CHECK(result.bytes.isEmpty(), shown);
        // The message names the 1-based column of that position.
        const QString column = QString::number(Fuzz::columnOf(input, result.position));
        FUZZ_CHECK(result.error.contains(u"column "_s + column)
                || result.error.contains(u"position "_s + column),
            shown + u"\nexpected column "_s + column);
    }

    // Without a backslash there is nothing to interpret: the same as encoding
    // the text, error and all.
    if (!input.contains(u'\\')) {
        const BytesResult plain = TextCodec::encode(input, encoding);
        FUZZ_CHECK(plain.ok() == result.ok() && plain.bytes == result.bytes
                && plain.error == result.error && plain.position == result.position,
            shown + u"\nplain encode: "_s + plain.error);
        // What encodes decodes back to the same text.
        if (result.ok()) {
            const QString decoded = TextCodec::decode(result.bytes, encoding);
            FUZZ_CHECK(decoded == input,
                shown + u"\nbytes: "_s + Fuzz::hex(result.bytes) + u"\ndecoded: "_s
                    + Fuzz::units(decoded));
        }
    }

    // Every byte written as \xNN comes back as that byte, in any encoding.
    if (result.ok()) {
        QString escaped;
        for (const char byte : std::as_const(result.bytes))
            escaped
                += u"\\x"_s + QString::number(static_cast<uchar>(byte), 16).rightJustified(2, u'0');
        const BytesResult again = Escapes::encode(escaped, encoding);
        FUZZ_CHECK(again.ok() && again.bytes == result.bytes, shown);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QStringView encoding = encodings[data[0] % encodings.size()];
    const QByteArrayView rest(data + 1, static_cast<qsizetype>(size - 1));
    if (data[0] & 0x80) {
        QString utf16(rest.size() / 2, Qt::Uninitialized);
        if (!utf16.isEmpty())
            std::memcpy(utf16.data(), rest.data(), static_cast<size_t>(utf16.size()) * 2);
        checkEncode(utf16, encoding);
    } else {
        checkEncode(QString::fromUtf8(rest), encoding);
    }
    return 0;
}
