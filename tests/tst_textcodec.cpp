#include "net/text/escapes.h"
#include "net/text/hex.h"
#include "net/text/streamdecoder.h"
#include "net/text/textcodec.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

// Every chunking of the same bytes must give the same text as one read.
QString decodeInChunks(QStringView encoding, const QByteArray &bytes, QList<qsizetype> cuts)
{
    StreamDecoder decoder(encoding);
    QString text;
    qsizetype start = 0;
    cuts.append(bytes.size());
    for (const qsizetype cut : std::as_const(cuts)) {
        text += decoder.decode(QByteArrayView(bytes).sliced(start, cut - start));
        start = cut;
    }
    return text;
}

const QString allChoices = u"UTF-8, GB2312, GBK, GB18030, Big5, Latin-1"_s;

} // namespace

class TestTextCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names();
    void canonicalName_data();
    void canonicalName();
    void checkName_data();
    void checkName();
    void availability_data();
    void availability();

    void escapeRoundTrip_data();
    void escapeRoundTrip();
    void roundTrip_data();
    void roundTrip();
    void decodeInvalid_data();
    void decodeInvalid();
    void decodeUnknownEncoding();

    void streamSplit_data();
    void streamSplit();
    void streamByteByByte_data();
    void streamByteByByte();
    void streamChunkingDoesNotMatter_data();
    void streamChunkingDoesNotMatter();
    void streamReset();
    void streamEncodingName();
    void streamUnknownEncoding();

    void unencodable_data();
    void unencodable();

    void hexParse_data();
    void hexParse();
    void hexErrors_data();
    void hexErrors();
    void hexFormat_data();
    void hexFormat();
    void hexRoundTripsEveryByte();

    void escapes_data();
    void escapes();
    void escapeErrors_data();
    void escapeErrors();
};

void TestTextCodec::names()
{
    QCOMPARE(TextCodec::names(),
        QStringList({ u"UTF-8"_s, u"GB2312"_s, u"GBK"_s, u"GB18030"_s, u"Big5"_s, u"Latin-1"_s }));
}

void TestTextCodec::canonicalName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical"); // empty: not known

    const QList<std::pair<const char16_t *, const char16_t *>> rows {
        { u"UTF-8", u"UTF-8" },
        { u"utf8", u"UTF-8" },
        { u"Utf_8", u"UTF-8" },
        { u"latin1", u"Latin-1" },
        { u"Latin-1", u"Latin-1" },
        { u"ISO-8859-1", u"Latin-1" },
        { u"iso_8859_1", u"Latin-1" },
        { u"L1", u"Latin-1" },
        { u"gb2312", u"GB2312" },
        { u"gb-2312", u"GB2312" },
        { u"GBK", u"GBK" },
        { u"cp936", u"GBK" },
        { u"CP-936", u"GBK" },
        { u"gb18030", u"GB18030" },
        { u"GB_18030", u"GB18030" },
        { u"big5", u"Big5" },
        { u"BIG-5", u"Big5" },
        { u"cp950", u"Big5" },
        { u"  gbk  ", u"GBK" },
        { u"", u"" },
        { u"utf-16", u"" },
        { u"shift_jis", u"" },
        { u"gb 2312", u"" },
        { u"utf", u"" },
    };
    for (const auto &[name, canonical] : rows) {
        const QString n = QString::fromUtf16(name);
        QTest::addRow("'%s'", qPrintable(n)) << n << QString::fromUtf16(canonical);
    }
}

void TestTextCodec::canonicalName()
{
    QFETCH(QString, name);
    QFETCH(QString, canonical);

    const std::optional<QString> result = TextCodec::canonicalName(name);
    if (canonical.isEmpty()) {
        QVERIFY2(!result, qPrintable(result.value_or(QString())));
    } else {
        QVERIFY(result);
        QCOMPARE(*result, canonical);
    }
}

void TestTextCodec::checkName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("message");

    QTest::newRow("canonical") << u"GB2312"_s << QString();
    QTest::newRow("alias") << u"latin1"_s << QString();
    QTest::newRow("unknown") << u"shift-jis"_s
                             << u"unknown encoding 'shift-jis' (choose one of "_s + allChoices
            + u')';
    QTest::newRow("percent in name")
        << u"%1%2"_s << u"unknown encoding '%1%2' (choose one of "_s + allChoices + u')';
    QTest::newRow("empty") << QString()
                           << u"no encoding given (choose one of "_s + allChoices + u')';
    QTest::newRow("blank") << u"  "_s << u"no encoding given (choose one of "_s + allChoices + u')';
}

