#pragma once

#include "net/log/trafficlog.h"
#include "net/text/textcodec.h"

#include <QString>

#include <algorithm>

// What a row of the log shows of an entry's text, and what a text search
// searches: the decoded start of a data entry, an event's whole message.
namespace LogPreview {

// Characters of decoded text shown; longer entries show their start (the
// full bytes stay in the log).
constexpr qsizetype Chars = 1024;
// The bytes decoded for them: no encoding offered takes more than four a character.
constexpr qsizetype Bytes = 4 * Chars;
// The bytes at the start of an entry whose hex a text search searches.
constexpr qsizetype HexBytes = 512;

inline void limit(QString &text)
{
    if (text.size() > Chars) {
        text.truncate(Chars);
        text += u'…';
    }
}

// joined: the entry's text as its peer's decoder gave it, when that is not
// its bytes decoded alone (see LogDecoders::decodeIfJoined()); else null.
inline QString text(const LogEntry &entry, const QString *joined, QStringView encoding)
{
    if (!entry.isData())
        return QString::fromUtf8(entry.data);
    if (joined)
        return *joined;
    QString text = TextCodec::decode(
        QByteArrayView(entry.data).first(std::min(entry.data.size(), Bytes)), encoding);
    limit(text);
    return text;
}

} // namespace LogPreview
