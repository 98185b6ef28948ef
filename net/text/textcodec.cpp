#include "net/text/textcodec.h"

#include <QLoggingCategory>
#include <QStringEncoder>

#include <array>

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcCodec, "socklab.net.textcodec")

// How a byte stream in an encoding is cut into characters. Used to hold back
// an incomplete trailing character between reads (see StreamDecoder).
enum class Kind { Utf8, Gb2312, Gbk, Gb18030, Big5, Latin1 };

struct Codec
{
    const char16_t *name; // canonical, as shown to users
    const char *qtName; // as handed to QStringDecoder/QStringEncoder
    Kind kind;

    QStringView canonical() const { return QStringView(name); }
};

constexpr std::array<Codec, 6> codecs { {
    { u"UTF-8", "UTF-8", Kind::Utf8 },
    { u"GB2312", "GB2312", Kind::Gb2312 },
    { u"GBK", "GBK", Kind::Gbk },
    { u"GB18030", "GB18030", Kind::Gb18030 },
    { u"Big5", "Big5", Kind::Big5 },
    { u"Latin-1", "ISO-8859-1", Kind::Latin1 },
} };

struct Alias
{
    const char16_t *key; // lower case, without '-' and '_'
    qsizetype codec; // index into codecs
};

constexpr std::array<Alias, 11> aliases { {
    { u"utf8", 0 },
    { u"gb2312", 1 },
    { u"gbk", 2 },
    { u"cp936", 2 },
    { u"gb18030", 3 },
    { u"big5", 4 },
    { u"cp950", 4 },
    { u"latin1", 5 },
    { u"iso88591", 5 },
    { u"l1", 5 },
    { u"88591", 5 },
} };

QString normalizedName(QStringView name)
{
    QString key;
    key.reserve(name.size());
    for (const QChar c : name.trimmed()) {
        if (c == u'-' || c == u'_')
            continue;
        key.append(c.toLower());
    }
    return key;
}

const Codec *findCodec(QStringView name)
{
    const QString key = normalizedName(name);
    for (const Alias &alias : aliases) {
        if (QStringView(alias.key) == key)
            return &codecs[static_cast<size_t>(alias.codec)];
    }
    return nullptr;
}

// Decoders are stateless on purpose: StreamDecoder does its own framing
// because Qt 6.4's stateful decoders lose bytes when a pending multi-byte
// sequence turns out invalid (see StreamDecoder::decode).
QStringDecoder makeDecoder(const Codec &codec)
{
    switch (codec.kind) {
    case Kind::Utf8:
        // Keep a leading BOM visible: this is a traffic log, not a text file.
        return QStringDecoder(QStringConverter::Utf8,
            QStringConverter::Flag::Stateless | QStringConverter::Flag::ConvertInitialBom);
    case Kind::Latin1:
        return QStringDecoder(QStringConverter::Latin1, QStringConverter::Flag::Stateless);
    case Kind::Gb2312:
    case Kind::Gbk:
    case Kind::Gb18030:
    case Kind::Big5:
        break;
    }
    return QStringDecoder(codec.qtName, QStringConverter::Flag::Stateless);
}

// Default flags, not Stateless: Qt's Latin-1 encoder does not count
// unencodable characters when Stateless is set, so hasError() would lie.
QStringEncoder makeEncoder(const Codec &codec)
{
    switch (codec.kind) {
    case Kind::Utf8:
        return QStringEncoder(QStringConverter::Utf8);
    case Kind::Latin1:
        return QStringEncoder(QStringConverter::Latin1);
    case Kind::Gb2312:
    case Kind::Gbk:
    case Kind::Gb18030:
    case Kind::Big5:
        break;
    }
    return QStringEncoder(codec.qtName);
}

