/*
 * regpoll plugin ABI: the one header a plugin needs. Plain C99, so plugins can be written in
 * C, C++, Rust (bindgen or hand-written #[repr(C)] structs) or Zig (@cImport).
 *
 * A plugin is a shared object (built as a module: `add_library(x MODULE ...)`, or
 * `gcc -shared -fPIC`) that exports one function:
 *
 *     const regpoll_plugin *regpoll_plugin_describe(void);
 *
 * It returns a pointer to a constant description that lives as long as the plugin is loaded:
 * the ABI version it was built for, its name, and what it provides:
 *   - a sink: receives every sample (device, point, value, unit, quality, timestamp) and the
 *     devices' availability, in batches, on a thread of its own;
 *   - decoders: named point types (`"type": "growatt_fault"` in a profile or site
 *     configuration) that turn a point's raw registers into a value.
 * A plugin may provide both.
 *
 * Loading (see README, "Plugins"): the site configuration lists plugins as
 *     "plugins": [ { "path": "influxdb", "config": { ... } } ]
 * regpoll loads each with dlopen() before it reads the devices (so decoder types are known),
 * checks abi_version first and refuses the plugin with a clear error when it differs, then
 * checks the rest of the description. A sink is opened with its "config" when `regpoll run`
 * starts; a failing open stops the start with the plugin's message.
 *
 * Compatibility rules:
 *   - abi_version is the first member of regpoll_plugin and stays there in every version.
 *   - REGPOLL_PLUGIN_ABI_VERSION changes whenever a struct or a signature here changes in a
 *     way an already built plugin would misread. regpoll only loads plugins built for its
 *     own version.
 *
 * Strings are UTF-8 (device text may contain any byte; see regpoll_value). Every pointer
 * regpoll passes in is valid only during the call; copy what you keep.
 */
#ifndef REGPOLL_PLUGIN_H
#define REGPOLL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REGPOLL_PLUGIN_ABI_VERSION 1

/* The exported entry point, by name, for dlsym(). */
#define REGPOLL_PLUGIN_ENTRY "regpoll_plugin_describe"

#if defined(__GNUC__)
#define REGPOLL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define REGPOLL_PLUGIN_EXPORT
#endif

/* ---- values ---------------------------------------------------------------------------- */

typedef enum regpoll_value_kind {
    REGPOLL_VALUE_NULL = 0,   /* not available: the device reported its "n/a" sentinel */
    REGPOLL_VALUE_BOOL = 1,   /* as.boolean: 0 or 1 */
    REGPOLL_VALUE_INT = 2,    /* as.i: integer types without scale or offset */
    REGPOLL_VALUE_UINT = 3,   /* as.u: uint64 values (other unsigned types fit in INT) */
    REGPOLL_VALUE_DOUBLE = 4, /* as.d: floats and scaled values; may be NaN or infinite */
    REGPOLL_VALUE_STRING = 5  /* as.string: text (maps, strings, decoder output) */
} regpoll_value_kind;

typedef struct regpoll_string {
    const char* data; /* not necessarily NUL-terminated; may contain any byte */
    size_t size;      /* bytes */
} regpoll_string;

/* A decoded point value. `kind` is one of regpoll_value_kind (kept as uint32_t so its size
 * does not depend on the compiler's enum size). */
typedef struct regpoll_value {
    uint32_t kind;
    union {
        int32_t boolean;
        int64_t i;
        uint64_t u;
        double d;
        regpoll_string string;
    } as;
} regpoll_value;

typedef enum regpoll_quality {
    REGPOLL_QUALITY_GOOD = 0,
    REGPOLL_QUALITY_UNAVAILABLE = 1 /* the device said "not available": value is NULL */
} regpoll_quality;

/* One value of one point at one time. */
typedef struct regpoll_sample {
    int64_t ts_ms;      /* Unix milliseconds (UTC), when the device's answer arrived */
    const char* device; /* NUL-terminated: letters, digits, '_' and '-' */
    const char* point;  /* NUL-terminated: [a-z0-9_]+ */
    const char* unit;   /* NUL-terminated; "" when the point has no unit */
    uint32_t quality;   /* regpoll_quality */
    regpoll_value value;
} regpoll_sample;

/* ---- sinks ----------------------------------------------------------------------------- */

typedef enum regpoll_log_level {
    REGPOLL_LOG_DEBUG = 0,
    REGPOLL_LOG_INFO = 1,
    REGPOLL_LOG_WARN = 2,
    REGPOLL_LOG_ERROR = 3
} regpoll_log_level;

/* What open() gets. regpoll sets struct_size to the size it was built with; later ABI
 * versions only append members. */
