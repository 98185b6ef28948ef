// TFTP option negotiation, both sides: the options a client asks for, how it
// takes the server's OACK, and what a server grants within its caps. The
// server's answer to any client request must pass the client's own check.

#include "net/tftp/tftpoptions.h"

#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Tftp::Options)
Q_DECLARE_METATYPE(Tftp::Mode)
Q_DECLARE_METATYPE(Tftp::OptionWishes)
Q_DECLARE_METATYPE(Tftp::OptionCaps)
Q_DECLARE_METATYPE(Tftp::Parameters)

namespace QTest {

template<> char *toString(const Tftp::Options &options)
{
    QByteArray text;
    for (const Tftp::Option &option : options)
        text += option.name + '=' + option.value + ' ';
    return qstrdup(text.trimmed().constData());
}

template<> char *toString(const Tftp::Parameters &p)
{
    return qstrdup(QByteArray("blksize " + QByteArray::number(p.blockSize) + " windowsize "
        + QByteArray::number(p.windowSize) + " timeout " + QByteArray::number(p.timeout) + " tsize "
        + QByteArray::number(p.transferSize))
                       .constData());
}

} // namespace QTest

namespace {

Tftp::Parameters parameters(int blockSize, int windowSize, int timeout, qint64 transferSize)
{
    return Tftp::Parameters { blockSize, windowSize, timeout, transferSize };
}

} // namespace

class TestTftpOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestOptions_data();
    void requestOptions();
    void checkOptionAck_data();
    void checkOptionAck();
    void grantOptions_data();
    void grantOptions();
    void grantPassesTheClientsCheck_data();
    void grantPassesTheClientsCheck();
};

void TestTftpOptions::requestOptions_data()
{
    QTest::addColumn<Tftp::OptionWishes>("wishes");
    QTest::addColumn<bool>("write");
    QTest::addColumn<Tftp::Mode>("mode");
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<Tftp::Options>("expected");

    const auto octet = Tftp::Mode::Octet;
    QTest::newRow("nothing: plain RFC 1350")
        << Tftp::OptionWishes {} << false << octet << qint64(-1) << Tftp::Options {};
    QTest::newRow("everything, read")
        << Tftp::OptionWishes { 1468, 16, 3, true } << false << octet << qint64(-1)
        << Tftp::Options { { "blksize", "1468" }, { "tsize", "0" }, { "timeout", "3" },
               { "windowsize", "16" } };
    QTest::newRow("write announces the size")
        << Tftp::OptionWishes { 0, 0, 0, true } << true << octet << qint64(123456)
        << Tftp::Options { { "tsize", "123456" } };
    QTest::newRow("write of unknown size asks no tsize")
        << Tftp::OptionWishes { 0, 0, 0, true } << true << octet << qint64(-1) << Tftp::Options {};
    QTest::newRow("no tsize in netascii")
        << Tftp::OptionWishes { 512, 0, 0, true } << false << Tftp::Mode::Netascii << qint64(-1)
        << Tftp::Options { { "blksize", "512" } };
    QTest::newRow("write window within 64 MiB")
        << Tftp::OptionWishes { 65464, 65535, 0, false } << true << octet << qint64(-1)
        << Tftp::Options { { "blksize", "65464" }, { "windowsize", "1025" } };
    QTest::newRow("write window at the default block size") << Tftp::OptionWishes { 0, 65535, 0,
        false } << true << octet << qint64(-1) << Tftp::Options { { "windowsize", "65535" } };
    QTest::newRow("read window as asked")
        << Tftp::OptionWishes { 65464, 65535, 0, false } << false << octet << qint64(-1)
        << Tftp::Options { { "blksize", "65464" }, { "windowsize", "65535" } };
}

