/* Many concurrent TCP clients held by one server: opens CLIENTS connections
 * at once (non-blocking, one epoll), waits until the handshakes are done,
 * then runs ROUNDS echo rounds in which every client sends "ping" and waits
 * for 4 bytes back. A client counts as held when it answered the last round
 * and never saw the server close or reset it. Each phase gives up after
 * TIMEOUT seconds. Prints one JSON object with the counts, the phase times
 * and CLOCK_MONOTONIC milliseconds of the phase boundaries (so the bench can
 * look up the server's event-loop stalls in that window). Loopback only.
 *
 *   tcphold HOST PORT CLIENTS TIMEOUT [ROUNDS]
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

enum state { CONNECTING, OPEN, DEAD };

struct client
{
    int fd;
    enum state state;
    int got; /* bytes of this round's answer */
};

static struct client *clients;
static int count;
static int epfd;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void raise_file_limit(int wanted)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if ((long)limit.rlim_cur < wanted + 16)
        fprintf(stderr, "tcphold: only %ld file descriptors for %d clients\n", (long)limit.rlim_cur,
            wanted);
}

static void kill_client(struct client *c)
{
    if (c->state == DEAD)
        return;
    c->state = DEAD;
    close(c->fd);
}

/* Handles one epoll event; returns 1 when it completed a connect or an answer. */
static int on_event(struct client *c, unsigned events)
{
    if (c->state == CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0 || (events & EPOLLHUP)) {
            kill_client(c);
            return 0;
        }
        c->state = OPEN;
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        return 1;
    }
    if (c->state == OPEN && (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))) {
        char buf[256];
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            int before = c->got;
            c->got += (int)n;
            return before < 4 && c->got >= 4;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        kill_client(c); /* the server closed or reset it */
    }
    return 0;
}

/* Runs the event loop until `wanted` completions or the deadline; returns them. */
static int pump(int wanted, double deadline_ms)
{
    struct epoll_event events[512];
    int done = 0;
    while (done < wanted && now_ms() < deadline_ms) {
        int n = epoll_wait(epfd, events, 512, 20);
        for (int i = 0; i < n; ++i)
            done += on_event(events[i].data.ptr, events[i].events);
    }
    return done;
}

static int connect_all(const struct sockaddr_in *server, double timeout_ms)
{
    for (int i = 0; i < count; ++i) {
        struct client *c = &clients[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c->fd < 0) {
            perror("tcphold: socket");
            c->state = DEAD;
            continue;
        }
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->state = CONNECTING;
        if (connect(c->fd, (const struct sockaddr *)server, sizeof *server) < 0
            && errno != EINPROGRESS) {
            kill_client(c);
            continue;
        }
        struct epoll_event ev = { .events = EPOLLOUT | EPOLLRDHUP, .data.ptr = c };
        epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    }
    int connecting = 0;
    for (int i = 0; i < count; ++i)
        connecting += clients[i].state == CONNECTING;
    pump(connecting, now_ms() + timeout_ms);
    int open = 0;
    for (int i = 0; i < count; ++i) {
        if (clients[i].state == CONNECTING)
            kill_client(&clients[i]); /* never completed */
        open += clients[i].state == OPEN;
    }
    return open;
}

/* Every open client sends "ping"; returns how many got their 4 bytes back. */
static int echo_round(double timeout_ms)
{
    int asked = 0;
    for (int i = 0; i < count; ++i) {
        struct client *c = &clients[i];
        if (c->state != OPEN)
            continue;
        c->got = 0;
        if (send(c->fd, "ping", 4, MSG_NOSIGNAL) != 4) {
            kill_client(c);
            continue;
        }
        ++asked;
    }
    pump(asked, now_ms() + timeout_ms);
    int answered = 0;
    for (int i = 0; i < count; ++i) {
        if (clients[i].state == OPEN && clients[i].got >= 4)
            ++answered;
    }
    return answered;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: tcphold HOST PORT CLIENTS TIMEOUT [ROUNDS]\n");
        return 2;
    }
    struct sockaddr_in server = { .sin_family = AF_INET };
    server.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
        fprintf(stderr, "tcphold: bad address %s\n", argv[1]);
        return 2;
    }
    count = atoi(argv[3]);
    double timeout_ms = atof(argv[4]) * 1e3;
    int rounds = argc > 5 ? atoi(argv[5]) : 3;
    raise_file_limit(count);
    clients = calloc((size_t)count, sizeof *clients);
    epfd = epoll_create1(0);

    double t_connect = now_ms();
    int connected = connect_all(&server, timeout_ms);
    double t_connected = now_ms();
    printf("{\"clients\": %d, \"connected\": %d, \"connect_ms\": %.1f, \"rounds\": [", count,
        connected, t_connected - t_connect);
    double t_echo = now_ms();
    int answered = 0;
    for (int r = 0; r < rounds; ++r) {
        double start = now_ms();
        answered = echo_round(timeout_ms);
        printf("%s{\"answered\": %d, \"ms\": %.1f}", r ? ", " : "", answered, now_ms() - start);
    }
    double t_echoed = now_ms();
    /* Late closes or resets show up here before counting who is held. */
    pump(count, now_ms() + 200);
    int held = 0;
    for (int i = 0; i < count; ++i)
        held += clients[i].state == OPEN && clients[i].got >= 4;
    if (answered < held)
        held = answered;
    printf("], \"held\": %d, \"t_connect\": %.1f, \"t_connected\": %.1f, \"t_echo\": %.1f, "
           "\"t_echoed\": %.1f}\n",
        held, t_connect, t_connected, t_echo, t_echoed);
    fflush(stdout);
    for (int i = 0; i < count; ++i)
        kill_client(&clients[i]);
    return 0;
}
