#include "net/core/responder.h"

#include "net/text/textcodec.h"

#include <QStringList>

#include <algorithm>
#include <ctime>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// A reply longer than this is refused (empty) rather than grown further: the
// request is untrusted and "%c" repeated makes a reply many times its size.
constexpr size_t MaxReplyBytes = size_t(1) << 20;

// strftime of one NUL-free format. strftime returns 0 both for "did not fit"
// and for an empty result; a space appended to the format tells them apart.
QString strftimeLocal(const QByteArray &format, const std::tm &time)
{
    const QByteArray spaced = format + ' ';
    std::vector<char> buffer(std::max<size_t>(256, size_t(spaced.size()) * 2));
    for (;;) {
        // The format is the peer's request: that is the point of a time server,
        // and strftime only reads it, so no format check can apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        const size_t written
            = std::strftime(buffer.data(), buffer.size(), spaced.constData(), &time);
#pragma GCC diagnostic pop
        if (written > 0)
            return QString::fromUtf8(buffer.data(), qsizetype(written - 1));
        if (buffer.size() >= MaxReplyBytes)
            return {};
        buffer.resize(std::min(buffer.size() * 2, MaxReplyBytes));
    }
}

} // namespace

QString formatLocalTime(const QString &format)
{
    const std::time_t now = std::time(nullptr);
    std::tm local {};
    if (!localtime_r(&now, &local))
        return {};

    // strftime would stop at a NUL; each NUL-free part is formatted on its own
    // and the NULs are kept, so the text around them is not lost.
    const QString effective = format.isEmpty() ? u"%Y-%m-%d %X"_s : format;
    const QStringList parts = effective.split(QChar(u'\0'));
    QString result;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (i > 0)
            result += QChar(u'\0');
        if (!parts.at(i).isEmpty())
            result += strftimeLocal(parts.at(i).toUtf8(), local);
    }
    return result;
}

std::optional<QByteArray> Responder::respond(
    const QByteArray &request, const QString &encoding) const
{
    switch (mode) {
    case Mode::Off:
        return std::nullopt;
    case Mode::Echo:
        return request;
    case Mode::FixedReply:
        if (fixedReply.isEmpty())
            return std::nullopt;
        return fixedReply;
    case Mode::TimeServer: {
        // CR and LF are single bytes in every offered encoding (no multi-byte
        // sequence contains 0x0a), so the line ending is cut off as bytes.
        QByteArray format = request;
        QByteArray lineEnding;
        if (format.endsWith("\r\n"))
            lineEnding = "\r\n";
        else if (format.endsWith('\n'))
            lineEnding = "\n";
        format.chop(lineEnding.size());

        const QString reply = formatLocalTime(TextCodec::decode(format, encoding));
        const BytesResult encoded = TextCodec::encode(reply, encoding);
        QByteArray bytes = encoded.ok() ? encoded.bytes : reply.toUtf8();
        bytes += lineEnding;
        return bytes;
    }
    }
    return std::nullopt;
}
