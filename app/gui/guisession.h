#pragma once

struct CliOptions;
class MainWindow;

// Opens a tab for a session given on the command line (socklab tcp-server
// --listen :9000 ...) and starts it; see StartupSession. A problem that does
// not stop the session (a log file that cannot be written) goes to stderr too.
void openStartupSession(MainWindow &window, const CliOptions &options);