void TestTextCodec::checkName()
{
    QFETCH(QString, name);
    QFETCH(QString, message);
    QCOMPARE(TextCodec::checkName(name), message);
}

void TestTextCodec::availability_data()
{
    QTest::addColumn<QString>("name");
    for (const QString &name : TextCodec::names())
        QTest::newRow(qPrintable(name)) << name;
}

void TestTextCodec::availability()
{
    QFETCH(QString, name);
    // UTF-8 and Latin-1 are built into Qt; the rest need ICU, which this
    // project's platforms have. Without it, the message must say so.
    if (name == u"UTF-8" || name == u"Latin-1")
        QVERIFY(TextCodec::isAvailable(name));
    if (TextCodec::isAvailable(name)) {
        QCOMPARE(TextCodec::checkName(name), QString());
    } else {
        QCOMPARE(
            TextCodec::checkName(name), name + u" is not available in this build of Qt (no ICU)"_s);
        QCOMPARE(TextCodec::encode(u"a", name).error, TextCodec::checkName(name));
    }
    QVERIFY(!TextCodec::isAvailable(u"EBCDIC"));
}

void TestTextCodec::roundTrip_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("bytes");

    const QString hello = u"你好，世界"_s;
    QTest::newRow("UTF-8 hello") << u"UTF-8"_s << hello << hex("e4bda0e5a5bdefbc8ce4b896e7958c");
    QTest::newRow("GB2312 hello") << u"GB2312"_s << hello << hex("c4e3bac3a3accac0bde7");
    QTest::newRow("GBK hello") << u"GBK"_s << hello << hex("c4e3bac3a3accac0bde7");
    QTest::newRow("GB18030 hello") << u"GB18030"_s << hello << hex("c4e3bac3a3accac0bde7");
    QTest::newRow("Big5 hello") << u"Big5"_s << hello << hex("a741a66ea141a540acc9");

    QTest::newRow("UTF-8 emoji") << u"UTF-8"_s << u"a😀é"_s << hex("61f09f9880c3a9");
    QTest::newRow("UTF-8 BOM kept") << u"UTF-8"_s << u"\uFEFFa"_s << hex("efbbbf61");
    QTest::newRow("GB2312 simplified") << u"GB2312"_s << u"简体中文"_s << hex("bcf2cce5d6d0cec4");
    QTest::newRow("GB2312 pinyin") << u"GB2312"_s << u"é"_s << hex("a8a6");
    QTest::newRow("GBK beyond GB2312") << u"GBK"_s << u"丂簡體"_s << hex("8140ba86f377");
    QTest::newRow("GBK euro (cp936)") << u"GBK"_s << u"€"_s << hex("80");
    QTest::newRow("GB18030 emoji") << u"GB18030"_s << u"😀€丂"_s << hex("9439fc36a2e38140");
    QTest::newRow("Big5 traditional")
        << u"Big5"_s << u"臺灣繁體中文"_s << hex("bb4fc657c163c5e9a4a4a4e5");
    QTest::newRow("Latin-1") << u"Latin-1"_s << u"Grüße, café"_s << hex("4772fcdf652c20636166e9");
    QTest::newRow("Latin-1 high") << u"Latin-1"_s << u"\u0080\u00ff"_s << hex("80ff");
    QTest::newRow("alias gb-2312") << u"gb-2312"_s << hello << hex("c4e3bac3a3accac0bde7");
    QTest::newRow("alias cp950") << u"cp950"_s << hello << hex("a741a66ea141a540acc9");

    for (const QString &encoding : TextCodec::names()) {
        QTest::addRow("%s control and NUL", qPrintable(encoding))
            << encoding << u"a\0\r\n\x1a\x7f"_s << QByteArray("a\0\r\n\x1a\x7f", 6);
        QTest::addRow("%s empty", qPrintable(encoding)) << encoding << QString() << QByteArray();
    }
}

