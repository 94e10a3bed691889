/*
 * A sink for tests of the queue in front of sink plugins. Its config (flat JSON, read
 * crudely: this is a test plugin) may give:
 *   "gate": path      write() blocks until this file exists (checked every 5 ms)
 *   "max_block_ms": n  ... but at most n ms per call
 *   "entered": path   created when write() is first entered
 *   "record": path    every written sample's point name is appended, one per line, and
 *                     availability changes as "@<device> online|offline"
 *   "sleep_ms": n     every write() sleeps n ms
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "regpoll_plugin.h"

typedef struct {
    char gate[512];
    char entered[512];
    char record[512];
    long sleep_ms;
    long max_block_ms;
} slow_sink;

static void text_of(const char* json, const char* key, char* out, size_t size) {
    char pattern[64];
    const char* p;
    size_t n = 0;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    out[0] = '\0';
    p = strstr(json, pattern);
    if (!p) return;
    p += strlen(pattern);
    while (p[n] && p[n] != '"' && n + 1 < size) ++n;
    memcpy(out, p, n);
    out[n] = '\0';
}

static long number_of(const char* json, const char* key) {
    char pattern[64];
    const char* p;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    p = strstr(json, pattern);
    return p ? strtol(p + strlen(pattern), NULL, 10) : 0;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static void* sink_open(const regpoll_open_args* args, char* error, size_t error_size) {
    slow_sink* s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    text_of(args->config_json, "gate", s->gate, sizeof s->gate);
    text_of(args->config_json, "entered", s->entered, sizeof s->entered);
    text_of(args->config_json, "record", s->record, sizeof s->record);
    s->sleep_ms = number_of(args->config_json, "sleep_ms");
    s->max_block_ms = number_of(args->config_json, "max_block_ms");
    return s;
}

static int sink_write(void* h, const regpoll_sample* samples, size_t n, char* error,
                      size_t error_size) {
    slow_sink* s = h;
    size_t i;
    long waited = 0;
    (void)error, (void)error_size;
    if (s->entered[0]) {
        FILE* f = fopen(s->entered, "w");
        if (f) fclose(f);
    }
    while (s->gate[0] && access(s->gate, F_OK) != 0 &&
           (s->max_block_ms == 0 || waited < s->max_block_ms)) {
        sleep_ms(5);
        waited += 5;
    }
    if (s->sleep_ms > 0) sleep_ms(s->sleep_ms);
    if (s->record[0]) {
        FILE* f = fopen(s->record, "a");
        if (f) {
            for (i = 0; i < n; ++i) fprintf(f, "%s\n", samples[i].point);
            fclose(f);
        }
    }
    return 0;
}

static int sink_availability(void* h, int64_t ts, const char* device, int online, char* error,
                             size_t error_size) {
    slow_sink* s = h;
    (void)ts, (void)error, (void)error_size;
    if (s->record[0]) {
        FILE* f = fopen(s->record, "a");
        if (f) {
            fprintf(f, "@%s %s\n", device, online ? "online" : "offline");
            fclose(f);
        }
    }
    return 0;
}
static int sink_flush(void* h, char* error, size_t error_size) {
    (void)h, (void)error, (void)error_size;
    return 0;
}
static void sink_close(void* h) {
    free(h);
}

static const regpoll_sink_ops ops = {sink_open, sink_write, sink_availability, sink_flush,
                                     sink_close};
static const regpoll_plugin description = {
    REGPOLL_PLUGIN_ABI_VERSION, REGPOLL_PLUGIN_SINK, "slow_sink", "1.0", &ops, NULL, 0};

REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
