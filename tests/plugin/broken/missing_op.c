/* Deliberately broken: a sink without a flush operation. */
#include "stub_sink.h"

static void* sink_open(const regpoll_open_args* args, char* error, size_t error_size) {
    (void)args, (void)error, (void)error_size;
    (void)stub_flush;
    return NULL;
}

static const regpoll_sink_ops ops = {sink_open, stub_write, stub_availability, NULL, stub_close};
static const regpoll_plugin description = {
    REGPOLL_PLUGIN_ABI_VERSION, REGPOLL_PLUGIN_SINK, "missing_op", "0", &ops, NULL, 0};

REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
