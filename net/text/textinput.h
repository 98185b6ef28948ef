#pragma once

#include <QString>
#include <QStringView>

// Where a character of user input is and how to name it in an error, shared
// by the encoders, the hex parser and the escape parser of net/text.
namespace TextInput {

inline bool isSurrogatePairAt(QStringView text, qsizetype index)
{
    return index + 1 < text.size() && text[index].isHighSurrogate()
        && text[index + 1].isLowSurrogate();
}

// 1-based, counting a surrogate pair as one character: what a user counts.
qsizetype columnAt(QStringView text, qsizetype index);

char32_t codePointAt(QStringView text, qsizetype index);

// "U+0007", "U+1F600".
QString codePointName(char32_t codePoint);

// "'g'" when the character can be shown, "U+0007" when it cannot.
QString quotedCharacter(QStringView text, qsizetype index);

// 0..15, or -1 for anything but a hex digit.
inline int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

} // namespace TextInput