void TestTextCodec::roundTrip()
{
    QFETCH(QString, encoding);
    QFETCH(QString, text);
    QFETCH(QByteArray, bytes);

    const BytesResult encoded = TextCodec::encode(text, encoding);
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    QCOMPARE(encoded.position, -1);
    QCOMPARE(encoded.bytes.toHex(' '), bytes.toHex(' '));
    QCOMPARE(TextCodec::decode(bytes, encoding), text);

    StreamDecoder decoder(encoding);
    QVERIFY(decoder.isValid());
    QCOMPARE(decoder.decode(bytes), text);
}

void TestTextCodec::decodeInvalid_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");

    const QString bad(QChar::ReplacementCharacter);
    QTest::newRow("UTF-8 stray byte") << u"UTF-8"_s << hex("61ff62") << u"a"_s + bad + u"b"_s;
    QTest::newRow("UTF-8 cut emoji") << u"UTF-8"_s << hex("61f09f") << u"a"_s + bad + bad;
    QTest::newRow("UTF-8 invalid then ASCII") << u"UTF-8"_s << hex("ed41") << bad + u"A"_s;
    // ICU's GB2312 writes U+001A for these; a real 0x1A byte stays U+001A.
    QTest::newRow("GB2312 0xff") << u"GB2312"_s << hex("61ffff62") << u"a"_s + bad + bad + u"b"_s;
    QTest::newRow("GB2312 bad trail") << u"GB2312"_s << hex("a162") << bad + u"b"_s;
    QTest::newRow("GB2312 real SUB") << u"GB2312"_s << hex("1a") << u"\x1a"_s;
    QTest::newRow("GB2312 lead before SUB")
        << u"GB2312"_s << hex("61a11a1aff") << u"a"_s + bad + u"\x1a\x1a"_s + bad;
    QTest::newRow("GB2312 cut at end") << u"GB2312"_s << hex("c4e3c4") << u"你"_s + bad;
    QTest::newRow("GBK cut at end") << u"GBK"_s << hex("41c4") << u"A"_s + bad;
    QTest::newRow("Big5 bad trail") << u"Big5"_s << hex("a120") << bad + u" "_s;
    QTest::newRow("Big5 cut at end") << u"Big5"_s << hex("a741a6") << u"你"_s + bad;
    // ICU reports only the lead byte as illegal and reads the digit again.
    QTest::newRow("GB18030 cut four-byte") << u"GB18030"_s << hex("8130") << bad + u"0"_s;
    QTest::newRow("GB18030 cut at end") << u"GB18030"_s << hex("41c4") << u"A"_s + bad;
}

void TestTextCodec::decodeInvalid()
{
    QFETCH(QString, encoding);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);

    QCOMPARE(TextCodec::decode(bytes, encoding), text);
    // A stream holds back a cut character; a newline after it ends it.
    StreamDecoder decoder(encoding);
    QString streamed = decoder.decode(bytes);
    streamed += decoder.decode("\n");
    QCOMPARE(streamed, text + u'\n');
}

void TestTextCodec::decodeUnknownEncoding()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"cannot decode"_s));
    QCOMPARE(TextCodec::decode("abc", u"klingon"), QString());
}

void TestTextCodec::streamSplit_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qsizetype>("cut");
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");

    QTest::newRow("GB2312 1+3") << u"GB2312"_s << hex("c4e3bac3") << qsizetype(1) << QString()
                                << u"你好"_s;
    QTest::newRow("GB2312 3+1") << u"GB2312"_s << hex("c4e3bac3") << qsizetype(3) << u"你"_s
                                << u"好"_s;
    QTest::newRow("GBK 1+1") << u"GBK"_s << hex("8140") << qsizetype(1) << QString() << u"丂"_s;
    QTest::newRow("Big5 1+1") << u"Big5"_s << hex("a741") << qsizetype(1) << QString() << u"你"_s;
    const QByteArray emoji = hex("f09f9880");
    QTest::newRow("UTF-8 emoji 1+3") << u"UTF-8"_s << emoji << qsizetype(1) << QString() << u"😀"_s;
    QTest::newRow("UTF-8 emoji 2+2") << u"UTF-8"_s << emoji << qsizetype(2) << QString() << u"😀"_s;
    QTest::newRow("UTF-8 emoji 3+1") << u"UTF-8"_s << emoji << qsizetype(3) << QString() << u"😀"_s;
    QTest::newRow("UTF-8 text then cut")
        << u"UTF-8"_s << hex("41e4bda042") << qsizetype(2) << u"A"_s << u"你B"_s;
    const QByteArray gbEmoji = hex("9439fc36");
    QTest::newRow("GB18030 emoji 1+3")
        << u"GB18030"_s << gbEmoji << qsizetype(1) << QString() << u"😀"_s;
    QTest::newRow("GB18030 emoji 2+2")
        << u"GB18030"_s << gbEmoji << qsizetype(2) << QString() << u"😀"_s;
    QTest::newRow("GB18030 emoji 3+1")
        << u"GB18030"_s << gbEmoji << qsizetype(3) << QString() << u"😀"_s;
    // Qt's stateful decoders lose the byte after an invalidated sequence.
    QTest::newRow("UTF-8 cut invalid")
        << u"UTF-8"_s << hex("ed41") << qsizetype(1) << QString() << u"\uFFFDA"_s;
    QTest::newRow("GB18030 cut invalid")
        << u"GB18030"_s << hex("a1397f") << qsizetype(2) << QString() << u"\uFFFD9\x7f"_s;
}

