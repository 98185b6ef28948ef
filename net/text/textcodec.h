#pragma once

#include "net/text/bytesresult.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

// The text encodings a user can choose, by the names the UI and the CLI show.
// A stream of reads goes through StreamDecoder (net/text/streamdecoder.h);
// hex and C escapes are in net/text/hex.h and net/text/escapes.h.
namespace TextCodec {

// Canonical names, in the order a chooser lists them:
// "UTF-8", "GB2312", "GBK", "GB18030", "Big5", "Latin-1".
QStringList names();

// Maps a user-given name or common alias ("utf8", "latin1", "ISO-8859-1",
// "gb-2312", "cp936", "big-5", case-insensitive) to its canonical name.
std::optional<QString> canonicalName(QStringView name);

// True when this build of Qt can both decode and encode the canonical name.
bool isAvailable(QStringView canonical);

// "unknown encoding 'x' (choose one of UTF-8, GB2312, ...)" or, when the name
// is known but this build lacks it, says so. Empty when the name is usable.
QString checkName(QStringView name);

// Encodes text, refusing any character the encoding cannot represent: the
// error names the character, its code point and its position.
BytesResult encode(QStringView text, QStringView encoding);

// Decodes one complete buffer (no state carried over); invalid bytes become U+FFFD.
QString decode(QByteArrayView bytes, QStringView encoding);

} // namespace TextCodec
