#include "net/text/textinput.h"

using namespace Qt::StringLiterals;

namespace TextInput {

qsizetype columnAt(QStringView text, qsizetype index)
{
    qsizetype column = 1;
    for (qsizetype i = 0; i < index; ++i) {
        if (isSurrogatePairAt(text, i))
            ++i;
        ++column;
    }
    return column;
}

char32_t codePointAt(QStringView text, qsizetype index)
{
    if (isSurrogatePairAt(text, index))
        return QChar::surrogateToUcs4(text[index], text[index + 1]);
    return text[index].unicode();
}

QString codePointName(char32_t codePoint)
{
    return u"U+"_s + QString::number(codePoint, 16).toUpper().rightJustified(4, u'0');
}

QString quotedCharacter(QStringView text, qsizetype index)
{
    const char32_t codePoint = codePointAt(text, index);
    if (QChar::isPrint(codePoint) && !QChar::isSurrogate(codePoint))
        return u'\'' + QString::fromUcs4(&codePoint, 1) + u'\'';
    return codePointName(codePoint);
}

} // namespace TextInput
