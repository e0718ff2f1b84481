/* Stand-in display breakouts: the module a display driver describes, read from what it sends. */
#include "vpanel_internal.h"

#include <string.h>

/* Commands only one family of controllers has, which their drivers send while powering up. */
static const uint8_t ssd1306_commands[] = {
    0xAE, /* display off */
    0xAF, /* display on */
    0x8D, /* charge pump */
    0xA8, /* multiplex ratio (DCS has no 0xA8) */
    0xD5, /* clock divide */
    0xD9, /* pre-charge period */
    0xDA, /* COM pins configuration */
    0xDB, /* VCOMH deselect level */
};
static const uint8_t ili9341_commands[] = {
    0xCF, /* power control B */
    0xED, /* power on sequence control */
    0xE8, /* driver timing control A */
    0xEA, /* driver timing control B */
    0xCB, /* power control A */
    0xF7, /* pump ratio control */
    0xEF, /* undocumented, in every ILI9341 vendor sequence */
};
static const uint8_t st7789_commands[] = {
    0xB2, /* PORCTRL: porch setting */
    0xB7, /* GCTRL: gate control */
    0xBB, /* VCOMS */
    0xC2, /* VDVVRHEN */
    0xC3, /* VRHS */
    0xC4, /* VDVS */
    0xC6, /* FRCTRL2 */
    0xD0, /* PWCTRL1 */
};

static bool any_seen(const bool seen[256], const uint8_t *cmds, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (seen[cmds[i]]) {
            return true;
        }
    }
    return false;
}

c9_err_t c9_host_breakout_describe(const c9_port_panel_desc_t *desc, bool on_i2c, c9_vpanel_config_t *out) {
    if (!desc || !out || desc->width == 0 || desc->height == 0 || desc->rotation % 90 != 0 || desc->colstart < 0 ||
        desc->rowstart < 0) {
        return C9_ERR_INVAL;
    }
    bool seen[256] = {false};
    int madctl = -1, com_pins = -1;
    size_t pos = 0;
    c9_initseq_cmd_t cmd;
    c9_err_t err;
    while ((err = c9_initseq_next(desc->init_sequence, desc->init_sequence_len, &pos, &cmd)) == C9_OK) {
        seen[cmd.cmd] = true;
        if (cmd.cmd == 0x36 && cmd.param_count >= 1) {
            madctl = cmd.params[0];
        }
        if (cmd.cmd == 0xDA && cmd.param_count >= 1) {
            com_pins = cmd.params[0];
        }
    }
    if (err != C9_ERR_NOENT) {
        return C9_ERR_INVAL;
    }
    bool ssd = on_i2c || any_seen(seen, ssd1306_commands, sizeof ssd1306_commands) ||
               (desc->color_depth == 1 && desc->data_as_commands);
    const char *controller = ssd                                                                     ? "SSD1306"
                             : any_seen(seen, ili9341_commands, sizeof ili9341_commands)             ? "ILI9341"
                             : any_seen(seen, st7789_commands, sizeof st7789_commands) || seen[0x21] ? "ST7789"
                                                                                                     : "ILI9341";
    c9_vpanel_config_defaults(out, controller);
    bool swap = desc->rotation % 180 != 0;
    out->glass_width = swap ? desc->height : desc->width;
    out->glass_height = swap ? desc->width : desc->height;
    out->glass_x = (uint16_t)desc->colstart;
    out->glass_y = (uint16_t)desc->rowstart;
    out->mount_rotation = desc->rotation % 360;
    if (ssd) {
        /* The SSD1306 model places rows by its COM wiring, not by rowstart (a 32-row glass under
         * a 64-row multiplex shows the frame memory's lower half, as 64x32 modules do). */
        out->glass_y = 0;
        out->com_pins = com_pins >= 0 ? (uint8_t)com_pins : 0;
    } else {
        out->glass_madctl = madctl >= 0 ? (uint8_t)(madctl & 0xE0) : 0;
    }
    return C9_OK;
}
