#include "guisession.h"
#include "mainwindow.h"
#include "net/cli/clioptions.h"
#include "net/cli/signalwatcher.h"
#include "net/io/platform.h"
#include "sessiontab.h"
#include "stallprobe.h"
#include "startupreport.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QPixmap>
#include <QSettings>
#include <QTranslator>

#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

// Installs the translators for a language ("" = the system's); the old ones go.
void installLanguage(const QString &choice, std::vector<std::unique_ptr<QTranslator>> &installed)
{
    for (auto &translator : installed)
        QCoreApplication::removeTranslator(translator.get());
    installed.clear();
    const QLocale locale = choice.isEmpty() ? QLocale::system() : QLocale(choice);
    auto ours = std::make_unique<QTranslator>();
    if (ours->load(locale, u"socklab"_s, u"_"_s, u":/i18n"_s)) {
        QCoreApplication::installTranslator(ours.get());
        installed.push_back(std::move(ours));
        auto qt = std::make_unique<QTranslator>();
        if (qt->load(
                locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt.get());
            installed.push_back(std::move(qt));
        }
    }
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's own event dispatcher serves many sockets several times faster than GLib's.
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    platform::ignoreBrokenPipe();
    platform::raiseOpenFileLimit();
    // The log's freed reads stay in the heap for the next ones (glibc).
    platform::keepFreedReadsForReuse();

    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"Socklab"_s);
    QCoreApplication::setApplicationName(u"socklab"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SOCKLAB_VERSION));
    QGuiApplication::setDesktopFileName(u"socklab"_s);
    // From a pixmap: QIcon(fileName) would load every image plugin to learn
    // what they read.
    QApplication::setWindowIcon(QIcon(QPixmap(u":/icons/socklab.png"_s)));

    std::optional<CliOptions> startup;
    if (QCoreApplication::arguments().value(1) == u"tftp"_s) {
        std::fputs("socklab: the window's TFTP tab is under Session > New TFTP (Ctrl+4);\n"
                   "for a transfer from the command line use socklab-cli tftp get|put.\n",
            stderr);
        return 2;
    }
    if (QCoreApplication::arguments().size() > 1) {
        const CliParse parsed = parseCli(QCoreApplication::arguments(), Front::Window);
        switch (parsed.outcome) {
        case CliParse::Outcome::Help:
            std::fputs("Usage: socklab [COMMAND OPTIONS]\n\n"
                       "Without arguments the window opens with the sessions of last time.\n"
                       "With a command it opens with that session running; the commands and\n"
                       "options are those of socklab-cli:\n\n",
                stdout);
            std::fputs(parsed.message.toUtf8().constData(), stdout);
            return 0;
        case CliParse::Outcome::Version:
            std::printf("socklab %s\n", SOCKLAB_VERSION);
            return 0;
        case CliParse::Outcome::UsageError:
            std::fprintf(stderr, "socklab: %s\n", parsed.message.toUtf8().constData());
            return 2;
        case CliParse::Outcome::Run:
            startup = parsed.options;
            break;
        }
    }

    std::vector<std::unique_ptr<QTranslator>> translators;
    installLanguage(QSettings().value(u"language"_s).toString(), translators);

    std::unique_ptr<MainWindow> window;
    // A session asked for on the command line is opened once, in the first window.
    std::function<void()> openWindow = [&] {
        window = std::make_unique<MainWindow>();
        window->restoreState(!startup);
        QObject::connect(
            window.get(), &MainWindow::languageChangeRequested, &app, [&](const QString &language) {
                QSettings().setValue(u"language"_s, language);
                window->saveState();
                // Rebuild the window in the new language once this slot has returned.
                QMetaObject::invokeMethod(
                    &app,
                    [&] {
                        window.reset();
                        installLanguage(language, translators);
                        openWindow();
                    },
                    Qt::QueuedConnection);
            });
        window->show();
    };
    openWindow();
    if (startup)
        openStartupSession(*window, *startup);

    // Benchmarks set SOCKLAB_STARTUP_REPORT=PATH to learn when the window and
    // the session given on the command line came up (see StartupReport).
    std::unique_ptr<StartupReport> startupReport;
    if (const QString path = qEnvironmentVariable("SOCKLAB_STARTUP_REPORT"); !path.isEmpty()) {
        startupReport = std::make_unique<StartupReport>(path);
        if (!startupReport->isOpen())
            std::fprintf(stderr, "socklab: cannot write %s\n", path.toLocal8Bit().constData());
        startupReport->watchWindow(window.get());
        // The command line's session is the last tab (after the restored ones).
        if (startup && !window->sessionTabs().isEmpty())
            startupReport->watchSession(window->sessionTabs().constLast()->session());
    }

    // Benchmarks set SOCKLAB_STALL_REPORT=PATH to learn the longest event-loop
    // stall, SOCKLAB_STALL_TRACE=PATH to have each late tick written as it happens.
    std::unique_ptr<StallProbe> probe;
    const QString stallReport = qEnvironmentVariable("SOCKLAB_STALL_REPORT");
    const QString stallTrace = qEnvironmentVariable("SOCKLAB_STALL_TRACE");
    if (!stallReport.isEmpty() || !stallTrace.isEmpty())
        probe = std::make_unique<StallProbe>();
    if (!stallTrace.isEmpty() && !probe->traceTo(stallTrace))
        std::fprintf(stderr, "socklab: cannot write %s\n", stallTrace.toLocal8Bit().constData());
    // SIGINT and SIGTERM close the window as the user would: settings are saved.
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::stopRequested, &app, [&window] {
        if (window)
            window->close();
        QCoreApplication::quit();
    });
    const int status = app.exec();
    if (probe && !stallReport.isEmpty()) {
        if (FILE *out = std::fopen(stallReport.toLocal8Bit().constData(), "w")) {
            std::fprintf(out, "%lld\n", static_cast<long long>(probe->longestStallMs()));
            std::fclose(out);
        }
    }
    return status;
}
