/* Deliberately broken: built for an ABI version regpoll does not speak. */
#include "regpoll_plugin.h"

static const regpoll_plugin description = {99, REGPOLL_PLUGIN_DECODER, "wrong_abi", "0", NULL, NULL,
                                           0};

REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