void TestTextCodec::streamSplit()
{
    QFETCH(QString, encoding);
    QFETCH(QByteArray, bytes);
    QFETCH(qsizetype, cut);
    QFETCH(QString, first);
    QFETCH(QString, second);

    StreamDecoder decoder(encoding);
    QCOMPARE(decoder.decode(bytes.first(cut)), first);
    QCOMPARE(decoder.decode(bytes.sliced(cut)), second);
}

void TestTextCodec::streamByteByByte_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("text");

    QTest::newRow("UTF-8") << u"UTF-8"_s << u"a你好，世界😀é\r\n"_s;
    QTest::newRow("GB2312") << u"GB2312"_s << u"a你好，世界é\r\n"_s;
    QTest::newRow("GBK") << u"GBK"_s << u"a丂簡體你好\r\n"_s;
    QTest::newRow("GB18030") << u"GB18030"_s << u"a你好😀€\r\n"_s;
    QTest::newRow("Big5") << u"Big5"_s << u"a臺灣你好\r\n"_s;
    QTest::newRow("Latin-1") << u"Latin-1"_s << u"café\r\n"_s;
}

void TestTextCodec::streamByteByByte()
{
    QFETCH(QString, encoding);
    QFETCH(QString, text);

    const BytesResult encoded = TextCodec::encode(text, encoding);
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    StreamDecoder decoder(encoding);
    QString decoded;
    for (const char byte : encoded.bytes)
        decoded += decoder.decode(QByteArrayView(&byte, 1));
    QCOMPARE(decoded, text);
}

void TestTextCodec::streamChunkingDoesNotMatter_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("alphabet");

    // Valid pieces mixed with lead, trail and stray bytes of each encoding,
    // including the edges of the byte ranges ICU pairs with a lead byte.
    QTest::newRow("UTF-8") << u"UTF-8"_s
                           << hex("41 80 8f 90 9f a0 bf c0 c2 c3 a9 e0 e4 bd ed f0 f4 f5 9f ff 1a");
    QTest::newRow("GB2312") << u"GB2312"_s << hex("41 1a 80 a0 a1 a2 c4 e3 f7 fe ff 30 62");
    QTest::newRow("GBK") << u"GBK"_s << hex("41 1a 3f 40 7e 7f 80 81 a0 a1 c4 fe ff 30");
    QTest::newRow("GB18030") << u"GB18030"_s
                             << hex("41 1a 2f 30 39 3a 40 7e 7f 80 81 84 94 a1 e3 fc fe ff 36");
    QTest::newRow("Big5") << u"Big5"_s << hex("41 1a 3f 40 7e 7f 80 81 a0 a1 a7 c8 fe ff 20");
    QTest::newRow("Latin-1") << u"Latin-1"_s << hex("41 80 ff 1a 00");
}

