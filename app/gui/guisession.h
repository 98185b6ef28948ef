#pragma once

struct CliOptions;
class MainWindow;

// Opens a tab for a session given on the command line (socklab tcp-server
// --listen :9000 ...) and starts it.
void openStartupSession(MainWindow &window, const CliOptions &options);
