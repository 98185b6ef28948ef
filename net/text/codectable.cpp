#include "net/text/codectable.h"

#include "net/text/textinput.h"

using namespace Qt::StringLiterals;

namespace TextCodec::Internal {

namespace {

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

// "character '😀' (U+1F600) at position 2 cannot be encoded in GB2312"
BytesResult unencodable(QStringView text, qsizetype index, const Codec &codec)
{
    const char32_t codePoint = TextInput::codePointAt(text, index);
    QString character;
    if (QChar::isSurrogate(codePoint)) {
        character = TextInput::codePointName(codePoint) + u" (unpaired surrogate)"_s;
    } else if (QChar::isPrint(codePoint)) {
        character = u'\'' + QString::fromUcs4(&codePoint, 1) + u"' ("_s
            + TextInput::codePointName(codePoint) + u')';
    } else {
        character = TextInput::codePointName(codePoint);
    }
    return BytesResult::failure(
        u"character %1 at position %2 cannot be encoded in %3"_s.arg(
            character, QString::number(TextInput::columnAt(text, index)), codec.canonical()),
        index);
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
        qCWarning(lcText) << "decoder for" << decoder.name() << "swallowed the end marker";
        return text;
    }
    text.chop(1);
    if (subMeansInvalid)
        text.replace(QChar(subCharacter), QChar(QChar::ReplacementCharacter));
    return text;
}

} // namespace

const Codec *findCodec(QStringView name)
{
    const QString key = normalizedName(name);
    for (const Alias &alias : aliases) {
        if (QStringView(alias.key) == key)
            return &codecs[static_cast<size_t>(alias.codec)];
    }
    return nullptr;
}

const Codec *codecByCanonicalName(QStringView canonical)
{
    for (const Codec &codec : codecs) {
        if (codec.canonical() == canonical)
            return &codec;
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

BytesResult encodeRange(QStringView text, qsizetype begin, qsizetype end, const Codec &codec)
{
    // A lone surrogate is never encodable, but Qt's encoders keep a trailing
    // high surrogate as pending state and drop it without an error.
    for (qsizetype i = begin; i < end; ++i) {
        if (TextInput::isSurrogatePairAt(text, i) && i + 1 < end) {
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
        const qsizetype length = TextInput::isSurrogatePairAt(text, i) ? 2 : 1;
        // The encoder is lazy: only the conversion to QByteArray runs it.
        const QByteArray discarded = probe.encode(text.sliced(i, length));
        if (probe.hasError())
            return unencodable(text, i, codec);
        i += length;
    }
    qCWarning(lcText) << "encoder for" << codec.canonical()
                      << "reported an error no single character reproduces";
    return BytesResult::failure(u"text cannot be encoded in %1"_s.arg(codec.canonical()), begin);
}

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

} // namespace TextCodec::Internal