void TestTextCodec::streamChunkingDoesNotMatter()
{
    QFETCH(QString, encoding);
    QFETCH(QByteArray, alphabet);

    QRandomGenerator random(20240101);
    for (int round = 0; round < 4000; ++round) {
        QByteArray bytes;
        const int length = random.bounded(1, 9);
        for (int i = 0; i < length; ++i)
            bytes.append(alphabet.at(random.bounded(int(alphabet.size()))));
        bytes.append('\n'); // ends whatever is pending, as the whole-buffer decode does
        const QString expected = TextCodec::decode(bytes, encoding);
        for (qsizetype a = 0; a <= bytes.size(); ++a) {
            for (qsizetype b = a; b <= bytes.size(); ++b) {
                const QString chunked = decodeInChunks(encoding, bytes, { a, b });
                if (chunked != expected) {
                    QFAIL(qPrintable(u"%1 cut at %2 and %3: got %4, expected %5"_s.arg(
                        QString::fromLatin1(bytes.toHex(' ')), QString::number(a),
                        QString::number(b),
                        QString::fromLatin1(QByteArray::fromRawData(
                            reinterpret_cast<const char *>(chunked.utf16()), chunked.size() * 2)
                                                .toHex(' ')),
                        QString::fromLatin1(QByteArray::fromRawData(
                            reinterpret_cast<const char *>(expected.utf16()), expected.size() * 2)
                                                .toHex(' ')))));
                }
            }
        }
    }
}

void TestTextCodec::streamReset()
{
    StreamDecoder decoder(u"UTF-8");
    QCOMPARE(decoder.decode(hex("e4bd")), QString());
    decoder.reset();
    QCOMPARE(decoder.decode("a"), u"a"_s);

    StreamDecoder gb(u"GB2312");
    QCOMPARE(gb.decode(hex("c4")), QString());
    gb.reset();
    QCOMPARE(gb.decode(hex("bac3")), u"好"_s);
}

void TestTextCodec::streamEncodingName()
{
    QCOMPARE(StreamDecoder().encoding(), u"UTF-8"_s);
    QCOMPARE(StreamDecoder(u"cp936").encoding(), u"GBK"_s);
    QCOMPARE(StreamDecoder(u"iso-8859-1").encoding(), u"Latin-1"_s);
}

void TestTextCodec::streamUnknownEncoding()
{
    StreamDecoder decoder(u"klingon");
    QVERIFY(!decoder.isValid());
    QCOMPARE(decoder.encoding(), u"klingon"_s);
    QCOMPARE(decoder.decode("abc"), QString());
}

void TestTextCodec::unencodable_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qsizetype>("position");

    QTest::newRow("emoji in GB2312")
        << u"GB2312"_s << u"a😀é"_s
        << u"character '😀' (U+1F600) at position 2 cannot be encoded in GB2312"_s << qsizetype(1);
    QTest::newRow("euro in GB2312")
        << u"GB2312"_s << u"你好€"_s
        << u"character '€' (U+20AC) at position 3 cannot be encoded in GB2312"_s << qsizetype(2);
    QTest::newRow("hanzi in Latin-1")
        << u"latin1"_s << u"caf你"_s
        << u"character '你' (U+4F60) at position 4 cannot be encoded in Latin-1"_s << qsizetype(3);
    QTest::newRow("simplified in Big5")
        << u"Big5"_s << u"简体"_s
        << u"character '简' (U+7B80) at position 1 cannot be encoded in Big5"_s << qsizetype(0);
    QTest::newRow("emoji in GBK, counted as one")
        << u"GBK"_s << u"丂😀😀"_s
        << u"character '😀' (U+1F600) at position 2 cannot be encoded in GBK"_s << qsizetype(1);
    QTest::newRow("replacement char in GB2312")
        << u"GB2312"_s << u"\uFFFD"_s
        << u"character '\uFFFD' (U+FFFD) at position 1 cannot be encoded in GB2312"_s
        << qsizetype(0);
    QTest::newRow("invisible in Latin-1")
        << u"Latin-1"_s << u"a\u200Bb"_s
        << u"character U+200B at position 2 cannot be encoded in Latin-1"_s << qsizetype(1);
    QTest::newRow("lone high surrogate at end")
        << u"GB18030"_s << u"😀x\xD83D"_s
        << u"character U+D83D (unpaired surrogate) at position 3 cannot be encoded in GB18030"_s
        << qsizetype(3);
    QTest::newRow("lone low surrogate in UTF-8")
        << u"UTF-8"_s
        << u"\xDE00"
           u"a"_s
        << u"character U+DE00 (unpaired surrogate) at position 1 cannot be encoded in UTF-8"_s
        << qsizetype(0);
    QTest::newRow("unknown encoding")
        << u"klingon"_s << u"a"_s
        << u"unknown encoding 'klingon' (choose one of "_s + allChoices + u')' << qsizetype(-1);
}

