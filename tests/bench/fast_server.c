/*
 * A minimal, fast Modbus TCP server for the request-rate benchmark: one thread, epoll,
 * any number of connections, pipelined requests answered in order, 127.0.0.1 only.
 *
 *   FC3 / FC4 (holding / input registers): register a = (a * 7) & 0xFFFF
 *   quantity outside 1..125: exception 03; address + quantity past 65536: exception 02
 *   any other function: exception 01
 *   protocol id not 0 or an impossible MBAP length: the connection is closed
 *
 * usage: fast_server [--port N] [--seconds N]
 *   --port 0 (default) takes a free port; either way "READY <port>" goes to stdout once
 *   the socket listens. --seconds bounds the run (0: until SIGINT/SIGTERM). At exit one
 *   line "fast_server: requests=N connections=M" goes to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    mbap_header = 7,
    max_adu = 260, /* 7-byte header + 253-byte PDU */
    in_capacity = 16384,
    out_capacity = 65536,
    max_events = 64,
};

struct conn {
    int fd;
    int watching_output;
    size_t in_len;
    size_t out_len;
    size_t out_sent;
    uint8_t in[in_capacity];
    uint8_t out[out_capacity];
};

static volatile sig_atomic_t stop_requested;
static unsigned long long requests_answered;
static unsigned long long connections_accepted;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_u16(uint8_t* p, unsigned v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)(v & 0xFF);
}

static unsigned get_u16(const uint8_t* p) {
    return ((unsigned)p[0] << 8) | p[1];
}

/* Writes the response PDU for `pdu` at `out`; returns its length. */
static size_t answer_pdu(const uint8_t* pdu, size_t pdu_len, uint8_t* out) {
    const uint8_t fc = pdu[0];
    if (fc != 3 && fc != 4) {
        out[0] = (uint8_t)(fc | 0x80);
        out[1] = 0x01;
        return 2;
    }
    if (pdu_len != 5) {
        out[0] = (uint8_t)(fc | 0x80);
        out[1] = 0x03;
        return 2;
    }
    const unsigned address = get_u16(pdu + 1);
    const unsigned quantity = get_u16(pdu + 3);
    if (quantity < 1 || quantity > 125 || address + quantity > 65536) {
        out[0] = (uint8_t)(fc | 0x80);
        out[1] = (quantity < 1 || quantity > 125) ? 0x03 : 0x02;
        return 2;
    }
    out[0] = fc;
    out[1] = (uint8_t)(quantity * 2);
    for (unsigned i = 0; i < quantity; ++i) put_u16(out + 2 + 2 * i, ((address + i) * 7) & 0xFFFF);
    return 2 + 2 * (size_t)quantity;
}

/* Answers every complete request in the input buffer while the output has room.
 * Returns 1 when it stopped for lack of output room with requests left, 0 when it answered
 * all complete requests, -1 when the stream is not Modbus TCP (the caller closes). */
static int process_input(struct conn* c) {
    int out_full = 0;
    size_t offset = 0;
    while (c->in_len - offset >= mbap_header) {
        if (c->out_len + max_adu > out_capacity) {
            out_full = 1;
            break;
        }
        const uint8_t* req = c->in + offset;
        const unsigned protocol = get_u16(req + 2);
        const unsigned length = get_u16(req + 4);
        if (protocol != 0 || length < 2 || length > 254) return -1;
        if (c->in_len - offset < 6 + (size_t)length) break;
        uint8_t* rsp = c->out + c->out_len;
        const size_t pdu_len = answer_pdu(req + mbap_header, length - 1, rsp + mbap_header);
        memcpy(rsp, req, 2); /* transaction id */
        put_u16(rsp + 2, 0);
        put_u16(rsp + 4, (unsigned)(pdu_len + 1));
        rsp[6] = req[6]; /* unit id, echoed */
        c->out_len += mbap_header + pdu_len;
        offset += 6 + (size_t)length;
        ++requests_answered;
    }
    if (offset > 0) {
        memmove(c->in, c->in + offset, c->in_len - offset);
        c->in_len -= offset;
    }
    return out_full;
}

