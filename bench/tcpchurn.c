/* TCP churn driver: CONCURRENCY connections at a time, each doing connect,
 * send MESSAGE, wait for REPLY_BYTES of answer, close; a finished one is
 * replaced at once by a new one. Runs for SECONDS and prints one line:
 *
 *   completed N failed F seconds S rate R
 *
 * where rate is completed connections per second. A failure is a refused or
 * reset connection, or one closed before its answer came. One thread, epoll,
 * non-blocking sockets, so the driver itself costs a few microseconds per
 * connection. Loopback use only (the bench gives 127.0.0.1).
 *
 *   tcpchurn HOST PORT SECONDS CONCURRENCY [MESSAGE [REPLY_BYTES]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn
{
    int fd;
    int sent;
    int got;
};

static struct sockaddr_in server;
static const char *message = "ping";
static int reply_bytes = 4;
static int epfd;
static long completed, failed;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void raise_file_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/* Starts a non-blocking connect on c; waits for writability. */
static void start(struct conn *c)
{
    c->sent = 0;
    c->got = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) {
        perror("socket");
        exit(1);
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* An immediate failure (EADDRNOTAVAIL: out of ports) shows as an error
     * event on the socket and is counted there. */
    connect(c->fd, (struct sockaddr *)&server, sizeof server);
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c };
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static void finish(struct conn *c, int ok)
{
    if (ok)
        ++completed;
    else
        ++failed;
    close(c->fd); /* also removes it from the epoll set */
    start(c);
}

static void on_event(struct conn *c, unsigned events)
{
    if (!c->sent && (events & EPOLLOUT)) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0) {
            finish(c, 0);
            return;
        }
        size_t n = strlen(message);
        if (send(c->fd, message, n, MSG_NOSIGNAL) != (ssize_t)n) {
            finish(c, 0);
            return;
        }
        c->sent = 1;
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        char buf[4096];
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            c->got += (int)n;
            if (c->got >= reply_bytes)
                finish(c, 1);
            return;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        finish(c, 0); /* closed or reset before the answer */
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: tcpchurn HOST PORT SECONDS CONCURRENCY [MESSAGE [REPLY_BYTES]]\n");
        return 2;
    }
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
        fprintf(stderr, "tcpchurn: bad address %s\n", argv[1]);
        return 2;
    }
    double seconds = atof(argv[3]);
    int concurrency = atoi(argv[4]);
    if (argc > 5)
        message = argv[5];
    reply_bytes = argc > 6 ? atoi(argv[6]) : (int)strlen(message);
    raise_file_limit();

    epfd = epoll_create1(0);
    struct conn *conns = calloc((size_t)concurrency, sizeof *conns);
    double begin = now();
    for (int i = 0; i < concurrency; ++i)
        start(&conns[i]);
    struct epoll_event events[256];
    double end = begin + seconds;
    while (now() < end) {
        int n = epoll_wait(epfd, events, 256, 50);
        for (int i = 0; i < n; ++i)
            on_event(events[i].data.ptr, events[i].events);
    }
    double elapsed = now() - begin;
    printf("completed %ld failed %ld seconds %.3f rate %.1f\n", completed, failed, elapsed,
        (double)completed / elapsed);
    return 0;
}
