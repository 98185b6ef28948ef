#pragma once

#include "net/text/bytesresult.h"

#include <QByteArrayView>
#include <QString>

namespace Hex {

// Parses hex the way users paste it: "41 42", "4142", "0x41,0x42", "41:42",
// "41-42", "\x41\x42", upper or lower case, with any whitespace. Errors name
// the column (1-based) of the offending character.
BytesResult parse(QStringView input);

// "41 42 0d 0a" (lower case, one space between bytes).
QString format(QByteArrayView bytes);

} // namespace Hex