typedef struct regpoll_open_args {
    uint32_t struct_size;
    const char* config_json; /* the entry's "config" as compact JSON text ("{}" if absent) */
    const char* config_dir;  /* folder of the site configuration: resolve relative paths here */
    const char* instance;    /* where it is configured ("site.json: /plugins/1"), for messages */
    /* Writes one line to regpoll's log, prefixed with the plugin's name. Thread-safe; may be
     * called from any of the sink's functions, and from threads the plugin starts, until
     * close() returns. */
    void (*log)(void* log_context, int level, const char* message);
    void* log_context;
} regpoll_open_args;

/*
 * A sink's operations. Threading: open() is called on regpoll's main thread before polling
 * starts; every other call for a handle comes from one thread of its own (never the poll
 * loop), one call at a time, so a sink needs no locking of its own unless it starts threads.
 * A slow sink delays only itself: samples wait in a bounded queue in front of it, and what
 * the bound forces out is counted and logged by regpoll.
 *
 * Functions that can fail return 0 on success and non-zero on failure, with a NUL-terminated
 * message of at most error_size bytes (including the NUL) in `error`. A failed write() or
 * availability() is logged and counted; the batch is not offered again (a sink that must not
 * lose data keeps its own retry buffer, as the InfluxDB example does for TCP).
 */
typedef struct regpoll_sink_ops {
    /* Returns the sink's handle (any non-NULL pointer), or NULL with a message in `error`
     * (bad configuration, a file that cannot be opened...). regpoll then refuses to start. */
    void* (*open)(const regpoll_open_args* args, char* error, size_t error_size);
    /* A batch of samples, in the order they were polled. */
    int (*write)(void* handle, const regpoll_sample* samples, size_t count, char* error,
                 size_t error_size);
    /* A device went online (1) or offline (0) at ts_ms. */
    int (*availability)(void* handle, int64_t ts_ms, const char* device, int online, char* error,
                        size_t error_size);
    /* Hand everything written so far on (to the file, the socket...). Called every
     * flush_interval and before close(). */
    int (*flush)(void* handle, char* error, size_t error_size);
    /* Releases the handle. Called once, after the last flush; never fails. */
    void (*close)(void* handle);
} regpoll_sink_ops;

/* ---- decoders -------------------------------------------------------------------------- */

/*
 * A point type: `registers` 16-bit registers in, one value out. Registers arrive as the
 * device sent them (register[0] is the lowest address; each is the big-endian word from the
 * wire, so the high byte is the first byte received). regpoll applies the point's `scale`,
 * `offset`, `map` and `precision` to the value afterwards, as it does for built-in types.
 *
 * decode() is called on the poll loop: it must be quick, must not block, and must not keep
 * state between calls (it may be called for several points and devices in any order). A
 * STRING result may point into `text` (text_size bytes of scratch space) or to static
 * storage; regpoll copies it before the next call. Returns 0, or non-zero with a message in
 * `error` (the sample is then dropped and the message logged with the point's name).
 */
typedef struct regpoll_decoder {
    /* The name used as a point's "type": [a-z][a-z0-9_]*, and not a built-in type. */
    const char* type;
    uint32_t registers;      /* registers one value occupies, 1..123 */
    const char* description; /* one line for `regpoll validate` and error messages */
    int (*decode)(const uint16_t* registers, size_t count, regpoll_value* out, char* text,
                  size_t text_size, char* error, size_t error_size);
} regpoll_decoder;

/* ---- the description ------------------------------------------------------------------- */

#define REGPOLL_PLUGIN_SINK 1u    /* provides a sink: `sink` is set */
#define REGPOLL_PLUGIN_DECODER 2u /* provides decoders: `decoders` and `decoder_count` are set */

typedef struct regpoll_plugin {
    uint32_t abi_version; /* REGPOLL_PLUGIN_ABI_VERSION the plugin was built with; always first */
    uint32_t kinds;       /* REGPOLL_PLUGIN_SINK | REGPOLL_PLUGIN_DECODER */
    const char* name;     /* short name for logs and messages: [a-z0-9_-]+ */
    const char* version;  /* the plugin's own version, free text */
    const regpoll_sink_ops* sink;    /* NULL unless kinds has REGPOLL_PLUGIN_SINK */
    const regpoll_decoder* decoders; /* NULL unless kinds has REGPOLL_PLUGIN_DECODER */
    size_t decoder_count;
} regpoll_plugin;

/* The entry point every plugin defines and exports. */
REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void);

#ifdef __cplusplus
}
#endif

#endif /* REGPOLL_PLUGIN_H */
