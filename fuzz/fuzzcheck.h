#pragma once

// What every harness shares: a check that stops the run with a message, and
// ways to show the values involved.

#include <QByteArray>
#include <QString>

#include <cstdio>
#include <cstdlib>

namespace Fuzz {

[[noreturn]] inline void fail(
    const char *file, int line, const char *condition, const QString &detail)
{
    std::fprintf(stderr, "\n%s:%d: invariant failed: %s\n", file, line, condition);
    if (!detail.isEmpty()) {
        // fwrite, not %s: the detail may hold a NUL from the input.
        const QByteArray text = detail.toUtf8() + '\n';
        std::fwrite(text.constData(), 1, static_cast<size_t>(text.size()), stderr);
    }
    std::fflush(stderr);
    // libFuzzer catches the signal, writes the input as crash-<sha1> and stops.
    std::abort();
}

inline QString hex(QByteArrayView bytes)
{
    return QString::fromLatin1(bytes.toByteArray().toHex(' '));
}

// UTF-16 code units in hex: shows U+FFFD, surrogates and NULs alike.
inline QString units(QStringView text)
{
    QString out;
    for (const QChar c : text) {
        if (!out.isEmpty())
            out += u' ';
        out += QString::number(c.unicode(), 16).rightJustified(4, u'0');
    }
    return out;
}

// The 1-based column a user counts to reach index: a surrogate pair is one.
inline qsizetype columnOf(QStringView text, qsizetype index)
{
    qsizetype column = 1;
    for (qsizetype i = 0; i < index; ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i;
        ++column;
    }
    return column;
}

} // namespace Fuzz

// Checks an invariant; the optional detail (a QString) is printed on failure.
#define FUZZ_CHECK(condition, ...)                                                                 \
    do {                                                                                           \
        if (!(condition))                                                                          \
            Fuzz::fail(__FILE__, __LINE__, #condition, QString(__VA_ARGS__));                      \
    } while (false)