void TestTextCodec::unencodable()
{
    QFETCH(QString, encoding);
    QFETCH(QString, text);
    QFETCH(QString, message);
    QFETCH(qsizetype, position);

    const BytesResult result = TextCodec::encode(text, encoding);
    QVERIFY(!result.ok());
    QCOMPARE(result.error, message);
    QCOMPARE(result.position, position);
    QVERIFY(result.bytes.isEmpty());
}

void TestTextCodec::hexParse_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("spaces") << u"41 42"_s << hex("4142");
    QTest::newRow("run") << u"4142"_s << hex("4142");
    QTest::newRow("0x and comma") << u"0x41,0x42"_s << hex("4142");
    QTest::newRow("0X and space") << u"0X41 0x42"_s << hex("4142");
    QTest::newRow("colon") << u"41:42"_s << hex("4142");
    QTest::newRow("dash") << u"41-42"_s << hex("4142");
    QTest::newRow("semicolon") << u"41;42"_s << hex("4142");
    QTest::newRow("backslash x") << u"\\x41\\x42"_s << hex("4142");
    QTest::newRow("backslash X") << u"\\X41\\x4a"_s << hex("414a");
    QTest::newRow("whitespace") << u"\t41\n42\r\n43  44 "_s << hex("41424344");
    QTest::newRow("ideographic space") << u"41\u300042"_s << hex("4142");
    QTest::newRow("mixed case") << u"aBcD eF"_s << hex("abcdef");
    QTest::newRow("0x run") << u"0x4142"_s << hex("4142");
    QTest::newRow("0x00") << u"0x00 00"_s << hex("0000");
    QTest::newRow("comma and space") << u"0x41, 0x42,"_s << hex("4142");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("only separators") << u" ,\n"_s << QByteArray();
    QTest::newRow("all nibbles") << u"0123456789abcdefABCDEF"_s << hex("0123456789abcdefabcdef");
}

void TestTextCodec::hexParse()
{
    QFETCH(QString, input);
    QFETCH(QByteArray, bytes);

    const BytesResult result = Hex::parse(input);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.bytes.toHex(' '), bytes.toHex(' '));
    QCOMPARE(result.bytes.isNull(), false);
}

void TestTextCodec::hexErrors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qsizetype>("position");

    QTest::newRow("odd at end") << u"41 42 4"_s
                                << u"odd number of hex digits: '4' at column 7 has no partner"_s
                                << qsizetype(6);
    QTest::newRow("odd group") << u"414 42"_s
                               << u"odd number of hex digits: '4' at column 3 has no partner"_s
                               << qsizetype(2);
    QTest::newRow("single digit") << u"A"_s
                                  << u"odd number of hex digits: 'A' at column 1 has no partner"_s
                                  << qsizetype(0);
    QTest::newRow("split pair") << u"4 1"_s
                                << u"odd number of hex digits: '4' at column 1 has no partner"_s
                                << qsizetype(0);
    QTest::newRow("odd before backslash x")
        << u"4\\x41"_s << u"odd number of hex digits: '4' at column 1 has no partner"_s
        << qsizetype(0);
    QTest::newRow("odd after 0x") << u"0x4"_s
                                  << u"odd number of hex digits: '4' at column 3 has no partner"_s
                                  << qsizetype(2);
    QTest::newRow("not hex") << u"4g"_s << u"'g' at column 2 is not a hex digit"_s << qsizetype(1);
    QTest::newRow("not hex mid") << u"41 g2"_s << u"'g' at column 4 is not a hex digit"_s
                                 << qsizetype(3);
    QTest::newRow("x alone") << u"x41"_s << u"'x' at column 1 is not a hex digit"_s << qsizetype(0);
    QTest::newRow("x inside") << u"0x41x"_s << u"'x' at column 5 is not a hex digit"_s
                              << qsizetype(4);
    QTest::newRow("glued 0x") << u"0x410x42"_s << u"'x' at column 6 is not a hex digit"_s
                              << qsizetype(5);
    QTest::newRow("bare 0x") << u"0x"_s << u"'0x' at column 1 is not followed by hex digits"_s
                             << qsizetype(0);
    QTest::newRow("0x then space")
        << u"41 0x 42"_s << u"'0x' at column 4 is not followed by hex digits"_s << qsizetype(3);
    QTest::newRow("bare backslash x")
        << u"41\\x"_s << u"'\\x' at column 3 is not followed by hex digits"_s << qsizetype(2);
    QTest::newRow("other escape") << u"\\n41"_s << u"'\\' at column 1 is not a hex digit"_s
                                  << qsizetype(0);
    QTest::newRow("control char") << u"41\a"_s << u"U+0007 at column 3 is not a hex digit"_s
                                  << qsizetype(2);
    QTest::newRow("emoji counts as one column")
        << u"😀 g"_s << u"'😀' at column 1 is not a hex digit"_s << qsizetype(0);
    QTest::newRow("column after emoji")
        << u"41\u00a0\u4e00"_s << u"'一' at column 4 is not a hex digit"_s << qsizetype(3);
    QTest::newRow("full-width comma")
        << u"41，42"_s << u"'，' at column 3 is not a hex digit"_s << qsizetype(2);
}

