#pragma once

// Process-wide calls of the operating system, for the two main()s and the
// signal watcher: platform_posix.cpp and platform_win.cpp. No Qt here, so the
// Windows file can be checked with a cross compiler alone.

#include "net/io/nativesocket.h"

#include <cstddef>

namespace platform {

// Many peers need many descriptors; the soft limit is often 1024. Raised to
// the hard limit where there are such limits (Windows has none to raise).
void raiseOpenFileLimit();

// A write to a connection the peer has reset fails with an error rather than
// killing the process (SIGPIPE on POSIX; Windows has no such signal).
void ignoreBrokenPipe();

// The log keeps up to 64 MiB of received reads and frees the oldest as new
// ones come. With glibc's sliding defaults, reads of a few hundred KiB are
// mapped and unmapped, and the heap trimmed and grown again, so each one
// lands in freshly faulted pages: measured with bench/flood.py, the window
// spent 0.65 s of CPU per GiB with them and 0.52 s with the freed reads kept
// in the heap for the next ones (peak RSS +10 MB). glibc only (mallopt);
// other allocators keep their defaults.
void keepFreedReadsForReuse();

// Milliseconds since this process started, as the system recorded its start
// (Linux: to the clock tick); -1 where that is not known.
double msSinceProcessStart();

// Requests to stop (SIGINT and SIGTERM on POSIX; Ctrl+C, Ctrl+Break and the
// console window's close on Windows) arrive as one byte each on the socket
// this returns, for the event loop to watch; Invalid when it cannot be made.
// One at a time per process.
io::SocketHandle openStopRequests();
// The request waiting on that socket (2 for SIGINT or Ctrl+C, 15 for SIGTERM
// or a close), -1 when there is none.
int takeStopRequest();
// Back to the default handling; the socket is closed.
void closeStopRequests();

// Whether standard output is a terminal rather than a file or a pipe.
bool stdoutIsTerminal();

// Standard input as something the event loop can watch: on POSIX the
// descriptor itself; on Windows, where a console or pipe handle cannot be
// watched as a socket is, a thread of its own copies it into a loopback
// socket pair. Invalid when it cannot be had. One at a time per process.
io::SocketHandle openStandardInput();
// What has come, up to size bytes: the count; 0 at the end of the input (or
// on an error, which ends it too); -1 when nothing is there yet.
long long readStandardInput(char *buffer, std::size_t size);
void closeStandardInput();

} // namespace platform
