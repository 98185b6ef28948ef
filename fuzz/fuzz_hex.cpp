// Hex::parse on arbitrary text, read both as UTF-8 and as raw UTF-16, and
// Hex::format round-tripping arbitrary bytes.

#include "fuzzcheck.h"
#include "net/text/hex.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

void checkParse(QStringView input)
{
    const BytesResult result = Hex::parse(input);
    const QString shown = u"input: "_s + Fuzz::units(input) + u"\nerror: "_s + result.error
        + u"\nposition: "_s + QString::number(result.position);
    if (result.ok()) {
        FUZZ_CHECK(result.error.isEmpty(), shown);
        FUZZ_CHECK(result.position == -1, shown);
        // Two digits make a byte, so the bytes can never outnumber half the text.
        FUZZ_CHECK(result.bytes.size() <= input.size() / 2, shown);
        // What was accepted prints canonically and reads back the same.
        const BytesResult again = Hex::parse(Hex::format(result.bytes));
        FUZZ_CHECK(again.ok() && again.bytes == result.bytes, shown);
    } else {
        FUZZ_CHECK(!result.error.isEmpty(), shown);
        FUZZ_CHECK(result.position >= 0 && result.position < input.size(), shown);
        FUZZ_CHECK(result.bytes.isEmpty(), shown);
        // Errors name the 1-based column of the position they give.
        const QString column
            = u"column "_s + QString::number(Fuzz::columnOf(input, result.position));
        FUZZ_CHECK(result.error.contains(column), shown + u"\nexpected "_s + column);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(data, static_cast<qsizetype>(size));

    checkParse(QString::fromUtf8(bytes));

    // The same bytes as UTF-16 code units, lone surrogates and all; copied so
    // the view is aligned whatever the buffer.
    QString utf16(static_cast<qsizetype>(size / 2), Qt::Uninitialized);
    if (!utf16.isEmpty())
        std::memcpy(utf16.data(), data, static_cast<size_t>(utf16.size()) * 2);
    checkParse(utf16);

    // Any bytes survive format and parse.
    const QString formatted = Hex::format(bytes);
    const BytesResult parsed = Hex::parse(formatted);
    FUZZ_CHECK(parsed.ok(), u"format gave unparsable '%1': %2"_s.arg(formatted, parsed.error));
    FUZZ_CHECK(parsed.bytes == bytes,
        u"bytes %1 came back as %2"_s.arg(Fuzz::hex(bytes), Fuzz::hex(parsed.bytes)));
    FUZZ_CHECK(Hex::format(parsed.bytes) == formatted);
    // Upper case and the other separators users paste read the same.
    const QString pasted = formatted.toUpper().replace(u' ', u':');
    const BytesResult pastedParsed = Hex::parse(pasted);
    FUZZ_CHECK(pastedParsed.ok() && pastedParsed.bytes == bytes, pasted);
    return 0;
}
