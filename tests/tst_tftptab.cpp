// The TFTP panel as a user drives it, against tftpd-hpa's in.tftpd started
// by the test on a free loopback port.

#include "net/tftp/tftptransfer.h"
#include "testsupport.h"
#include "tftptab.h"

#include <QCheckBox>
#include <QCryptographicHash>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUdpSocket>

#include <unistd.h>

using namespace Qt::StringLiterals;
using peers::sha256Of;
using testfiles::readBytes;
using testfiles::writeBytes;

namespace {

QByteArray pattern(qsizetype size)
{
    QByteArray data(size, '\0');
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char((i * 131 + i / 512) & 0xff);
    return data;
}

} // namespace

class TestTftpTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void downloadShowsProgressAndHistory();
    void uploadFromTheWindow();
    void missingRemoteFileLeavesLocalFileAlone();
    void existingFileNeedsOverwrite();
    void fieldsAreChecked();

private:
    template<typename T> T *child(const char *name) const
    {
        return m_tab->findChild<T *>(QString::fromLatin1(name));
    }
    TftpResult runAndWait(const char *button);

    QTemporaryDir m_dir;
    QString m_root; // served by in.tftpd
    QString m_out;
    peers::Process m_server;
    quint16 m_port = 0;
    std::unique_ptr<TftpTab> m_tab;
};

