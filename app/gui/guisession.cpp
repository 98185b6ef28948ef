#include "guisession.h"

#include "net/cli/clioptions.h"
#include "startupsession.h"

#include <cstdio>

void openStartupSession(MainWindow &window, const CliOptions &options)
{
    QString problem;
    StartupSession::open(window, options.session, &problem);
    if (!problem.isEmpty())
        std::fprintf(stderr, "socklab: %s\n", problem.toUtf8().constData());
}