bool codecAvailable(const Codec &codec)
{
    static const std::array<bool, codecs.size()> available = [] {
        std::array<bool, codecs.size()> result {};
        for (size_t i = 0; i < codecs.size(); ++i)
            result[i] = makeDecoder(codecs[i]).isValid() && makeEncoder(codecs[i]).isValid();
        return result;
    }();
    return available[static_cast<size_t>(&codec - codecs.data())];
}

const Codec *usableCodec(QStringView name)
{
    const Codec *codec = findCodec(name);
    return codec && codecAvailable(*codec) ? codec : nullptr;
}

bool isSurrogatePairAt(QStringView text, qsizetype index)
{
    return index + 1 < text.size() && text[index].isHighSurrogate()
        && text[index + 1].isLowSurrogate();
}

// 1-based, counting a surrogate pair as one character: what a user counts.
qsizetype columnAt(QStringView text, qsizetype index)
{
    qsizetype column = 1;
    for (qsizetype i = 0; i < index; ++i) {
        if (isSurrogatePairAt(text, i))
            ++i;
        ++column;
    }
    return column;
}

char32_t codePointAt(QStringView text, qsizetype index)
{
    if (isSurrogatePairAt(text, index))
        return QChar::surrogateToUcs4(text[index], text[index + 1]);
    return text[index].unicode();
}

QString codePointName(char32_t codePoint)
{
    return u"U+"_s + QString::number(codePoint, 16).toUpper().rightJustified(4, u'0');
}

// "'g'" when the character can be shown, "U+0007" when it cannot.
QString quotedCharacter(QStringView text, qsizetype index)
{
    const char32_t codePoint = codePointAt(text, index);
    if (QChar::isPrint(codePoint) && !QChar::isSurrogate(codePoint))
        return u'\'' + QString::fromUcs4(&codePoint, 1) + u'\'';
    return codePointName(codePoint);
}

// "character '😀' (U+1F600) at position 2 cannot be encoded in GB2312"
BytesResult unencodable(QStringView text, qsizetype index, const Codec &codec)
{
    const char32_t codePoint = codePointAt(text, index);
    QString character;
    if (QChar::isSurrogate(codePoint)) {
        character = codePointName(codePoint) + u" (unpaired surrogate)"_s;
    } else if (QChar::isPrint(codePoint)) {
        character
            = u'\'' + QString::fromUcs4(&codePoint, 1) + u"' ("_s + codePointName(codePoint) + u')';
    } else {
        character = codePointName(codePoint);
    }
    return BytesResult::failure(
        u"character %1 at position %2 cannot be encoded in %3"_s.arg(
            character, QString::number(columnAt(text, index)), codec.canonical()),
        index);
}

// Encodes text[begin, end); positions in errors are relative to all of text.
BytesResult encodeRange(QStringView text, qsizetype begin, qsizetype end, const Codec &codec)
{
    // A lone surrogate is never encodable, but Qt's encoders keep a trailing
    // high surrogate as pending state and drop it without an error.
    for (qsizetype i = begin; i < end; ++i) {
        if (isSurrogatePairAt(text, i) && i + 1 < end) {
            ++i;
            continue;
        }
        if (text[i].isSurrogate())
            return unencodable(text, i, codec);
    }

    const QStringView part = text.sliced(begin, end - begin);
    QStringEncoder encoder = makeEncoder(codec);
    QByteArray bytes = encoder.encode(part);
    if (!encoder.hasError())
        return BytesResult::success(std::move(bytes));

    // The encoder substituted something ('?' or a full-width space) and does
    // not say where. hasError() stays set once set, so the first character
    // after which it turns true is the culprit.
    QStringEncoder probe = makeEncoder(codec);
    for (qsizetype i = begin; i < end;) {
        const qsizetype length = isSurrogatePairAt(text, i) ? 2 : 1;
        // The encoder is lazy: only the conversion to QByteArray runs it.
        const QByteArray discarded = probe.encode(text.sliced(i, length));
        if (probe.hasError())
            return unencodable(text, i, codec);
        i += length;
    }
    qCWarning(lcCodec) << "encoder for" << codec.canonical()
                       << "reported an error no single character reproduces";
    return BytesResult::failure(u"text cannot be encoded in %1"_s.arg(codec.canonical()), begin);
}