void TestTftpOptions::requestOptions()
{
    QFETCH(Tftp::OptionWishes, wishes);
    QFETCH(bool, write);
    QFETCH(Tftp::Mode, mode);
    QFETCH(qint64, fileSize);
    QFETCH(Tftp::Options, expected);
    QCOMPARE(Tftp::requestOptions(wishes, write, mode, fileSize), expected);
}

void TestTftpOptions::checkOptionAck_data()
{
    QTest::addColumn<Tftp::Options>("asked");
    QTest::addColumn<Tftp::Options>("acknowledged");
    QTest::addColumn<bool>("write");
    QTest::addColumn<Tftp::Parameters>("expected");
    QTest::addColumn<QString>("error");

    const Tftp::Options all { { "blksize", "1468" }, { "tsize", "0" }, { "timeout", "3" },
        { "windowsize", "16" } };
    QTest::newRow("all as asked") << all
                                  << Tftp::Options { { "blksize", "1468" }, { "tsize", "5000" },
                                         { "timeout", "3" }, { "windowsize", "16" } }
                                  << false << parameters(1468, 16, 3, 5000) << QString();
    QTest::newRow("smaller, and some left out")
        << all << Tftp::Options { { "windowsize", "4" }, { "blksize", "1024" } } << false
        << parameters(1024, 4, 0, -1) << QString();
    QTest::newRow("empty OACK") << all << Tftp::Options {} << false << parameters(512, 1, 0, -1)
                                << QString();
    QTest::newRow("not requested")
        << Tftp::Options { { "blksize", "1024" } } << Tftp::Options { { "secretsauce", "1" } }
        << false << Tftp::Parameters {}
        << u"the server acknowledged option 'secretsauce', which was not requested"_s;
    QTest::newRow("twice") << all << Tftp::Options { { "blksize", "1024" }, { "blksize", "1024" } }
                           << false << Tftp::Parameters {}
                           << u"the server acknowledged option 'blksize' twice"_s;
    QTest::newRow("not a number")
        << all << Tftp::Options { { "timeout", "3s" } } << false << Tftp::Parameters {}
        << u"the server answered option 'timeout' with '3s', not a number"_s;
    QTest::newRow("bigger block")
        << Tftp::Options { { "blksize", "1024" } } << Tftp::Options { { "blksize", "2048" } }
        << false << Tftp::Parameters {}
        << u"the server answered blksize 2048, outside 8..1024 (asked 1024)"_s;
    QTest::newRow("block below 8")
        << all << Tftp::Options { { "blksize", "7" } } << false << Tftp::Parameters {}
        << u"the server answered blksize 7, outside 8..1468 (asked 1468)"_s;
    QTest::newRow("window 0") << all << Tftp::Options { { "windowsize", "0" } } << false
                              << Tftp::Parameters {}
                              << u"the server answered windowsize 0, outside 1..16 (asked 16)"_s;
    QTest::newRow("other timeout")
        << all << Tftp::Options { { "timeout", "5" } } << false << Tftp::Parameters {}
        << u"the server answered timeout 5, not the 3 asked"_s;
    QTest::newRow("upload tsize changed")
        << Tftp::Options { { "tsize", "100" } } << Tftp::Options { { "tsize", "99" } } << true
        << Tftp::Parameters {} << u"the server answered tsize 99, not the 100 sent"_s;
    QTest::newRow("upload tsize echoed")
        << Tftp::Options { { "tsize", "100" } } << Tftp::Options { { "tsize", "100" } } << true
        << parameters(512, 1, 0, 100) << QString();
}

void TestTftpOptions::checkOptionAck()
{
    QFETCH(Tftp::Options, asked);
    QFETCH(Tftp::Options, acknowledged);
    QFETCH(bool, write);
    QFETCH(Tftp::Parameters, expected);
    QFETCH(QString, error);
    const Tftp::OptionAckCheck check = Tftp::checkOptionAck(asked, acknowledged, write);
    QCOMPARE(check.error, error);
    QCOMPARE(check.ok(), error.isEmpty());
    QCOMPARE(check.parameters, expected);
}

