#include "net/text/textcodec.h"

#include "net/text/codectable.h"

using namespace Qt::StringLiterals;
using namespace TextCodec::Internal;

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
        qCWarning(lcText) << "cannot decode:" << checkName(encoding);
        return {};
    }
    QStringDecoder decoder = makeDecoder(*codec);
    return decodeComplete(decoder, codec->kind, bytes);
}

} // namespace TextCodec
