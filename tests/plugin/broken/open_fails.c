/* Deliberately broken: a sink whose open always fails, with a message. */
#include <stdio.h>

#include "stub_sink.h"

static void* sink_open(const regpoll_open_args* args, char* error, size_t error_size) {
    snprintf(error, error_size, "cannot reach the moon (config %s)", args->config_json);
    return NULL;
}

static const regpoll_sink_ops ops = {sink_open, stub_write, stub_availability, stub_flush,
                                     stub_close};
static const regpoll_plugin description = {
    REGPOLL_PLUGIN_ABI_VERSION, REGPOLL_PLUGIN_SINK, "open_fails", "1.0", &ops, NULL, 0};

REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