/* Sends what is pending; 1 when everything went out, 0 when the socket is full, -1 on error. */
static int flush_output(struct conn* c) {
    while (c->out_sent < c->out_len) {
        const ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        c->out_sent += (size_t)n;
    }
    c->out_len = 0;
    c->out_sent = 0;
    return 1;
}

/* Level-triggered: wait for input while nothing is pending, else for room to write.
 * Changes the registration only when the wait changes (one syscall saved per request). */
static void watch(int epfd, struct conn* c, int want_output) {
    if (c->watching_output == want_output) return;
    struct epoll_event ev = {.events = want_output ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->watching_output = want_output;
}

static void close_conn(int epfd, struct conn* c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Reads, answers, writes; returns -1 when the connection is finished. */
static int serve(int epfd, struct conn* c, uint32_t events) {
    if (events & (EPOLLERR | EPOLLHUP)) return -1;
    if (c->out_len > 0) { /* waiting for room: drain, then answer what is already buffered */
        const int flushed = flush_output(c);
        if (flushed <= 0) return flushed;
    } else {
        const ssize_t n = recv(c->fd, c->in + c->in_len, in_capacity - c->in_len, 0);
        if (n == 0) return -1;
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        c->in_len += (size_t)n;
    }
    for (;;) {
        const int more = process_input(c);
        if (more < 0) return -1;
        const int flushed = flush_output(c);
        if (flushed < 0) return -1;
        if (flushed == 0) {
            watch(epfd, c, 1);
            return 0;
        }
        if (!more) break; /* else: room again, answer the requests still buffered */
    }
    watch(epfd, c, 0);
    return 0;
}

static void accept_all(int epfd, int listener) {
    for (;;) {
        const int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN: accepted everything waiting */
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn* c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            free(c);
            continue;
        }
        ++connections_accepted;
    }
}

static int open_listener(unsigned port, unsigned* bound_port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(fd, 128) < 0 ||
        getsockname(fd, (struct sockaddr*)&addr, &len) < 0) {
        close(fd);
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}

static int parse_args(int argc, char** argv, unsigned* port, double* seconds) {
    if (argc % 2 == 0) return -1; /* options come in pairs */
    for (int i = 1; i + 1 < argc; i += 2) {
        char* end = NULL;
        const unsigned long v = strtoul(argv[i + 1], &end, 10);
        if (*end != '\0') return -1;
        if (strcmp(argv[i], "--port") == 0 && v <= 65535) {
            *port = (unsigned)v;
        } else if (strcmp(argv[i], "--seconds") == 0) {
            *seconds = (double)v;
        } else {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    unsigned port = 0;
    double seconds = 0;
    if (parse_args(argc, argv, &port, &seconds) < 0) {
        fprintf(stderr, "usage: %s [--port N] [--seconds N]\n", argv[0]);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    unsigned bound = 0;
    const int listener = open_listener(port, &bound);
    if (listener < 0) {
        fprintf(stderr, "fast_server: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
        return 1;
    }
    const int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev);
    printf("READY %u\n", bound);
    fflush(stdout);

    const double deadline = seconds > 0 ? now_seconds() + seconds : 0;
    struct epoll_event events[max_events];
    while (!stop_requested) {
        int wait_ms = -1;
        if (deadline > 0) {
            const double left = deadline - now_seconds();
            if (left <= 0) break;
            wait_ms = (int)(left * 1000) + 1;
        }
        const int n = epoll_wait(epfd, events, max_events, wait_ms);
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < n; ++i) {
            struct conn* c = events[i].data.ptr;
            if (c == NULL) {
                accept_all(epfd, listener);
            } else if (serve(epfd, c, events[i].events) < 0) {
                close_conn(epfd, c);
            }
        }
    }
    /* Connections still open are closed by the exit. */
    fprintf(stderr, "fast_server: requests=%llu connections=%llu\n", requests_answered,
            connections_accepted);
    close(listener);
    close(epfd);
    return 0;
}
