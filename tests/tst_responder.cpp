#include "net/core/responder.h"
#include "net/text/textcodec.h"

#include <QDate>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

class TestResponder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void respond_data();
    void respond();
    void timeServer_data();
    void timeServer();
    void timeServerYear();
    void timeServerGb2312();
    void timeServerNulBytes_data();
    void timeServerNulBytes();
    void timeServerInvalidBytes();
    void formatLocalTimeDefault();
    void formatLocalTimeLong();
    void formatLocalTimeTooLong();
};

static QByteArray bytes(const char *data, qsizetype size)
{
    return QByteArray(data, size);
}

void TestResponder::respond_data()
{
    QTest::addColumn<Responder::Mode>("mode");
    QTest::addColumn<QByteArray>("fixedReply");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("replies");
    QTest::addColumn<QByteArray>("reply");

    QTest::newRow("off") << Responder::Mode::Off << QByteArray("x") << QByteArray("hello") << false
                         << QByteArray();
    QTest::newRow("echo") << Responder::Mode::Echo << QByteArray() << QByteArray("hello\r\n")
                          << true << QByteArray("hello\r\n");
    QTest::newRow("echo binary") << Responder::Mode::Echo << QByteArray()
                                 << bytes("\0\xff\xfe\n", 4) << true << bytes("\0\xff\xfe\n", 4);
    QTest::newRow("fixed") << Responder::Mode::FixedReply << QByteArray("OK\n")
                           << QByteArray("anything") << true << QByteArray("OK\n");
    QTest::newRow("fixed binary") << Responder::Mode::FixedReply << bytes("\x01\0\x02", 3)
                                  << QByteArray("x") << true << bytes("\x01\0\x02", 3);
    QTest::newRow("fixed empty") << Responder::Mode::FixedReply << QByteArray()
                                 << QByteArray("anything") << false << QByteArray();
}

void TestResponder::respond()
{
    QFETCH(Responder::Mode, mode);
    QFETCH(QByteArray, fixedReply);
    QFETCH(QByteArray, request);
    QFETCH(bool, replies);
    QFETCH(QByteArray, reply);

    Responder responder;
    responder.mode = mode;
    responder.fixedReply = fixedReply;
    const std::optional<QByteArray> actual = responder.respond(request, u"UTF-8"_s);
    QCOMPARE(actual.has_value(), replies);
    if (replies)
        QCOMPARE(*actual, reply);
}

void TestResponder::timeServer_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("pattern"); // the reply without its line ending
    QTest::addColumn<QByteArray>("lineEnding");

    const QString dateTime = u"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"_s;
    QTest::newRow("hour:minute") << QByteArray("%H:%M") << u"\\d\\d:\\d\\d"_s << QByteArray();
    QTest::newRow("empty") << QByteArray() << dateTime << QByteArray();
    QTest::newRow("empty line") << QByteArray("\n") << dateTime << QByteArray("\n");
    QTest::newRow("empty crlf") << QByteArray("\r\n") << dateTime << QByteArray("\r\n");
    QTest::newRow("lf kept") << QByteArray("%H:%M\n") << u"\\d\\d:\\d\\d"_s << QByteArray("\n");
    QTest::newRow("crlf kept") << QByteArray("%H:%M:%S\r\n") << u"\\d\\d:\\d\\d:\\d\\d"_s
                               << QByteArray("\r\n");
    QTest::newRow("only one ending cut")
        << QByteArray("%Y\n\n") << u"\\d{4}\\n"_s << QByteArray("\n");
    QTest::newRow("lone cr is format") << QByteArray("%Y\r") << u"\\d{4}\\r"_s << QByteArray();
    QTest::newRow("literal text") << QByteArray("time is %H h") << u"time is \\d\\d h"_s
                                  << QByteArray();
    QTest::newRow("percent") << QByteArray("100%%") << u"100%"_s << QByteArray();
}

void TestResponder::timeServer()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, pattern);
    QFETCH(QByteArray, lineEnding);

    Responder responder;
    responder.mode = Responder::Mode::TimeServer;
    const std::optional<QByteArray> reply = responder.respond(request, u"UTF-8"_s);
    QVERIFY(reply.has_value());
    QVERIFY2(reply->endsWith(lineEnding), reply->toHex(' ').constData());
    const QString body = QString::fromUtf8(reply->chopped(lineEnding.size()));
    const QRegularExpression re(QRegularExpression::anchoredPattern(pattern));
    QVERIFY2(re.match(body).hasMatch(), qPrintable(body));
}

