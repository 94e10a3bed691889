/* Sink operations that do nothing, for the broken test plugins (each defines only the
 * operation it breaks). */
#ifndef REGPOLL_TEST_STUB_SINK_H
#define REGPOLL_TEST_STUB_SINK_H

#include "regpoll_plugin.h"

static int stub_write(void* h, const regpoll_sample* s, size_t n, char* error, size_t error_size) {
    (void)h, (void)s, (void)n, (void)error, (void)error_size;
    return 0;
}
static int stub_availability(void* h, int64_t ts, const char* d, int online, char* error,
                             size_t error_size) {
    (void)h, (void)ts, (void)d, (void)online, (void)error, (void)error_size;
    return 0;
}
static int stub_flush(void* h, char* error, size_t error_size) {
    (void)h, (void)error, (void)error_size;
    return 0;
}
static void stub_close(void* h) {
    (void)h;
}

#endif
