/* Deliberately broken: a shared object without regpoll_plugin_describe. */
#include "regpoll_plugin.h"

REGPOLL_PLUGIN_EXPORT int regpoll_plugin_describe_me(void);
REGPOLL_PLUGIN_EXPORT int regpoll_plugin_describe_me(void) {
    return REGPOLL_PLUGIN_ABI_VERSION;
}