void TestTftpOptions::grantOptions_data()
{
    QTest::addColumn<Tftp::Options>("requested");
    QTest::addColumn<bool>("write");
    QTest::addColumn<Tftp::Mode>("mode");
    QTest::addColumn<qint64>("fileSize");
    QTest::addColumn<Tftp::OptionCaps>("caps");
    QTest::addColumn<Tftp::Options>("acknowledged");
    QTest::addColumn<Tftp::Parameters>("expected");

    const auto octet = Tftp::Mode::Octet;
    const Tftp::OptionCaps open;
    QTest::newRow("nothing asked") << Tftp::Options {} << false << octet << qint64(10) << open
                                   << Tftp::Options {} << Tftp::Parameters {};
    QTest::newRow("all granted, in the request's order")
        << Tftp::Options { { "windowsize", "8" }, { "tsize", "0" }, { "blksize", "1468" },
               { "timeout", "2" } }
        << false << octet << qint64(70000) << open
        << Tftp::Options { { "windowsize", "8" }, { "tsize", "70000" }, { "blksize", "1468" },
               { "timeout", "2" } }
        << parameters(1468, 8, 2, 70000);
    QTest::newRow("blksize lowered to the cap")
        << Tftp::Options { { "blksize", "65464" } } << false << octet << qint64(-1)
        << Tftp::OptionCaps { 1468, Tftp::MaxWindowSize, true, true }
        << Tftp::Options { { "blksize", "1468" } } << parameters(1468, 1, 0, -1);
    QTest::newRow("blksize past 65464 lowered")
        << Tftp::Options { { "blksize", "70000" } } << false << octet << qint64(-1) << open
        << Tftp::Options { { "blksize", "65464" } } << parameters(65464, 1, 0, -1);
    QTest::newRow("blksize below 8, bad values and unknown options left out") << Tftp::Options {
        { "blksize", "7" }, { "timeout", "x" }, { "multicast", "" }, { "windowsize", "-1" }
    } << false << octet << qint64(-1) << open << Tftp::Options {} << Tftp::Parameters {};
    QTest::newRow("a repeat is left out")
        << Tftp::Options { { "blksize", "1024" }, { "blksize", "8" } } << false << octet
        << qint64(-1) << open << Tftp::Options { { "blksize", "1024" } }
        << parameters(1024, 1, 0, -1);
    QTest::newRow("timeout out of range")
        << Tftp::Options { { "timeout", "0" }, { "blksize", "512" } } << false << octet
        << qint64(-1) << open << Tftp::Options { { "blksize", "512" } }
        << parameters(512, 1, 0, -1);
    QTest::newRow("timeout 256") << Tftp::Options { { "timeout", "256" } } << false << octet
                                 << qint64(-1) << open << Tftp::Options {} << Tftp::Parameters {};
    QTest::newRow("timeout and tsize switched off")
        << Tftp::Options { { "timeout", "5" }, { "tsize", "0" } } << false << octet << qint64(5)
        << Tftp::OptionCaps { Tftp::MaxBlockSize, Tftp::MaxWindowSize, false, false }
        << Tftp::Options {} << Tftp::Parameters {};
    QTest::newRow("read of unknown size: no tsize")
        << Tftp::Options { { "tsize", "0" } } << false << octet << qint64(-1) << open
        << Tftp::Options {} << Tftp::Parameters {};
    QTest::newRow("no tsize in netascii")
        << Tftp::Options { { "tsize", "0" } } << false << Tftp::Mode::Netascii << qint64(10) << open
        << Tftp::Options {} << Tftp::Parameters {};
    QTest::newRow("write: the announced size, for the upload limit")
        << Tftp::Options { { "tsize", "1048576" } } << true << octet << qint64(-1) << open
        << Tftp::Options { { "tsize", "1048576" } } << parameters(512, 1, 0, 1048576);
    QTest::newRow("windowsize lowered to the cap")
        << Tftp::Options { { "windowsize", "64" } } << false << octet << qint64(-1)
        << Tftp::OptionCaps { Tftp::MaxBlockSize, 16, true, true }
        << Tftp::Options { { "windowsize", "16" } } << parameters(512, 16, 0, -1);
    QTest::newRow("read: the window the server keeps within 64 MiB")
        << Tftp::Options { { "windowsize", "65535" }, { "blksize", "65464" } } << false << octet
        << qint64(-1) << open << Tftp::Options { { "windowsize", "1025" }, { "blksize", "65464" } }
        << parameters(65464, 1025, 0, -1);
    QTest::newRow("write: the client keeps the window")
        << Tftp::Options { { "windowsize", "65535" }, { "blksize", "65464" } } << true << octet
        << qint64(-1) << open << Tftp::Options { { "windowsize", "65535" }, { "blksize", "65464" } }
        << parameters(65464, 65535, 0, -1);
}

