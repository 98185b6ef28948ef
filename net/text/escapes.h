#pragma once

#include "net/text/bytesresult.h"

#include <QStringView>

namespace Escapes {

// Encodes text in the given encoding, interpreting C-style escapes:
// \r \n \t \\ \0 \a \b \f \v \e \xNN (raw byte), \" and \'.
// An unknown escape, a lone trailing backslash or a bad \x is an error that
// names its column (1-based).
BytesResult encode(QStringView input, QStringView encoding);

} // namespace Escapes