void TestTextCodec::hexErrors()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    QFETCH(qsizetype, position);

    const BytesResult result = Hex::parse(input);
    QVERIFY(!result.ok());
    QCOMPARE(result.error, message);
    QCOMPARE(result.position, position);
}

void TestTextCodec::hexFormat_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("one") << hex("0d") << u"0d"_s;
    QTest::newRow("line") << QByteArray("AB\r\n") << u"41 42 0d 0a"_s;
    QTest::newRow("extremes") << hex("00ff7f80") << u"00 ff 7f 80"_s;
}

void TestTextCodec::hexFormat()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    QCOMPARE(Hex::format(bytes), text);
}

void TestTextCodec::hexRoundTripsEveryByte()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(static_cast<char>(i));
    const BytesResult result = Hex::parse(Hex::format(all));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.bytes, all);
}

void TestTextCodec::escapes_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("line ending") << u"hello\\r\\n"_s << u"UTF-8"_s << hex("68656c6c6f0d0a");
    QTest::newRow("every escape") << u"\\r\\n\\t\\\\\\0\\a\\b\\f\\v\\e\\\"\\'"_s << u"UTF-8"_s
                                  << hex("0d0a095c0007080c0b1b2227");
    QTest::newRow("hex bytes") << u"\\x00\\xff\\x7F"_s << u"UTF-8"_s << hex("00ff7f");
    QTest::newRow("NUL inside") << u"a\\x00b\\0c"_s << u"UTF-8"_s << hex("6100620063");
    QTest::newRow("\\x takes two digits") << u"\\x41BC"_s << u"UTF-8"_s << hex("414243");
    QTest::newRow("\\0 is one byte") << u"\\012"_s << u"UTF-8"_s << hex("003132");
    QTest::newRow("GB2312 with escapes")
        << u"你好\\r\\n世界\\x00"_s << u"GB2312"_s << hex("c4e3bac30d0acac0bde700");
    QTest::newRow("UTF-8 text") << u"你好\\n"_s << u"UTF-8"_s << hex("e4bda0e5a5bd0a");
    QTest::newRow("Big5 text") << u"臺灣\\t"_s << u"big5"_s << hex("bb4fc65709");
    QTest::newRow("Latin-1 text") << u"café\\xff"_s << u"Latin-1"_s << hex("636166e9ff");
    QTest::newRow("raw byte not re-encoded") << u"\\xc4\\xe3"_s << u"UTF-8"_s << hex("c4e3");
    QTest::newRow("no escapes") << u"plain"_s << u"GBK"_s << hex("706c61696e");
    QTest::newRow("empty") << QString() << u"UTF-8"_s << QByteArray();
    // Found while fuzzing: every escape counted columns from the start, so
    // this took minutes in a debug build; linear, it takes milliseconds.
    QTest::newRow("100000 escapes")
        << u"\\x41"_s.repeated(100000) << u"UTF-8"_s << QByteArray(100000, 'A');
}

void TestTextCodec::escapes()
{
    QFETCH(QString, input);
    QFETCH(QString, encoding);
    QFETCH(QByteArray, bytes);

    const BytesResult result = Escapes::encode(input, encoding);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.bytes.toHex(' '), bytes.toHex(' '));
}

