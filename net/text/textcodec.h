#pragma once

#include <QByteArray>
#include <QString>
#include <QStringDecoder>
#include <QStringList>

#include <optional>

// Bytes made from user input, or an error that says what is wrong and where.
struct BytesResult
{
    QByteArray bytes;
    QString error; // empty on success
    qsizetype position = -1; // 0-based index into the input of the first problem

    bool ok() const { return error.isEmpty(); }
    static BytesResult success(QByteArray data) { return { std::move(data), {}, -1 }; }
    static BytesResult failure(QString message, qsizetype at)
    {
        return { {}, std::move(message), at };
    }
};

// The text encodings a user can choose, by the names the UI and the CLI show.
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

// A stateful decoder for one peer and one direction: a multi-byte character
// split across two reads comes out whole with the second read.
class StreamDecoder
{
public:
    explicit StreamDecoder(QStringView encoding = u"UTF-8");

    bool isValid() const { return m_decoder.isValid(); }
    QString encoding() const { return m_encoding; }
    QString decode(QByteArrayView chunk);
    // Takes a chunk that needs no state: nothing is pending from the reads
    // before and it ends on a character boundary, so it decodes alone, with
    // TextCodec::decode(), to what decode() would give. A caller that keeps
    // the bytes can then decode later, or never. False, with nothing changed,
    // for any other chunk (call decode()).
    bool skipSelfContained(QByteArrayView chunk);
    void reset()
    {
        m_decoder.resetState();
        m_pending.clear();
    }

private:
    QString m_encoding;
    QStringDecoder m_decoder;
    QByteArray m_pending; // the start of a character whose remaining bytes are still to come
};

namespace Hex {

// Parses hex the way users paste it: "41 42", "4142", "0x41,0x42", "41:42",
// "41-42", "\x41\x42", upper or lower case, with any whitespace. Errors name
// the column (1-based) of the offending character.
BytesResult parse(QStringView input);

// "41 42 0d 0a" (lower case, one space between bytes).
QString format(QByteArrayView bytes);

} // namespace Hex

namespace Escapes {

// Encodes text in the given encoding, interpreting C-style escapes:
// \r \n \t \\ \0 \a \b \f \v \e \xNN (raw byte), \" and \'.
// An unknown escape, a lone trailing backslash or a bad \x is an error that
// names its column (1-based).
BytesResult encode(QStringView input, QStringView encoding);

} // namespace Escapes
