#include "net/core/sessionconfig.h"

#include "net/text/escapes.h"
#include "net/text/textcodec.h"

using namespace Qt::StringLiterals;

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

QString escapedText(const QByteArray &bytes, const QString &encoding)
{
    const QString decoded = TextCodec::decode(bytes, encoding);
    if (!decoded.contains(QChar::ReplacementCharacter)) {
        const QString candidate = escapeCharacters(decoded);
        const BytesResult back = Escapes::encode(candidate, encoding);
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
