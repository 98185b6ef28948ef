/* Paced UDP sender: sends RATE datagrams a second of SIZE bytes to HOST:PORT
 * for SECONDS, in small bursts every 100 microseconds (sendmmsg), so the
 * receiver sees a steady rate rather than one burst per second. Prints
 *
 *   sent N seconds S rate R
 *
 * R being the rate really reached (this process may not keep up at the
 * highest rates; the bench reports it). What the receiver got is counted by
 * the bench, not here. Loopback only.
 *
 *   udpflood HOST PORT RATE SECONDS [SIZE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT_NS 100000L /* one burst every 100 us */
#define MAX_BURST 1024

static double seconds_of(const struct timespec *ts)
{
    return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static void add_ns(struct timespec *ts, long ns)
{
    ts->tv_nsec += ns;
    while (ts->tv_nsec >= 1000000000L) {
        ts->tv_nsec -= 1000000000L;
        ++ts->tv_sec;
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: udpflood HOST PORT RATE SECONDS [SIZE]\n");
        return 2;
    }
    struct sockaddr_in to = { .sin_family = AF_INET };
    to.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "udpflood: bad address %s\n", argv[1]);
        return 2;
    }
    double rate = atof(argv[3]);
    double seconds = atof(argv[4]);
    size_t size = argc > 5 ? (size_t)atoi(argv[5]) : 64;
    long total = (long)(rate * seconds);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("udpflood");
        return 1;
    }
    char *payloads = calloc(MAX_BURST, size);
    struct mmsghdr msgs[MAX_BURST];
    struct iovec iov[MAX_BURST];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < MAX_BURST; ++i) {
        iov[i].iov_base = payloads + (size_t)i * size;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    struct timespec start, slot, now, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    slot = start;
    long sent = 0;
    while (sent < total) {
        /* What is due by now: a late wake-up is caught up at once. */
        clock_gettime(CLOCK_MONOTONIC, &now);
        long due = (long)(rate * (seconds_of(&now) - seconds_of(&start))) + 1;
        if (due > total)
            due = total;
        while (sent < due) {
            int n = due - sent > MAX_BURST ? MAX_BURST : (int)(due - sent);
            for (int i = 0; i < n; ++i) {
                long sequence = sent + i;
                memcpy(payloads + (size_t)i * size, &sequence,
                    sizeof sequence < size ? sizeof sequence : size);
            }
            int done = sendmmsg(fd, msgs, (unsigned)n, 0);
            if (done < 0) {
                if (errno == ECONNREFUSED || errno == EINTR || errno == ENOBUFS)
                    continue; /* an ICMP from earlier, or a full queue: retry */
                perror("udpflood: sendmmsg");
                return 1;
            }
            sent += done;
        }
        add_ns(&slot, SLOT_NS);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &slot, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double elapsed = seconds_of(&end) - seconds_of(&start);
    printf("sent %ld seconds %.3f rate %.0f\n", sent, elapsed, (double)sent / elapsed);
    return 0;
}