void TestResponder::timeServerYear()
{
    Responder responder;
    responder.mode = Responder::Mode::TimeServer;
    const int before = QDate::currentDate().year();
    const std::optional<QByteArray> reply = responder.respond("%Y", u"UTF-8"_s);
    const int after = QDate::currentDate().year();
    QVERIFY(reply.has_value());
    QVERIFY2(*reply == QByteArray::number(before) || *reply == QByteArray::number(after),
        reply->constData());
}

void TestResponder::timeServerGb2312()
{
    if (!TextCodec::isAvailable(u"GB2312"))
        QSKIP("GB2312 is not available in this build of Qt");

    const BytesResult request = TextCodec::encode(u"%Y年\n", u"GB2312");
    QVERIFY(request.ok());
    QCOMPARE(request.bytes, QByteArray("%Y\xc4\xea\n")); // 年 is C4 EA in GB2312

    Responder responder;
    responder.mode = Responder::Mode::TimeServer;
    const int before = QDate::currentDate().year();
    const std::optional<QByteArray> reply = responder.respond(request.bytes, u"GB2312"_s);
    const int after = QDate::currentDate().year();
    QVERIFY(reply.has_value());
    const QByteArray expectedBefore = QByteArray::number(before) + "\xc4\xea\n";
    const QByteArray expectedAfter = QByteArray::number(after) + "\xc4\xea\n";
    QVERIFY2(*reply == expectedBefore || *reply == expectedAfter, reply->toHex(' ').constData());
}

void TestResponder::timeServerNulBytes_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("pattern");

    QTest::newRow("between") << bytes("%Y\0%m\n", 6) << u"\\d{4}\\x{0}\\d\\d\\n"_s;
    QTest::newRow("leading") << bytes("\0%Y", 3) << u"\\x{0}\\d{4}"_s;
    QTest::newRow("trailing") << bytes("%Y\0", 3) << u"\\d{4}\\x{0}"_s;
    QTest::newRow("only nuls") << bytes("\0\0\0", 3) << u"\\x{0}{3}"_s;
}

void TestResponder::timeServerNulBytes()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, pattern);

    Responder responder;
    responder.mode = Responder::Mode::TimeServer;
    const std::optional<QByteArray> reply = responder.respond(request, u"UTF-8"_s);
    QVERIFY(reply.has_value());
    const QString text = QString::fromUtf8(*reply);
    const QRegularExpression re(QRegularExpression::anchoredPattern(pattern));
    QVERIFY2(re.match(text).hasMatch(), reply->toHex(' ').constData());
}

void TestResponder::timeServerInvalidBytes()
{
    // Undecodable bytes become U+FFFD, which GB2312 cannot encode: the reply
    // then falls back to UTF-8 instead of failing or producing garbage.
    Responder responder;
    responder.mode = Responder::Mode::TimeServer;
    const QString year = QString::number(QDate::currentDate().year());
    for (const QString &encoding : { u"UTF-8"_s, u"GB2312"_s, u"Latin-1"_s }) {
        if (!TextCodec::isAvailable(encoding))
            continue;
        const std::optional<QByteArray> reply = responder.respond("\xff\xfe%Y\x80", encoding);
        QVERIFY(reply.has_value());
        QVERIFY2(reply->contains(year.toLatin1()), qPrintable(encoding));
    }
}

void TestResponder::formatLocalTimeDefault()
{
    const QString text = formatLocalTime(QString());
    const QRegularExpression re(
        QRegularExpression::anchoredPattern(u"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"_s));
    QVERIFY2(re.match(text).hasMatch(), qPrintable(text));
    QCOMPARE(formatLocalTime(u"%%"_s), u"%"_s);
    QCOMPARE(formatLocalTime(u"no conversions"_s), u"no conversions"_s);
    QCOMPARE(formatLocalTime(u"%Y年"_s), QString::number(QDate::currentDate().year()) + u"年"_s);
}

void TestResponder::formatLocalTimeLong()
{
    // "%c" grows twelvefold (24 characters in the C locale), so the reply is
    // larger than any first guess at the buffer, and larger than 64 KiB: the
    // buffer must grow, not truncate.
    const QString one = formatLocalTime(u"%c"_s);
    QVERIFY(one.size() >= 20);
    const QString text = formatLocalTime(u"%c"_s.repeated(4'000));
    QCOMPARE(text.size(), 4'000 * one.size());
    QVERIFY(text.size() > 64 * 1024);
}

void TestResponder::formatLocalTimeTooLong()
{
    // "%c" is at least 24 characters: 60,000 of them exceed the limit, which
    // gives an empty reply rather than a truncated or uninitialised one.
    QCOMPARE(formatLocalTime(u"%c"_s.repeated(60'000)), QString());
}

QTEST_APPLESS_MAIN(TestResponder)
#include "tst_responder.moc"
