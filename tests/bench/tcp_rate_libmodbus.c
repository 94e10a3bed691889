/*
 * The peer for tcp_rate_regpoll: the same sequential FC3 reads with libmodbus, one request
 * outstanding at a time on one connection, for a fixed time. Values are checked against
 * fast_server's map (register a = a * 7 & 0xFFFF), so both clients do the same work.
 *
 * usage: tcp_rate_libmodbus --port N [--seconds S] [--registers Q] [--warmup N]
 * Prints one line:
 *   RESULT client=libmodbus mode=sequential in_flight=1 requests=N seconds=T rate=R
 *          cpu_us_per_request=C errors=E
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <modbus.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The address of the n-th read: the same walk in both clients (200 addresses). */
static int address_for(unsigned long long n) {
    return (int)((n % 200) * 50);
}

static int read_and_check(modbus_t* ctx, unsigned long long n, int registers, uint16_t* regs) {
    const int address = address_for(n);
    if (modbus_read_registers(ctx, address, registers, regs) != registers) return -1;
    for (int i = 0; i < registers; ++i) {
        if (regs[i] != (uint16_t)(((unsigned)(address + i) * 7) & 0xFFFF)) return -1;
    }
    return 0;
}

int main(int argc, char** argv) {
    int port = 0;
    double seconds = 5;
    int registers = 50;
    long warmup = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--registers") == 0)
            registers = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--warmup") == 0)
            warmup = atol(argv[i + 1]);
        else
            port = -1;
    }
    if (argc % 2 == 0 || port <= 0 || port > 65535 || seconds <= 0 || registers < 1 ||
        registers > MODBUS_MAX_READ_REGISTERS || warmup < 0) {
        fprintf(stderr, "usage: %s --port N [--seconds S] [--registers Q] [--warmup N]\n", argv[0]);
        return 2;
    }

    modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
    if (ctx == NULL || modbus_set_slave(ctx, 1) < 0 || modbus_connect(ctx) < 0) {
        fprintf(stderr, "tcp_rate_libmodbus: cannot connect to 127.0.0.1:%d: %s\n", port,
                modbus_strerror(errno));
        if (ctx) modbus_free(ctx);
        return 1;
    }
    modbus_set_response_timeout(ctx, 1, 0);

    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
    unsigned long long n = 0;
    unsigned long long errors = 0;
    for (; n < (unsigned long long)warmup; ++n) {
        if (read_and_check(ctx, n, registers, regs) < 0) ++errors;
    }
    if (warmup > 0 && errors == (unsigned long long)warmup) {
        fprintf(stderr, "tcp_rate_libmodbus: every warm-up read failed: %s\n",
                modbus_strerror(errno));
        modbus_close(ctx);
        modbus_free(ctx);
        return 1;
    }
    errors = 0;

    const double cpu_start = cpu_seconds();
    const double start = now_seconds();
    const double deadline = start + seconds;
    unsigned long long done = 0;
    double now = start;
    while (now < deadline) {
        if (read_and_check(ctx, n++, registers, regs) < 0) ++errors;
        ++done;
        now = now_seconds();
    }
    const double elapsed = now - start;
    const double cpu = cpu_seconds() - cpu_start;

    modbus_close(ctx);
    modbus_free(ctx);
    printf(
        "RESULT client=libmodbus mode=sequential in_flight=1 requests=%llu seconds=%.3f "
        "rate=%.0f cpu_us_per_request=%.2f errors=%llu\n",
        done, elapsed, (double)done / elapsed, done ? cpu * 1e6 / (double)done : 0.0, errors);
    return errors == 0 ? 0 : 1;
}
