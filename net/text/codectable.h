#pragma once

#include "net/core/logging.h"
#include "net/text/bytesresult.h"

#include <QStringDecoder>
#include <QStringEncoder>
#include <QStringView>

#include <array>

// The encodings behind TextCodec, StreamDecoder and Escapes, and the Qt 6.4
// converter quirks worked around in one place. Not for use outside net/text.
namespace TextCodec::Internal {

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

inline constexpr std::array<Codec, 6> codecs { {
    { u"UTF-8", "UTF-8", Kind::Utf8 },
    { u"GB2312", "GB2312", Kind::Gb2312 },
    { u"GBK", "GBK", Kind::Gbk },
    { u"GB18030", "GB18030", Kind::Gb18030 },
    { u"Big5", "Big5", Kind::Big5 },
    { u"Latin-1", "ISO-8859-1", Kind::Latin1 },
} };

// By a user-given name or alias; nullptr when unknown.
const Codec *findCodec(QStringView name);
const Codec *codecByCanonicalName(QStringView canonical);
// True when this build of Qt can both decode and encode it.
bool codecAvailable(const Codec &codec);
// findCodec(), but nullptr too when this build lacks the codec.
const Codec *usableCodec(QStringView name);

// Stateless (see StreamDecoder::decode for why).
QStringDecoder makeDecoder(const Codec &codec);

// Encodes text[begin, end); positions in errors are relative to all of text.
BytesResult encodeRange(QStringView text, qsizetype begin, qsizetype end, const Codec &codec);

// Decodes bytes that end on a character boundary (or are simply complete).
QString decodeComplete(QStringDecoder &decoder, Kind kind, QByteArrayView bytes);

} // namespace TextCodec::Internal
