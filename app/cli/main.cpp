#include "net/cli/clioptions.h"
#include "net/cli/clirunner.h"
#include "net/cli/signalwatcher.h"
#include "net/cli/tftpcommand.h"
#include "net/io/platform.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    // Qt's own dispatcher serves thousands of sockets several times faster
    // than GLib's; it is chosen when the application object is made.
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    platform::ignoreBrokenPipe();
    platform::raiseOpenFileLimit();

    QCoreApplication app(argc, argv);
    if (QCoreApplication::arguments().value(1) == QStringLiteral("tftp"))
        return runTftpCommand(QCoreApplication::arguments());
    QCoreApplication::setApplicationName(QStringLiteral("socklab-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SOCKLAB_VERSION));

    const CliParse parsed = parseCli(QCoreApplication::arguments());
    switch (parsed.outcome) {
    case CliParse::Outcome::Help:
    case CliParse::Outcome::Version:
        std::fputs(parsed.message.toUtf8().constData(), stdout);
        if (!parsed.message.endsWith(u'\n'))
            std::fputc('\n', stdout);
        return 0;
    case CliParse::Outcome::UsageError:
        std::fprintf(stderr, "socklab-cli: %s\n", parsed.message.toUtf8().constData());
        return 2;
    case CliParse::Outcome::Run:
        break;
    }

    CliRunner runner(parsed.options);
    SignalWatcher watcher;
    QObject::connect(
        &watcher, &SignalWatcher::stopRequested, &runner, [&runner] { runner.shutdown(0); });
    int exitCode = 0;
    QObject::connect(&runner, &CliRunner::finished, &app, [&exitCode](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    });
    QMetaObject::invokeMethod(&runner, &CliRunner::start, Qt::QueuedConnection);
    app.exec();
    return exitCode;
}