void TestTftpTab::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_root = m_dir.filePath(u"srv"_s);
    m_out = m_dir.filePath(u"out"_s);
    QVERIFY(QDir().mkpath(m_root));
    QVERIFY(QDir().mkpath(m_out));
    QFile::setPermissions(m_root, QFileDevice::Permissions(0x7777));
    QFile::setPermissions(m_dir.path(), QFileDevice::Permissions(0x7755));
    QVERIFY(writeBytes(m_root + u"/firmware.bin"_s, pattern(300'000)));

    const QString inTftpd
        = QStandardPaths::findExecutable(u"in.tftpd"_s, { u"/usr/sbin"_s, u"/sbin"_s });
    if (inTftpd.isEmpty())
        QSKIP(
            "in.tftpd is not installed (apt-get install tftpd-hpa; scripts/setup-deps test does)");
    if (::geteuid() != 0)
        QSKIP("in.tftpd -u root needs root here");
    // in.tftpd takes its port on the command line: find a free one, and try
    // again should another program take it first.
    for (int attempt = 0; attempt < 5 && m_port == 0; ++attempt) {
        QUdpSocket probe;
        QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
        const quint16 port = probe.localPort();
        probe.close();
        m_server.stop();
        QVERIFY(m_server.start(inTftpd,
            { u"-L"_s, u"-s"_s, u"-a"_s, u"127.0.0.1:%1"_s.arg(port), u"-u"_s, u"root"_s, u"-c"_s,
                u"-B"_s, u"65464"_s, m_root }));
        // It exits at once when it cannot bind; otherwise it waits for requests.
        if (!m_server.waitForFinished(300))
            m_port = port;
    }
    QVERIFY2(m_port != 0, "in.tftpd did not start");
}

void TestTftpTab::cleanupTestCase()
{
    m_server.stop();
}

void TestTftpTab::init()
{
    m_tab = std::make_unique<TftpTab>();
    child<QLineEdit>("tftpHost")->setText(u"127.0.0.1"_s);
    child<QSpinBox>("tftpPort")->setValue(m_port);
    child<QSpinBox>("tftpTimeout")->setValue(300);
    child<QSpinBox>("tftpRetries")->setValue(3);
    m_tab->show();
}

TftpResult TestTftpTab::runAndWait(const char *button)
{
    QSignalSpy finished(m_tab.get(), &TftpTab::transferFinished);
    QTest::mouseClick(child<QPushButton>(button), Qt::LeftButton);
    if (!finished.wait(30'000) && finished.isEmpty()) {
        TftpResult never;
        never.status = TftpStatus::TimedOut;
        never.errorString = u"the panel never finished"_s;
        return never;
    }
    return finished.first().first().value<TftpResult>();
}

void TestTftpTab::downloadShowsProgressAndHistory()
{
    QTest::keyClicks(child<QLineEdit>("tftpRemote"), u"firmware.bin"_s);
    QTest::keyClicks(child<QLineEdit>("tftpLocal"), m_out);
    QVERIFY(!child<QPushButton>("tftpCancel")->isEnabled());
    const TftpResult result = runAndWait("tftpDownload");
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(sha256Of(readBytes(m_out + u"/firmware.bin"_s)),
        sha256Of(readBytes(m_root + u"/firmware.bin"_s)));
    QVERIFY(child<QLabel>("tftpResult")->text().contains(u"Downloaded"_s));
    QVERIFY(child<QLabel>("tftpProgressText")->text().contains(u"/s"_s));
    auto *history = child<QTreeWidget>("tftpHistory");
    QCOMPARE(history->topLevelItemCount(), 1);
    QCOMPARE(history->topLevelItem(0)->text(7), u"OK"_s);
    QCOMPARE(history->topLevelItem(0)->text(5), u"300000"_s);
    QVERIFY(child<QPushButton>("tftpDownload")->isEnabled());
}

void TestTftpTab::uploadFromTheWindow()
{
    const QString local = m_out + u"/report.log"_s;
    QVERIFY(writeBytes(local, pattern(70'000)));
    child<QLineEdit>("tftpLocal")->setText(local);
    child<QLineEdit>("tftpRemote")->setText(u"uploaded.log"_s);
    const TftpResult result = runAndWait("tftpUpload");
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(sha256Of(readBytes(m_root + u"/uploaded.log"_s)), sha256Of(pattern(70'000)));
    QVERIFY(child<QLabel>("tftpResult")->text().contains(u"Uploaded"_s));
}

void TestTftpTab::missingRemoteFileLeavesLocalFileAlone()
{
    const QString local = m_out + u"/keep.bin"_s;
    QVERIFY(writeBytes(local, "precious"));
    child<QLineEdit>("tftpRemote")->setText(u"no-such-file.bin"_s);
    child<QLineEdit>("tftpLocal")->setText(local);
    child<QCheckBox>("tftpOverwrite")->setChecked(true);
    const TftpResult result = runAndWait("tftpDownload");
    QCOMPARE(result.status, TftpStatus::ServerError);
    QCOMPARE(readBytes(local), QByteArray("precious"));
    const QString shown = child<QLabel>("tftpResult")->text();
    QVERIFY2(shown.contains(u"not found"_s, Qt::CaseInsensitive), qPrintable(shown));
    // Nothing but the old file is left in the folder (no temporary file).
    QCOMPARE(QDir(m_out).entryList(QDir::Files | QDir::Hidden).filter(u"keep"_s),
        QStringList { u"keep.bin"_s });
    auto *history = child<QTreeWidget>("tftpHistory");
    QCOMPARE(history->topLevelItemCount(), 1);
    QVERIFY(history->topLevelItem(0)->text(7) != u"OK"_s);
}

void TestTftpTab::existingFileNeedsOverwrite()
{
    const QString local = m_out + u"/existing.bin"_s;
    QVERIFY(writeBytes(local, "old"));
    child<QLineEdit>("tftpRemote")->setText(u"firmware.bin"_s);
    child<QLineEdit>("tftpLocal")->setText(local);
    TftpResult result = runAndWait("tftpDownload");
    QVERIFY(!result.ok());
    QVERIFY2(result.errorString.contains(u"exist"_s), qPrintable(result.errorString));
    QCOMPARE(readBytes(local), QByteArray("old"));

    child<QCheckBox>("tftpOverwrite")->setChecked(true);
    result = runAndWait("tftpDownload");
    QVERIFY2(result.ok(), qPrintable(result.errorString));
    QCOMPARE(readBytes(local).size(), 300'000);
}

void TestTftpTab::fieldsAreChecked()
{
    child<QLineEdit>("tftpRemote")->clear();
    QTest::mouseClick(child<QPushButton>("tftpDownload"), Qt::LeftButton);
    QVERIFY(child<QLabel>("tftpResult")->text().contains(u"remote file"_s));
    QVERIFY(!m_tab->transfer());
    child<QLineEdit>("tftpLocal")->setText(m_dir.filePath(u"missing.bin"_s));
    QTest::mouseClick(child<QPushButton>("tftpUpload"), Qt::LeftButton);
    QVERIFY(child<QLabel>("tftpResult")->text().contains(u"not a file"_s));
    QVERIFY(!m_tab->transfer());
}

QTEST_MAIN(TestTftpTab)
#include "tst_tftptab.moc"
