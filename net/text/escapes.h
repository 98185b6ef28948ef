#pragma once

#include "net/text/bytesresult.h"

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace Escapes {

// Encodes text in the given encoding, interpreting C-style escapes:
// \r \n \t \\ \0 \a \b \f \v \e \xNN (raw byte), \" and \'.
// An unknown escape, a lone trailing backslash or a bad \x is an error that
// names its column (1-based).
BytesResult encode(QStringView input, QStringView encoding);

// Text that encode(text, encoding) turns back into exactly bytes: the bytes
// decoded where they are valid text in the encoding, with backslashes,
// control characters and anything else written as escapes. For showing bytes
// (a --reply given on the command line) in a field that parses escapes.
QString escape(const QByteArray &bytes, QStringView encoding);

} // namespace Escapes
