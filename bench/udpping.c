/* UDP ping-pong: sends one datagram ("ping" and a sequence number) to an
 * echo or fixed-reply server, waits for any answer (up to TIMEOUT_MS), and
 * repeats COUNT times, one at a time. Prints the round-trip percentiles in
 * milliseconds and how many went unanswered:
 *
 *   count N lost L p50 X p99 Y
 *
 * The first 50 exchanges warm up both sides and are not counted. Stale
 * answers (to an exchange that already timed out) are drained before each
 * send. Gives up after 20 unanswered exchanges in a row from the start.
 * Loopback only.
 *
 *   udpping HOST PORT COUNT [TIMEOUT_MS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 50

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void drain(int fd)
{
    char buf[2048];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) { }
}

/* One exchange; returns the round trip in ms, or -1 when nothing came back. */
static double exchange(int fd, long sequence, int timeout_ms)
{
    char message[32];
    int length = snprintf(message, sizeof message, "ping %ld", sequence);
    drain(fd);
    double start = now_ms();
    if (send(fd, message, (size_t)length, 0) < 0)
        return -1;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char buf[2048];
    while (poll(&p, 1, timeout_ms) > 0) {
        if (recv(fd, buf, sizeof buf, 0) >= 0)
            return now_ms() - start;
        /* ECONNREFUSED from an ICMP: keep waiting until the timeout */
        if (now_ms() - start > timeout_ms)
            break;
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: udpping HOST PORT COUNT [TIMEOUT_MS]\n");
        return 2;
    }
    struct sockaddr_in to = { .sin_family = AF_INET };
    to.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "udpping: bad address %s\n", argv[1]);
        return 2;
    }
    int count = atoi(argv[3]);
    int timeout_ms = argc > 4 ? atoi(argv[4]) : 500;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("udpping");
        return 1;
    }
    double *rtts = calloc((size_t)count, sizeof *rtts);
    int answered = 0, lost = 0;
    for (long i = 0; i < count + WARMUP; ++i) {
        double rtt = exchange(fd, i, timeout_ms);
        if (i < WARMUP)
            continue;
        if (rtt < 0)
            ++lost;
        else
            rtts[answered++] = rtt;
        if (lost >= 20 && answered == 0)
            break; /* nobody answers: say so now, not after COUNT timeouts */
    }
    qsort(rtts, (size_t)answered, sizeof *rtts, by_value);
    double p50 = answered ? rtts[answered / 2] : -1;
    double p99 = answered ? rtts[(int)((answered - 1) * 0.99)] : -1;
    printf("count %d lost %d p50 %.4f p99 %.4f\n", count, lost, p50, p99);
    return 0;
}