void TestTftpOptions::grantOptions()
{
    QFETCH(Tftp::Options, requested);
    QFETCH(bool, write);
    QFETCH(Tftp::Mode, mode);
    QFETCH(qint64, fileSize);
    QFETCH(Tftp::OptionCaps, caps);
    QFETCH(Tftp::Options, acknowledged);
    QFETCH(Tftp::Parameters, expected);
    const Tftp::OptionGrant grant = Tftp::grantOptions(requested, write, mode, fileSize, caps);
    QCOMPARE(grant.acknowledged, acknowledged);
    QCOMPARE(grant.parameters, expected);
}

void TestTftpOptions::grantPassesTheClientsCheck_data()
{
    QTest::addColumn<Tftp::OptionWishes>("wishes");
    QTest::addColumn<bool>("write");
    QTest::addColumn<Tftp::OptionCaps>("caps");

    const Tftp::OptionCaps open;
    const Tftp::OptionCaps tight { 1024, 4, false, false };
    for (const bool write : { false, true }) {
        const char *direction = write ? "write" : "read";
        QTest::addRow("%s, all, open", direction)
            << Tftp::OptionWishes { 1468, 16, 3, true } << write << open;
        QTest::addRow("%s, all, tight", direction)
            << Tftp::OptionWishes { 1468, 16, 3, true } << write << tight;
        QTest::addRow("%s, largest", direction)
            << Tftp::OptionWishes { 65464, 65535, 255, true } << write << open;
        QTest::addRow("%s, smallest", direction)
            << Tftp::OptionWishes { 8, 1, 1, false } << write << tight;
    }
}

void TestTftpOptions::grantPassesTheClientsCheck()
{
    QFETCH(Tftp::OptionWishes, wishes);
    QFETCH(bool, write);
    QFETCH(Tftp::OptionCaps, caps);
    const qint64 fileSize = 4'000'000;
    const Tftp::Options asked = Tftp::requestOptions(wishes, write, Tftp::Mode::Octet, fileSize);
    const Tftp::OptionGrant grant
        = Tftp::grantOptions(asked, write, Tftp::Mode::Octet, fileSize, caps);
    const Tftp::OptionAckCheck check = Tftp::checkOptionAck(asked, grant.acknowledged, write);
    QVERIFY2(check.ok(), qPrintable(check.error));
    QCOMPARE(check.parameters, grant.parameters);
    QVERIFY(grant.parameters.blockSize <= caps.maxBlockSize);
    QVERIFY(grant.parameters.windowSize <= caps.maxWindowSize);
    QVERIFY(qint64(grant.parameters.windowSize) * grant.parameters.blockSize
        <= std::max<qint64>(Tftp::MaxWindowBytes, grant.parameters.blockSize));
}

QTEST_APPLESS_MAIN(TestTftpOptions)
#include "tst_tftpoptions.moc"
