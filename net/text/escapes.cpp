#include "net/text/escapes.h"

#include "net/text/codectable.h"
#include "net/text/textcodec.h"
#include "net/text/textinput.h"

using namespace Qt::StringLiterals;
using namespace TextCodec::Internal;
using TextInput::columnAt;
using TextInput::hexValue;
using TextInput::isSurrogatePairAt;

namespace Escapes {

BytesResult encode(QStringView input, QStringView encoding)
{
    const Codec *codec = usableCodec(encoding);
    if (!codec)
        return BytesResult::failure(TextCodec::checkName(encoding), -1);

    QByteArray bytes;
    qsizetype runStart = 0; // start of the literal text not yet encoded
    qsizetype i = 0;
    while (i < input.size()) {
        if (input[i] != u'\\') {
            ++i;
            continue;
        }
        BytesResult run = encodeRange(input, runStart, i, *codec);
        if (!run.ok())
            return run;
        bytes.append(run.bytes);

        // Only on error: counting columns from the start at every escape
        // made long escaped input quadratic.
        const auto column = [input, i] { return QString::number(columnAt(input, i)); };
        if (i + 1 == input.size()) {
            return BytesResult::failure(
                u"lone backslash at column %1 at the end of the input (write \\\\ for a backslash)"_s
                    .arg(column()),
                i);
        }
        qsizetype length = 2;
        switch (input[i + 1].unicode()) {
        case u'r':
            bytes.append('\r');
            break;
        case u'n':
            bytes.append('\n');
            break;
        case u't':
            bytes.append('\t');
            break;
        case u'\\':
            bytes.append('\\');
            break;
        case u'0':
            bytes.append('\0');
            break;
        case u'a':
            bytes.append('\a');
            break;
        case u'b':
            bytes.append('\b');
            break;
        case u'f':
            bytes.append('\f');
            break;
        case u'v':
            bytes.append('\v');
            break;
        case u'e':
            bytes.append('\x1b');
            break;
        case u'"':
            bytes.append('"');
            break;
        case u'\'':
            bytes.append('\'');
            break;
        case u'x': {
            const int high = i + 2 < input.size() ? hexValue(input[i + 2]) : -1;
            const int low = i + 3 < input.size() ? hexValue(input[i + 3]) : -1;
            if (high < 0 || low < 0) {
                return BytesResult::failure(
                    u"'\\x' at column %1 must be followed by two hex digits"_s.arg(column()), i);
            }
            bytes.append(static_cast<char>(high * 16 + low));
            length = 4;
            break;
        }
        default: {
            const qsizetype escaped = isSurrogatePairAt(input, i + 1) ? 2 : 1;
            return BytesResult::failure(
                u"unknown escape '\\%1' at column %2 (write \\\\ for a backslash)"_s.arg(
                    input.sliced(i + 1, escaped), column()),
                i);
        }
        }
        i += length;
        runStart = i;
    }
    BytesResult run = encodeRange(input, runStart, input.size(), *codec);
    if (!run.ok())
        return run;
    bytes.append(run.bytes);
    return BytesResult::success(std::move(bytes));
}

} // namespace Escapes

namespace {

QString hexEscape(uint value)
{
    return u"\\x%1"_s.arg(value, 2, 16, QChar(u'0'));
}

QString escapeCharacters(QStringView text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'\\':
            out += u"\\\\"_s;
            break;
        case u'\r':
            out += u"\\r"_s;
            break;
        case u'\n':
            out += u"\\n"_s;
            break;
        case u'\t':
            out += u"\\t"_s;
            break;
        case 0:
            out += u"\\0"_s;
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += hexEscape(c.unicode());
            else
                out += c;
        }
    }
    return out;
}

} // namespace

QString Escapes::escape(const QByteArray &bytes, QStringView encoding)
{
    const QString decoded = TextCodec::decode(bytes, encoding);
    if (!decoded.contains(QChar::ReplacementCharacter)) {
        const QString candidate = escapeCharacters(decoded);
        const BytesResult back = encode(candidate, encoding);
        if (back.ok() && back.bytes == bytes)
            return candidate;
    }
    // Not text in this encoding: ASCII stays (escaped where it must be), every
    // other byte is \xNN.
    QString out;
    for (const char byte : bytes) {
        const auto value = char16_t(uchar(byte));
        out += value < 0x80 ? escapeCharacters(QStringView(&value, 1)) : hexEscape(value);
    }
    return out;
}