// ICU's GB2312 converter writes U+001A (SUB) for invalid bytes, not U+FFFD.
// 0x1A is never part of a multi-byte character in these encodings, so
// sending each run between real 0x1A bytes separately tells the two apart.
constexpr char sub = '\x1a';
constexpr char16_t subCharacter = u'\x1a';

// One complete run through an ICU decoder. Qt decodes ICU data with
// flush=false and, when Stateless, silently resets a truncated tail; the SUB
// byte appended here ends any sequence, so a truncated tail becomes U+FFFD.
QString decodeIcuRun(QStringDecoder &decoder, QByteArrayView run, bool subMeansInvalid)
{
    if (run.isEmpty())
        return {};
    QByteArray terminated;
    terminated.reserve(run.size() + 1);
    terminated.append(run);
    terminated.append(sub);
    QString text = decoder.decode(terminated);
    if (!text.endsWith(QChar(subCharacter))) {
        qCWarning(lcCodec) << "decoder for" << decoder.name() << "swallowed the end marker";
        return text;
    }
    text.chop(1);
    if (subMeansInvalid)
        text.replace(QChar(subCharacter), QChar(QChar::ReplacementCharacter));
    return text;
}

// Decodes bytes that end on a character boundary (or are simply complete).
QString decodeComplete(QStringDecoder &decoder, Kind kind, QByteArrayView bytes)
{
    switch (kind) {
    case Kind::Utf8:
    case Kind::Latin1:
        return decoder.decode(bytes);
    case Kind::Gbk:
    case Kind::Gb18030:
    case Kind::Big5:
        return decodeIcuRun(decoder, bytes, false);
    case Kind::Gb2312:
        break;
    }

    QString text;
    qsizetype start = 0;
    while (true) {
        const qsizetype next = bytes.indexOf(sub, start);
        const qsizetype end = next < 0 ? bytes.size() : next;
        text += decodeIcuRun(decoder, bytes.sliced(start, end - start), true);
        if (next < 0)
            return text;
        text += QChar(subCharacter);
        start = next + 1;
    }
}

bool inRange(uchar byte, uchar low, uchar high)
{
    return byte >= low && byte <= high;
}

// The byte ranges below are ICU's, measured rather than taken from the
// standards: ICU takes any byte in these ranges after a lead byte as the
// second half of one (possibly unassigned) character, and otherwise rejects
// the lead alone and reads on from the next byte.
bool isLeadByte(Kind kind, uchar byte)
{
    if (kind == Kind::Gb2312)
        return inRange(byte, 0xa1, 0xfe);
    return inRange(byte, 0x81, 0xfe);
}

bool isPairedByte(Kind kind, uchar byte)
{
    switch (kind) {
    case Kind::Gb2312:
        return inRange(byte, 0xa0, 0xff);
    case Kind::Gb18030:
        return inRange(byte, 0x40, 0x7e) || inRange(byte, 0x80, 0xff);
    case Kind::Gbk:
    case Kind::Big5:
        return inRange(byte, 0x40, 0x7e) || inRange(byte, 0x80, 0xfe);
    case Kind::Utf8:
    case Kind::Latin1:
        break;
    }
    return false;
}