void TestTextCodec::escapeErrors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qsizetype>("position");

    QTest::newRow("unknown escape")
        << u"abc\\q"_s << u"UTF-8"_s
        << u"unknown escape '\\q' at column 4 (write \\\\ for a backslash)"_s << qsizetype(3);
    QTest::newRow("unknown escape after emoji")
        << u"😀\\😀"_s << u"UTF-8"_s
        << u"unknown escape '\\😀' at column 2 (write \\\\ for a backslash)"_s << qsizetype(2);
    QTest::newRow("trailing backslash")
        << u"abc\\"_s << u"UTF-8"_s
        << u"lone backslash at column 4 at the end of the input (write \\\\ for a backslash)"_s
        << qsizetype(3);
    QTest::newRow("\\x short") << u"\\x4"_s << u"UTF-8"_s
                               << u"'\\x' at column 1 must be followed by two hex digits"_s
                               << qsizetype(0);
    QTest::newRow("\\x bare") << u"ab\\x"_s << u"UTF-8"_s
                              << u"'\\x' at column 3 must be followed by two hex digits"_s
                              << qsizetype(2);
    QTest::newRow("\\x not hex") << u"ab\\x4g"_s << u"UTF-8"_s
                                 << u"'\\x' at column 3 must be followed by two hex digits"_s
                                 << qsizetype(2);
    QTest::newRow("unencodable after escapes")
        << u"你好\\r\\n😀"_s << u"GB2312"_s
        << u"character '😀' (U+1F600) at position 7 cannot be encoded in GB2312"_s << qsizetype(6);
    QTest::newRow("unencodable in first run")
        << u"ok你\\n"_s << u"Latin-1"_s
        << u"character '你' (U+4F60) at position 3 cannot be encoded in Latin-1"_s << qsizetype(2);
    QTest::newRow("unencodable after \\x")
        << u"ok\\x41你"_s << u"Latin-1"_s
        << u"character '你' (U+4F60) at position 7 cannot be encoded in Latin-1"_s << qsizetype(6);
    QTest::newRow("lone surrogate before escape")
        << u"a\xD83D\\n"_s << u"UTF-8"_s
        << u"character U+D83D (unpaired surrogate) at position 2 cannot be encoded in UTF-8"_s
        << qsizetype(1);
    QTest::newRow("unknown encoding")
        << u"x"_s << u"ebcdic"_s
        << u"unknown encoding 'ebcdic' (choose one of "_s + allChoices + u')' << qsizetype(-1);
}

void TestTextCodec::escapeErrors()
{
    QFETCH(QString, input);
    QFETCH(QString, encoding);
    QFETCH(QString, message);
    QFETCH(qsizetype, position);

    const BytesResult result = Escapes::encode(input, encoding);
    QVERIFY(!result.ok());
    QCOMPARE(result.error, message);
    QCOMPARE(result.position, position);
}

QTEST_APPLESS_MAIN(TestTextCodec)
void TestTextCodec::escapeRoundTrip_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("expected");
    QTest::newRow("windows path") << QByteArray("C:\\temp") << u"UTF-8"_s << u"C:\\\\temp"_s;
    QTest::newRow("controls") << QByteArray("a\r\n\t\x01", 5) << u"UTF-8"_s << u"a\\r\\n\\t\\x01"_s;
    QTest::newRow("not UTF-8") << QByteArray("\x41\xff\x00\x5c\x0d", 5) << u"UTF-8"_s
                               << u"A\\xff\\0\\\\\\r"_s;
    QTest::newRow("GB2312 text") << QByteArray("\xc4\xe3\xba\xc3") << u"GB2312"_s << u"你好"_s;
    QTest::newRow("empty") << QByteArray() << u"UTF-8"_s << QString();
}

void TestTextCodec::escapeRoundTrip()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, encoding);
    QFETCH(QString, expected);
    if (!TextCodec::checkName(encoding).isEmpty())
        QSKIP("this encoding is not available in this build of Qt");
    const QString text = Escapes::escape(bytes, encoding);
    QCOMPARE(text, expected);
    const BytesResult back = Escapes::encode(text, encoding);
    QVERIFY2(back.ok(), qPrintable(back.error));
    QCOMPARE(back.bytes, bytes);
}

#include "tst_textcodec.moc"
