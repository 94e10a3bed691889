/*
 * regpoll decoder plugin: Growatt inverter fault and warning codes as text. A template for
 * decoder plugins in plain C99: it uses nothing of regpoll but regpoll_plugin.h.
 *
 * Point types (one input register each):
 *   growatt_fault    the fault code  -> "no fault", "Error 104", "PV Isolation Low", ...
 *   growatt_warning  the warning bit field -> "no warning", "Fan warning, SPD abnormal", ...
 *
 * The codes are those of Growatt's "PV Inverter Modbus RS485 RTU Protocol" v3.14/v3.15
 * (input register 40: fault code; input register 64: warning bits), the protocol of the
 * TL inverters in devices/growatt/tl-v3.json:
 *   - fault 1..23 is shown by the inverter as "Error: <code + 99>"; 24..32 have names;
 *   - warning bits 0, 1, 2, 4, 6, 7, 8, 9 have names; other bits are reported by number.
 * Checked against three independent readers of that register: Growatt's ShinePhone app
 * sources (the fault and warning tables), the ESPHome "growatt MTL" component (fault names)
 * and a pymodbus logger script ("errcodes 1-23 are Error: code+99"). Codes of the newer
 * protocol (v1.24, MIN TL-X register 105) are numbered differently and are not covered.
 *
 * In a site configuration:
 *   "plugins": [ { "path": "growatt_status" } ],
 *   "devices": [ { "name": "inverter", "bus": "roof", "profile": "growatt/tl-v3",
 *                  "points": [ { "name": "fault_code", "register": "input", "address": 40,
 *                                "type": "growatt_fault" },
 *                              { "name": "warning_code", "register": "input", "address": 64,
 *                                "type": "growatt_warning" } ] } ]
 */
#include <stdio.h>
#include <string.h>

#include "regpoll_plugin.h"

static const char* const fault_names[] = {
    "Auto Test Failed", /* 24 */
    "No AC Connection", /* 25 */
    "PV Isolation Low", /* 26 */
    "Residual I High",  /* 27 */
    "Output High DCI",  /* 28 */
    "PV Voltage High",  /* 29 */
    "AC V Outrange",    /* 30 */
    "AC F Outrange",    /* 31 */
    "Module Hot",       /* 32 */
};

static const char* const warning_names[16] = {
    "Fan warning",                    /* bit 0 */
    "String communication abnormal",  /* bit 1 */
    "StrPID config warning",          /* bit 2 */
    NULL,                             /* bit 3 */
    "DSP and COM firmware unmatch",   /* bit 4 */
    NULL,                             /* bit 5 */
    "SPD abnormal",                   /* bit 6 */
    "GND and N connect abnormal",     /* bit 7 */
    "PV1 or PV2 circuit short",       /* bit 8 */
    "PV1 or PV2 boost driver broken", /* bit 9 */
};

/* A text result: points into `text`, which regpoll copies before the next call. */
static void set_text(regpoll_value* out, char* text, size_t text_size, size_t length) {
    out->kind = REGPOLL_VALUE_STRING;
    out->as.string.data = text;
    out->as.string.size = length < text_size ? length : text_size - 1;
}

static int decode_fault(const uint16_t* registers, size_t count, regpoll_value* out, char* text,
                        size_t text_size, char* error, size_t error_size) {
    int n;
    unsigned code;
    if (count != 1) {
        snprintf(error, error_size, "expected 1 register, got %u", (unsigned)count);
        return 1;
    }
    code = registers[0];
    if (code == 0) {
        n = snprintf(text, text_size, "no fault");
    } else if (code <= 23) {
        n = snprintf(text, text_size, "Error %u", code + 99);
    } else if (code <= 32) {
        n = snprintf(text, text_size, "%s", fault_names[code - 24]);
    } else {
        n = snprintf(text, text_size, "fault code %u", code);
    }
    set_text(out, text, text_size, n < 0 ? 0 : (size_t)n);
    return 0;
}

static int decode_warning(const uint16_t* registers, size_t count, regpoll_value* out, char* text,
                          size_t text_size, char* error, size_t error_size) {
    size_t used = 0;
    unsigned bit;
    if (count != 1) {
        snprintf(error, error_size, "expected 1 register, got %u", (unsigned)count);
        return 1;
    }
    if (registers[0] == 0) {
        used = (size_t)snprintf(text, text_size, "no warning");
    }
    for (bit = 0; bit < 16 && used < text_size; ++bit) {
        int n;
        if (!(registers[0] & (1u << bit))) continue;
        if (warning_names[bit]) {
            n = snprintf(text + used, text_size - used, "%s%s", used ? ", " : "",
                         warning_names[bit]);
        } else {
            n = snprintf(text + used, text_size - used, "%swarning bit %u", used ? ", " : "", bit);
        }
        if (n < 0) break;
        used += (size_t)n;
    }
    set_text(out, text, text_size, used);
    return 0;
}

static const regpoll_decoder decoders[] = {
    {"growatt_fault", 1, "Growatt fault code (protocol v3.15 input register 40) as text",
     decode_fault},
    {"growatt_warning", 1, "Growatt warning bits (protocol v3.15 input register 64) as text",
     decode_warning},
};

static const regpoll_plugin description = {
    REGPOLL_PLUGIN_ABI_VERSION,
    REGPOLL_PLUGIN_DECODER,
    "growatt_status",
    "1.0",
    NULL,
    decoders,
    sizeof decoders / sizeof decoders[0],
};

REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