// Length of the longest prefix of bytes that ends on a character boundary.
// What remains is the start of a valid multi-byte character still missing
// bytes. Invalid sequences are not held back: the decoder turns them into
// U+FFFD now.
qsizetype completeLength(QByteArrayView bytes, Kind kind)
{
    const qsizetype size = bytes.size();
    const auto at = [bytes](qsizetype i) { return static_cast<uchar>(bytes[i]); };

    qsizetype i = 0;
    while (i < size) {
        const uchar lead = at(i);
        if (kind == Kind::Utf8) {
            qsizetype need = 0;
            uchar low = 0x80;
            uchar high = 0xbf;
            if (inRange(lead, 0xc2, 0xdf)) {
                need = 1;
            } else if (lead == 0xe0) {
                need = 2;
                low = 0xa0;
            } else if (lead == 0xed) {
                need = 2;
                high = 0x9f;
            } else if (inRange(lead, 0xe1, 0xef)) {
                need = 2;
            } else if (lead == 0xf0) {
                need = 3;
                low = 0x90;
            } else if (inRange(lead, 0xf1, 0xf3)) {
                need = 3;
            } else if (lead == 0xf4) {
                need = 3;
                high = 0x8f;
            }
            qsizetype j = 1;
            while (j <= need && i + j < size) {
                if (!inRange(at(i + j), j == 1 ? low : 0x80, j == 1 ? high : 0xbf))
                    break;
                ++j;
            }
            if (j > need)
                i += need + 1;
            else if (i + j == size)
                return i;
            else
                ++i;
            continue;
        }

        if (kind == Kind::Latin1 || !isLeadByte(kind, lead)) {
            ++i;
            continue;
        }
        if (i + 1 == size)
            return i;
        const uchar second = at(i + 1);
        if (kind == Kind::Gb18030 && inRange(second, 0x30, 0x39)) {
            // Four-byte form: lead, digit, 0x81-0xfe, digit. When it breaks
            // off, ICU rejects the lead alone and reads on from the digit.
            if (i + 2 == size)
                return i;
            if (!inRange(at(i + 2), 0x81, 0xfe)) {
                ++i;
                continue;
            }
            if (i + 3 == size)
                return i;
            i += inRange(at(i + 3), 0x30, 0x39) ? 4 : 1;
            continue;
        }
        i += isPairedByte(kind, second) ? 2 : 1;
    }
    return size;
}

const Codec *codecByCanonicalName(QStringView canonical)
{
    for (const Codec &codec : codecs) {
        if (codec.canonical() == canonical)
            return &codec;
    }
    return nullptr;
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

} // namespace

namespace TextCodec {

QStringList names()
{
    QStringList result;
    result.reserve(static_cast<qsizetype>(codecs.size()));
    for (const Codec &codec : codecs)
        result.append(codec.canonical().toString());
    return result;
}

std::optional<QString> canonicalName(QStringView name)
{
    if (const Codec *codec = findCodec(name))
        return codec->canonical().toString();
    return std::nullopt;
}

bool isAvailable(QStringView canonical)
{
    const Codec *codec = findCodec(canonical);
    return codec && codecAvailable(*codec);
}

QString checkName(QStringView name)
{
    const Codec *codec = findCodec(name);
    if (!codec) {
        const QString choices = names().join(u", ");
        if (name.trimmed().isEmpty())
            return u"no encoding given (choose one of %1)"_s.arg(choices);
        return u"unknown encoding '%1' (choose one of %2)"_s.arg(name, choices);
    }
    if (!codecAvailable(*codec))
        return u"%1 is not available in this build of Qt (no ICU)"_s.arg(codec->canonical());
    return {};
}

BytesResult encode(QStringView text, QStringView encoding)
{
    const Codec *codec = usableCodec(encoding);
    if (!codec)
        return BytesResult::failure(checkName(encoding), -1);
    return encodeRange(text, 0, text.size(), *codec);
}

QString decode(QByteArrayView bytes, QStringView encoding)
{
    const Codec *codec = usableCodec(encoding);
    if (!codec) {
        qCWarning(lcCodec) << "cannot decode:" << checkName(encoding);
        return {};
    }
    QStringDecoder decoder = makeDecoder(*codec);
    return decodeComplete(decoder, codec->kind, bytes);
}

} // namespace TextCodec

StreamDecoder::StreamDecoder(QStringView encoding)
    : m_encoding(TextCodec::canonicalName(encoding).value_or(encoding.toString()))
{
    if (const Codec *codec = usableCodec(encoding))
        m_decoder = makeDecoder(*codec);
}

