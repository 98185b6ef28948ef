/* Window-shown watcher: tells when top-level windows are mapped on $DISPLAY.
 * It listens for MapNotify on the root window (SubstructureNotify), prints
 * "ready" once listening, then one line per top-level window mapped:
 *
 *   map MONOTONIC_MS PID
 *
 * (PID from the window's _NET_WM_PID, 0 when it has none; the time is
 * CLOCK_MONOTONIC in milliseconds, comparable with the bench's clock). The
 * bench starts it before the application and takes the first map of the
 * application's pid as "window shown", the same way for every program.
 * Exits after TIMEOUT_MS.
 *
 *   xmapwait TIMEOUT_MS
 */
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static unsigned long window_pid(Display *display, Window window)
{
    Atom type;
    int format;
    unsigned long items, after;
    unsigned char *data = NULL;
    unsigned long pid = 0;
    Atom property = XInternAtom(display, "_NET_WM_PID", False);
    if (XGetWindowProperty(display, window, property, 0, 1, False, XA_CARDINAL, &type, &format,
            &items, &after, &data)
            == Success
        && data && items == 1 && format == 32)
        pid = *(unsigned long *)data;
    if (data)
        XFree(data);
    return pid;
}

int main(int argc, char **argv)
{
    double deadline = now_ms() + (argc > 1 ? atof(argv[1]) : 30000);
    Display *display = XOpenDisplay(NULL);
    if (!display) {
        fprintf(stderr, "xmapwait: cannot open display\n");
        return 1;
    }
    Window root = DefaultRootWindow(display);
    XSelectInput(display, root, SubstructureNotifyMask);
    XSync(display, False);
    printf("ready\n");
    fflush(stdout);
    struct pollfd p = { .fd = ConnectionNumber(display), .events = POLLIN };
    while (now_ms() < deadline) {
        if (!XPending(display)) {
            poll(&p, 1, 50);
            continue;
        }
        XEvent event;
        XNextEvent(display, &event);
        if (event.type != MapNotify || event.xmap.override_redirect)
            continue;
        double at = now_ms();
        printf("map %.1f %lu\n", at, window_pid(display, event.xmap.window));
        fflush(stdout);
    }
    XCloseDisplay(display);
    return 0;
}
