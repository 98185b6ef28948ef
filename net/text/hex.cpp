#include "net/text/hex.h"

#include "net/text/textinput.h"

#include <optional>

using namespace Qt::StringLiterals;
using TextInput::columnAt;
using TextInput::hexValue;
using TextInput::quotedCharacter;

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