// The decoder itself is stateless. Qt 6.4's stateful decoders lose data when
// a sequence left pending by one read turns out invalid with the next: the
// UTF-8 decoder swallows the byte that ended it, and the ICU path reserves
// output for the new bytes only, dropping what does not fit. So the
// incomplete tail is kept here and decoded together with the next read.
QString StreamDecoder::decode(QByteArrayView chunk)
{
    const Codec *codec = codecByCanonicalName(m_encoding);
    if (!codec || !m_decoder.isValid())
        return {};

    QByteArray joined;
    QByteArrayView bytes = chunk;
    if (!m_pending.isEmpty()) {
        joined = m_pending;
        joined.append(chunk);
        bytes = joined;
    }
    const qsizetype complete = completeLength(bytes, codec->kind);
    QString text = decodeComplete(m_decoder, codec->kind, bytes.first(complete));
    m_pending = bytes.sliced(complete).toByteArray();
    return text;
}

bool StreamDecoder::skipSelfContained(QByteArrayView chunk)
{
    const Codec *codec = codecByCanonicalName(m_encoding);
    if (!codec || !m_decoder.isValid() || !m_pending.isEmpty())
        return false;
    return completeLength(chunk, codec->kind) == chunk.size();
}

namespace Hex {

BytesResult parse(QStringView input)
{
    QByteArray bytes;
    bytes.reserve(input.size() / 2);

    qsizetype pendingDigit = -1; // index of a first nibble waiting for its partner
    qsizetype prefixAt = -1; // index of a "0x" or "\x" not yet followed by a digit
    bool groupStart = true;

    const auto unpaired = [input](qsizetype index) {
        return BytesResult::failure(
            u"odd number of hex digits: %1 at column %2 has no partner"_s.arg(
                quotedCharacter(input, index), QString::number(columnAt(input, index))),
            index);
    };
    const auto emptyPrefix = [input](qsizetype index) {
        return BytesResult::failure(
            u"'%1' at column %2 is not followed by hex digits"_s.arg(
                input.sliced(index, 2), QString::number(columnAt(input, index))),
            index);
    };
    // A group ends at a separator, at a "\x" and at the end of the input.
    const auto endGroup = [&]() -> std::optional<BytesResult> {
        if (pendingDigit >= 0)
            return unpaired(pendingDigit);
        if (prefixAt >= 0)
            return emptyPrefix(prefixAt);
        return std::nullopt;
    };

    for (qsizetype i = 0; i < input.size(); ++i) {
        const QChar c = input[i];
        if (c.isSpace() || c == u',' || c == u':' || c == u'-' || c == u';') {
            if (auto error = endGroup())
                return *error;
            groupStart = true;
            continue;
        }
        const bool xFollows
            = i + 1 < input.size() && (input[i + 1] == u'x' || input[i + 1] == u'X');
        if ((c == u'\\' && xFollows) || (groupStart && c == u'0' && xFollows)) {
            if (auto error = endGroup())
                return *error;
            prefixAt = i;
            groupStart = false;
            ++i;
            continue;
        }
        const int value = hexValue(c);
        if (value < 0) {
            return BytesResult::failure(
                u"%1 at column %2 is not a hex digit"_s.arg(
                    quotedCharacter(input, i), QString::number(columnAt(input, i))),
                i);
        }
        groupStart = false;
        prefixAt = -1;
        if (pendingDigit < 0) {
            pendingDigit = i;
        } else {
            bytes.append(static_cast<char>(hexValue(input[pendingDigit]) * 16 + value));
            pendingDigit = -1;
        }
    }
    if (auto error = endGroup())
        return *error;
    return BytesResult::success(std::move(bytes));
}

QString format(QByteArrayView bytes)
{
    return QString::fromLatin1(QByteArray::fromRawData(bytes.data(), bytes.size()).toHex(' '));
}

} // namespace Hex

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
