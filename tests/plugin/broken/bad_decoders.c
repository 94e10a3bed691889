/* Deliberately broken decoders: one that fails, one that returns a kind regpoll does not
 * know, one that returns NULL (not available). */
#include <stdio.h>

#include "regpoll_plugin.h"

static int fails(const uint16_t* r, size_t n, regpoll_value* out, char* text, size_t text_size,
                 char* error, size_t error_size) {
    (void)n, (void)out, (void)text, (void)text_size;
    snprintf(error, error_size, "register holds %u, which means nothing", (unsigned)r[0]);
    return 1;
}
static int odd_kind(const uint16_t* r, size_t n, regpoll_value* out, char* text, size_t text_size,
                    char* error, size_t error_size) {
    (void)r, (void)n, (void)text, (void)text_size, (void)error, (void)error_size;
    out->kind = 42;
    return 0;
}
static int nothing(const uint16_t* r, size_t n, regpoll_value* out, char* text, size_t text_size,
                   char* error, size_t error_size) {
    (void)r, (void)n, (void)text, (void)text_size, (void)error, (void)error_size;
    out->kind = REGPOLL_VALUE_NULL;
    return 0;
}
/* Two registers, high word first, as a signed count: scale and offset then apply. */
static int pair(const uint16_t* r, size_t n, regpoll_value* out, char* text, size_t text_size,
                char* error, size_t error_size) {
    (void)n, (void)text, (void)text_size, (void)error, (void)error_size;
    out->kind = REGPOLL_VALUE_INT;
    out->as.i = (int32_t)(((uint32_t)r[0] << 16) | r[1]);
    return 0;
}

static const regpoll_decoder decoders[] = {
    {"fails_to_decode", 1, "always fails", fails},
    {"odd_kind", 1, "returns kind 42", odd_kind},
    {"nothing", 1, "returns NULL", nothing},
    {"pair", 2, "two registers as int32", pair},
};
static const regpoll_plugin description = {REGPOLL_PLUGIN_ABI_VERSION,
                                           REGPOLL_PLUGIN_DECODER,
                                           "bad_decoders",
                                           "0",
                                           NULL,
                                           decoders,
                                           sizeof decoders / sizeof decoders[0]};

REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
