/*
 * circuit9 port contract: everything the runtime needs from the machine it runs on.
 *
 * The runtime (the Python bindings in bindings/ and the supervisor) reaches the hardware only
 * through the functions declared here. A port defines them: ports/host for the virtual board the
 * `circuit9` executable runs (pins and buses in memory, panel models, a window, PNG screenshots),
 * ports/template for a port that does nothing yet (every function returns C9_ERR_NOSYS, with
 * comments saying what a real port does there; copy it to start a port). docs/port.md explains
 * the contract and what a port on real Linux hardware (spidev, i2c-dev, GPIO character devices,
 * IIO, PWM sysfs) needs.
 *
 * The shape is TinyUSB's hcd.h: one header, link-time functions in sections, no registration
 * and no function-pointer table for the machine itself, since a build has exactly one machine.
 * Where a core already defines an operations table (display buses: c9_hal_spi_t and friends in
 * display_bus.h; USB host controllers: usb_hcd.h; sockets and TLS: net.h; block devices:
 * blockdev.h), the port hands out that table and the core runs on it, so the cores never see
 * the port either.
 *
 *     c9_port_config_t cfg = {.board = c9_board_find("memento"), .breakouts = true};
 *     c9_port_init(&cfg);
 *     int sck = c9_port_pin_find("GPIO36"), mosi = c9_port_pin_find("GPIO35");
 *     c9_port_pin_claim(sck);
 *     c9_port_pin_claim(mosi);
 *     c9_port_spi_t *spi;
 *     c9_port_spi_open(sck, mosi, -1, &spi);
 *     c9_fourwire_t fw = {.spi = c9_port_spi_hal(spi), .gpio = c9_port_gpio(), .clock = c9_port_clock(), ...};
 *
 * Conventions.
 *  - Pins are numbers from 0 to c9_port_pin_count() - 1, named by the microcontroller's own pin
 *    names ("GPIO5", "PA08"); -1 means "not connected" and is accepted (and ignored) wherever a
 *    pin is optional. Board names ("D5", "TFT_CS") are board data (board.h), not the port's.
 *  - Pins are claimed by the caller before a peripheral is opened on them
 *    (c9_port_pin_claim), so that the caller can name the pin that is in use in its message;
 *    opening a peripheral does not claim, closing it does not release.
 *  - Buses are opaque handles owned by the port (a microcontroller port keeps a static pool,
 *    the host port allocates); open gives one, close returns it. Every handle function accepts
 *    only a handle that is open.
 *  - Every function that can fail returns a c9_err_t from common.h's table and says which.
 *    C9_ERR_NOSYS always means "this port does not provide it"; a caller maps it to
 *    CircuitPython's NotImplementedError or skips the feature.
 *  - Threads: the runtime calls the contract from one thread at a time (it holds the Python
 *    GIL), except c9_port_now_ns(), which any thread may call.
 */
#ifndef CIRCUIT9_PORT_H
#define CIRCUIT9_PORT_H

#include "circuit9/blockdev.h"
#include "circuit9/board.h"
#include "circuit9/common.h"
#include "circuit9/display_bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- machine ----------------------------------------------------------------------------------- */

typedef struct c9_port_config {
    /* The board the port stands for (pin names, a built-in display, memory); NULL for the port's
     * default. A port on real hardware checks that it is its own board. */
    const c9_board_t *board;
    /* The CIRCUITPY drive: a directory of the operating system (or NULL: no drive). */
    const char *drive;
    /* Show the display panels in a window, where the port has one. */
    bool window;
    /* Virtual boards: stand in for a display breakout wherever a program builds a display bus
     * on pins with nothing wired (c9_port_panel_connect). Real hardware ignores it. */
    bool breakouts;
    /* The CIRCUITPY drive as a disk image (a file holding an MBR and a FAT partition, or a bare
     * FAT volume) instead of a directory: the port offers the FAT volume as block device
     * "CIRCUITPY" (c9_port_blockdev), c9_port_drive() is NULL and the runtime mounts the volume
     * itself. NULL: none. Real hardware ignores it (the drive is its flash). */
    const char *drive_image;
    /* Virtual boards: a card in the board's SD card slot (c9_board_t.sd_cs), its contents the
     * whole of this disk image. The card answers on the board's SPI bus while the slot's chip
     * select is low, as a card would. NULL: the slot is empty. */
    const char *sd_image;
} c9_port_config_t;

/* Brings the machine up for a board: its pins exist afterwards and its built-in display's panel
 * is wired. Calling it again reconfigures (a new board gets its pins; panels already wired
 * stay; an image given before is closed). Functions called before c9_port_init() act on the
 * port's default board with the defaults (no drive, no window, no breakouts).
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP  the board is not one this port can be (real hardware)
 * @retval C9_ERR_NOMEM   no memory for the board's pins or panels
 * @retval C9_ERR_NOSYS   the port has no board support yet
 * Only with drive_image or sd_image (nothing else is set up then):
 * @retval C9_ERR_NOENT   the image file does not exist
 * @retval C9_ERR_PERM    it cannot be opened for reading and writing
 * @retval C9_ERR_IO      reading it failed
 * @retval C9_ERR_MBR_RANGE the drive image's partition lies outside the file
 * @retval C9_ERR_NODEV   sd_image on a board without an SD card slot
 * @retval C9_ERR_INVAL   an SD card image under 512 KiB or over 2 TiB */
c9_err_t c9_port_init(const c9_port_config_t *cfg);

/* The board c9_port_init() was given (the default board before). Never NULL. */
const c9_board_t *c9_port_board(void);

/* The port's share of CircuitPython's RUN_BACKGROUND_TASKS: window events and redraws on the
 * host, nothing on most microcontrollers. The runtime calls it from its idle loops, from
 * time.sleep() and between statements of user code at a few hundred hertz at most, from any
 * thread that runs Python code (user threads and the display refresh thread sleep too): a port
 * whose work must stay on one thread (a window system's) does it only there. */
void c9_port_background(void);

/* Waits for at most max_ns or until something happens that the runtime must see (a signal, an
 * interrupt); may return early for no reason. The runtime's sleeps loop on it. */
void c9_port_idle(uint64_t max_ns);

/* ---- clock ------------------------------------------------------------------------------------- */

/* Nanoseconds since the board started, monotonic, never 0 (time.monotonic_ns(),
 * supervisor.ticks_ms(), display frame pacing, timeouts). The one clock of the machine: every
 * other time in the runtime is read from it. Any thread may call it. */
uint64_t c9_port_now_ns(void);

/* A short blocking delay of the display path (init-sequence delays, reset pulses). The virtual
 * board advances its clock by ms instead of waiting unless told to wait in real time; real
 * hardware waits. */
void c9_port_delay_ms(uint32_t ms);

/* The same clock as the cores take it (c9_clock_t of display.h: now_ms and delay_ms). */
c9_clock_t c9_port_clock(void);

/* Seconds since 1970-01-01 UTC from the board's real-time clock (time.time(), file times).
 * @retval C9_OK
 * @retval C9_ERR_NOSYS  the machine has no real-time clock (time.time() counts from 2000) */
c9_err_t c9_port_rtc_get(int64_t *seconds);

/* ---- pins -------------------------------------------------------------------------------------- */

/* Pins the machine has now, numbered 0..count-1. */
int c9_port_pin_count(void);
/* The microcontroller's name of a pin ("GPIO5"), "" for a number that is no pin. */
const char *c9_port_pin_name(int pin);
/* The pin with this microcontroller name, or -1. */
int c9_port_pin_find(const char *name);

/* Takes a pin for a driver.
 * @retval C9_OK
 * @retval C9_ERR_BUSY   another driver has it (CircuitPython: ValueError "<name> in use")
 * @retval C9_ERR_NOENT  no such pin */
c9_err_t c9_port_pin_claim(int pin);
/* Gives a pin back and returns it to its reset state (input, no pull). -1 or an unclaimed pin:
 * nothing happens. */
void c9_port_pin_release(int pin);
bool c9_port_pin_in_use(int pin);

typedef enum c9_port_pull { C9_PORT_PULL_NONE = 0, C9_PORT_PULL_UP = 1, C9_PORT_PULL_DOWN = 2 } c9_port_pull_t;
typedef enum c9_port_drive {
    C9_PORT_DRIVE_PUSH_PULL = 0,
    C9_PORT_DRIVE_OPEN_DRAIN = 1 /* drives low, lets go for high */
} c9_port_drive_t;

/* Makes a pin a digital input with this pull.
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP  the pin cannot pull that way (a pin without a pull-down, say)
 * @retval C9_ERR_NOENT   no such pin */
c9_err_t c9_port_pin_input(int pin, c9_port_pull_t pull);
/* Makes a pin a digital output at level.
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP  the pin cannot be an output (input-only pins) or cannot open-drain
 * @retval C9_ERR_NOENT   no such pin */
c9_err_t c9_port_pin_output(int pin, bool level, c9_port_drive_t drive);
/* Sets an output's level (an input remembers it for its next switch to output). -1: nothing. */
void c9_port_pin_write(int pin, bool level);
/* The level on the pin: what drives it from outside for an input (or its pull, or what it last
 * was when floating), the driven level for an output. false for -1. */
bool c9_port_pin_read(int pin);
/* The GPIO table the display buses of the cores drive their D/C, chip select and reset pins
 * through (c9_port_pin_write on the same pins). */
c9_hal_gpio_t c9_port_gpio(void);

/* ---- analog in and out ------------------------------------------------------------------------- */

/* Prepares a pin's ADC channel (analogio.AnalogIn).
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP  the pin has no ADC ("Pin does not have ADC capabilities")
 * @retval C9_ERR_BUSY    the ADC unit is taken (e.g. by Wi-Fi on an ESP32's ADC2)
 * @retval C9_ERR_NOENT   no such pin */
c9_err_t c9_port_analog_in_open(int pin);
/* One conversion scaled to 16 bits (0..65535 for 0..reference), as AnalogIn.value is.
 * @retval C9_OK
 * @retval C9_ERR_IO      the conversion failed
 * @retval C9_ERR_BADF    the pin is not open as an analog input */
c9_err_t c9_port_analog_in_read(int pin, uint16_t *value);
/* The voltage value 65535 stands for, in millivolts (AnalogIn.reference_voltage). */
uint32_t c9_port_analog_in_reference_mv(int pin);
void c9_port_analog_in_close(int pin);

/* Prepares a pin's DAC (analogio.AnalogOut).
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP  the pin has no DAC ("AnalogOut functionality not supported" or "Invalid
 *                        pin", as the board's CircuitPython says)
 * @retval C9_ERR_NOENT   no such pin */
c9_err_t c9_port_analog_out_open(int pin);
/* Sets the output to value / 65535 of the reference (AnalogOut.value).
 * @retval C9_OK
 * @retval C9_ERR_BADF    the pin is not open as an analog output */
c9_err_t c9_port_analog_out_write(int pin, uint16_t value);
void c9_port_analog_out_close(int pin);

/* ---- PWM --------------------------------------------------------------------------------------- */

/* Starts PWM on a pin (pwmio.PWMOut). duty is 0..65535 of the period. *actual (may be NULL) gets
 * the frequency the timer really runs at.
 * @retval C9_OK
 * @retval C9_ERR_INVAL   frequency 0 or out of the timer's range ("Invalid PWM frequency")
 * @retval C9_ERR_BUSY    no timer left at that frequency ("All timers in use" / "All timers for
 *                        this pin are in use")
 * @retval C9_ERR_NOTSUP  the pin cannot do PWM ("Invalid pin")
 * @retval C9_ERR_NOENT   no such pin */
c9_err_t c9_port_pwm_open(int pin, uint32_t frequency, uint16_t duty, bool variable_frequency, uint32_t *actual);
/* @retval C9_OK  @retval C9_ERR_BADF  not open */
c9_err_t c9_port_pwm_set_duty(int pin, uint16_t duty);
/* Changes the frequency, keeping the duty cycle's fraction.
 * @retval C9_OK
 * @retval C9_ERR_PERM    opened without variable_frequency
 * @retval C9_ERR_INVAL   out of range
 * @retval C9_ERR_BADF    not open */
c9_err_t c9_port_pwm_set_frequency(int pin, uint32_t frequency, uint32_t *actual);
void c9_port_pwm_close(int pin);

/* ---- bus statistics ------------------------------------------------------------------------------- */

/* What a port that can watch its wires counts (the virtual board's timing model; real hardware
 * answers C9_ERR_NOSYS). SPI: one clock per bit at the configured baudrate; 8080 parallel: one WR
 * strobe per byte, or per 16-bit word of data on 16 lines; I2C: 9 clocks per byte plus the
 * address byte and 2 for start and stop. */
typedef struct c9_port_bus_stats {
    uint64_t bytes;        /* bytes on the wire */
    uint64_t transactions; /* SPI: lock..unlock; parallel: chip-select assertions; I2C: transactions */
    uint64_t cycles;       /* SPI clocks, WR strobes, SCL clocks */
    uint64_t time_ps;      /* transfer time at the configured frequency */
    uint32_t frequency;    /* current baudrate / frequency */
} c9_port_bus_stats_t;

/* ---- SPI --------------------------------------------------------------------------------------- */

typedef struct c9_port_spi c9_port_spi_t;

/* Opens an SPI controller on these pins (busio.SPI). mosi or miso may be -1, not both. The
 * controller starts at 250 kHz, mode 0, 8 bits, as busio.SPI before configure().
 * @retval C9_OK
 * @retval C9_ERR_INVAL   no MOSI and no MISO
 * @retval C9_ERR_NOTSUP  no SPI controller can use these pins ("Invalid pins")
 * @retval C9_ERR_BUSY    every SPI controller is in use ("All SPI peripherals are in use")
 * @retval C9_ERR_NOMEM */
c9_err_t c9_port_spi_open(int clock, int mosi, int miso, c9_port_spi_t **out);
void c9_port_spi_close(c9_port_spi_t *spi);
/* The bus lock of busio.SPI.try_lock()/unlock(); the cores' display buses take the same lock. */
bool c9_port_spi_try_lock(c9_port_spi_t *spi);
void c9_port_spi_unlock(c9_port_spi_t *spi);
/* @retval C9_OK  @retval C9_ERR_INVAL  a mode or word size the controller cannot do */
c9_err_t c9_port_spi_configure(c9_port_spi_t *spi, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits);
/* The baudrate the controller really runs at (busio.SPI.frequency). */
uint32_t c9_port_spi_frequency(const c9_port_spi_t *spi);
/* Transfers. write ignores what comes back; read sends write_value for every byte; transfer
 * sends out and stores what arrives in in (the same length). A MISO line nobody drives reads
 * 0xFF.
 * @retval C9_OK
 * @retval C9_ERR_IO      the controller failed
 * @retval C9_ERR_NOSYS   no MOSI (write) / no MISO (read) */
c9_err_t c9_port_spi_write(c9_port_spi_t *spi, const uint8_t *data, size_t len);
c9_err_t c9_port_spi_read(c9_port_spi_t *spi, uint8_t *data, size_t len, uint8_t write_value);
c9_err_t c9_port_spi_transfer(c9_port_spi_t *spi, const uint8_t *out, uint8_t *in, size_t len);
/* The controller as the cores' display buses take it (fourwire). */
c9_hal_spi_t c9_port_spi_hal(c9_port_spi_t *spi);
/* @retval C9_OK  @retval C9_ERR_NOSYS  the port does not watch its wires */
c9_err_t c9_port_spi_stats(const c9_port_spi_t *spi, c9_port_bus_stats_t *out);
void c9_port_spi_reset_stats(c9_port_spi_t *spi);

/* ---- I2C --------------------------------------------------------------------------------------- */

typedef struct c9_port_i2c c9_port_i2c_t;

/* Opens an I2C controller (busio.I2C). timeout_us bounds clock stretching.
 * @retval C9_OK
 * @retval C9_ERR_IO      no pull-up on SDA or SCL ("No pull up found on SDA or SCL; check your
 *                        wiring")
 * @retval C9_ERR_NOTSUP  no controller on these pins ("Invalid pins")
 * @retval C9_ERR_BUSY    every controller is in use
 * @retval C9_ERR_NOMEM */
c9_err_t c9_port_i2c_open(int scl, int sda, uint32_t frequency, uint32_t timeout_us, c9_port_i2c_t **out);
void c9_port_i2c_close(c9_port_i2c_t *i2c);
bool c9_port_i2c_try_lock(c9_port_i2c_t *i2c);
void c9_port_i2c_unlock(c9_port_i2c_t *i2c);
/* Whether a device acknowledges address (a write of no bytes): I2C.scan() asks each of
 * 0x08..0x77, I2CDisplayBus asks its device_address.
 * @retval C9_OK          acknowledged
 * @retval C9_ERR_NODEV   nobody answered */
c9_err_t c9_port_i2c_probe(c9_port_i2c_t *i2c, uint8_t address);
/* One write transaction; stop false leaves the bus for a repeated start (writeto_then_readfrom).
 * @retval C9_OK
 * @retval C9_ERR_NODEV   the address was not acknowledged (OSError ENODEV)
 * @retval C9_ERR_IO      a data byte was not acknowledged (OSError EIO)
 * @retval C9_ERR_TIMEDOUT the bus was held too long */
c9_err_t c9_port_i2c_write(c9_port_i2c_t *i2c, uint8_t address, const uint8_t *data, size_t len, bool stop);
/* One read transaction of len bytes. Errors as c9_port_i2c_write. */
c9_err_t c9_port_i2c_read(c9_port_i2c_t *i2c, uint8_t address, uint8_t *data, size_t len);
/* The controller as the cores' display buses take it (i2cdisplaybus). */
c9_hal_i2c_t c9_port_i2c_hal(c9_port_i2c_t *i2c);
c9_err_t c9_port_i2c_stats(const c9_port_i2c_t *i2c, c9_port_bus_stats_t *out);
void c9_port_i2c_reset_stats(c9_port_i2c_t *i2c);

/* ---- 8080 parallel ----------------------------------------------------------------------------- */

typedef struct c9_port_parallel c9_port_parallel_t;

/* The 8 data pins of a bus given by its first pin (ParallelBus(data0=...)): data0 and the next
 * seven in the port's GPIO numbering.
 * @retval C9_OK
 * @retval C9_ERR_INVAL   data0 cannot start a bus ("Data 0 pin must be byte aligned")
 * @retval C9_ERR_NOENT   a following pin does not exist */
c9_err_t c9_port_parallel_data_pins(int data0, int pins[8]);
/* Opens an 8080 write-only bus of 8 or 16 data lines (paralleldisplaybus.ParallelBus). The
 * bus drives the data lines and pulses write; chip select and command stay GPIOs the display bus
 * core drives (they are given so a port with a hardware i80 peripheral can route them).
 * @retval C9_OK
 * @retval C9_ERR_INVAL   width not 8 or 16
 * @retval C9_ERR_NOTSUP  no parallel peripheral can use these pins
 * @retval C9_ERR_BUSY
 * @retval C9_ERR_NOMEM */
c9_err_t c9_port_parallel_open(const int *data, int width, int chip_select, int command, int write, uint32_t frequency,
                               c9_port_parallel_t **out);
void c9_port_parallel_close(c9_port_parallel_t *bus);
c9_hal_parallel_t c9_port_parallel_hal(c9_port_parallel_t *bus);
c9_err_t c9_port_parallel_stats(const c9_port_parallel_t *bus, c9_port_bus_stats_t *out);
void c9_port_parallel_reset_stats(c9_port_parallel_t *bus);

/* ---- UART -------------------------------------------------------------------------------------- */

typedef struct c9_port_uart c9_port_uart_t;

typedef enum c9_port_parity {
    C9_PORT_PARITY_NONE = 0,
    C9_PORT_PARITY_EVEN = 1,
    C9_PORT_PARITY_ODD = 2
} c9_port_parity_t;

typedef struct c9_port_uart_config {
    int tx, rx;          /* -1 for a one-way UART; not both */
    int rts, cts;        /* flow control pins or -1 */
    uint32_t baudrate;   /* busio.UART's default 9600 */
    uint8_t bits;        /* 5..9 */
    uint8_t parity;      /* c9_port_parity_t */
    uint8_t stop;        /* 1 or 2 */
    uint32_t timeout_ms; /* how long read() waits for its bytes */
    size_t receiver_buffer_size;
} c9_port_uart_config_t;

/* @retval C9_OK
 * @retval C9_ERR_INVAL   no pins, or bits/stop/parity out of range
 * @retval C9_ERR_NOTSUP  no UART on these pins
 * @retval C9_ERR_BUSY    every UART is in use ("All UART peripherals are in use")
 * @retval C9_ERR_NOMEM */
c9_err_t c9_port_uart_open(const c9_port_uart_config_t *cfg, c9_port_uart_t **out);
void c9_port_uart_close(c9_port_uart_t *uart);
/* Writes all of data. @retval C9_OK  @retval C9_ERR_NOSYS  no TX pin  @retval C9_ERR_IO */
c9_err_t c9_port_uart_write(c9_port_uart_t *uart, const uint8_t *data, size_t len);
/* Reads up to len bytes, waiting at most the timeout for them all; *got may be less (0 on a
 * timeout with nothing received). A wait ends early when the runtime must see a signal.
 * @retval C9_OK  @retval C9_ERR_NOSYS  no RX pin  @retval C9_ERR_IO */
c9_err_t c9_port_uart_read(c9_port_uart_t *uart, uint8_t *data, size_t len, size_t *got);
/* Bytes received and not read yet (UART.in_waiting). */
size_t c9_port_uart_in_waiting(c9_port_uart_t *uart);
void c9_port_uart_clear_rx(c9_port_uart_t *uart);
/* @retval C9_OK  @retval C9_ERR_INVAL  a rate the UART cannot do */
c9_err_t c9_port_uart_set_baudrate(c9_port_uart_t *uart, uint32_t baudrate);
uint32_t c9_port_uart_baudrate(const c9_port_uart_t *uart);
void c9_port_uart_set_timeout(c9_port_uart_t *uart, uint32_t timeout_ms);

/* ---- display panels ---------------------------------------------------------------------------- */

/*
 * A display bus ends at a panel: on a board, the glass someone soldered or wired there; on the
 * virtual board, a panel model that decodes the bytes reaching it through one byte sink (bytes
 * with the level of the D/C line, and a reset). The runtime tells the port what it is about to
 * drive, because a port may need to act: the virtual board wires a stand-in breakout to pins
 * with nothing on them, real hardware has nothing to do (these return C9_OK there).
 */
typedef enum c9_port_wiring_kind {
    C9_PORT_WIRING_FOURWIRE = 1, /* SPI + D/C (fourwire.FourWire) */
    C9_PORT_WIRING_I2C = 2,      /* i2cdisplaybus.I2CDisplayBus */
    C9_PORT_WIRING_PARALLEL = 3  /* paralleldisplaybus.ParallelBus */
} c9_port_wiring_kind_t;

/* The pins a display bus runs on; unused pins are -1. */
typedef struct c9_port_wiring {
    uint8_t kind;             /* c9_port_wiring_kind_t */
    int clock, mosi;          /* FOURWIRE */
    int scl, sda;             /* I2C */
    uint8_t address;          /* I2C device address */
    int data[16];             /* PARALLEL: data lines, width of them */
    int width;                /* PARALLEL: 8 or 16 */
    int write;                /* PARALLEL: WR strobe */
    int command, chip_select; /* FOURWIRE, PARALLEL (command -1 on FOURWIRE: 9-bit SPI) */
    int reset;                /* any kind */
} c9_port_wiring_t;

/* What a display driver says about the glass it drives (BusDisplay's arguments). */
typedef struct c9_port_panel_desc {
    uint16_t width, height; /* at rotation, as BusDisplay takes them */
    int16_t colstart, rowstart;
    uint16_t rotation; /* 0, 90, 180, 270 */
    uint8_t color_depth;
    bool grayscale;
    bool sh1107_addressing;
    bool data_as_commands;
    uint16_t set_column_command, set_row_command, write_ram_command;
    const uint8_t *init_sequence; /* BusDisplay's init_sequence bytes (valid during the call) */
    size_t init_sequence_len;
} c9_port_panel_desc_t;

/* A display bus has been built on these pins and is about to send. The virtual board, with
 * breakouts on, wires a stand-in breakout where no panel is (for I2C, one that answers at the
 * address, so I2CDisplayBus's probe finds it).
 * @retval C9_OK
 * @retval C9_ERR_NOMEM   no room for another panel
 * @retval C9_ERR_INVAL   a wiring of unknown kind */
c9_err_t c9_port_panel_connect(const c9_port_wiring_t *wiring);
/* A display (BusDisplay) is about to initialise the panel on these pins. The virtual board
 * makes a stand-in breakout the module the driver describes (controller from the init sequence,
 * glass from the geometry, mounted at the rotation) and remembers it as the last display used.
 * @retval C9_OK
 * @retval C9_ERR_NOMEM
 * @retval C9_ERR_NOENT   nothing wired there (breakouts off); the display talks to no glass, as
 *                        on a board with nothing on those pins */
c9_err_t c9_port_panel_configure(const c9_port_wiring_t *wiring, const c9_port_panel_desc_t *desc);
/* The display bus on these pins was deinitialised. Panels stay wired (the breakout is still on
 * the pins and keeps its picture). */
void c9_port_panel_disconnect(const c9_port_wiring_t *wiring);
/* Writes what the glass of the last configured display shows (the built-in display when no
 * display was configured yet), as a person looking at the board sees it, to a PNG file.
 * @retval C9_OK
 * @retval C9_ERR_NOENT   no display, or the last one drives pins with no glass
 * @retval C9_ERR_IO      the file could not be written
 * @retval C9_ERR_NOSYS   the port cannot see its glass (real hardware) */
c9_err_t c9_port_panel_screenshot(const char *path);

/* ---- the drive's file system ------------------------------------------------------------------- */

/*
 * A volume of files: the CIRCUITPY drive, and whatever the machine offers to mount. Paths are
 * absolute within the volume ("/lib/x.py"), UTF-8, '/'-separated, never containing "." or ".."
 * components (the runtime normalises them). Errors are common.h's codes of the errno band; any
 * negated Linux errno number may appear (ENOTDIR, EISDIR, ENOTEMPTY, ENOSPC, EROFS, EACCES,
 * ENAMETOOLONG, ...), which the runtime reports as OSError with that number.
 */
typedef struct c9_port_stat {
    uint64_t size;
    int64_t mtime; /* seconds since 1970 */
    bool is_dir;
} c9_port_stat_t;

typedef struct c9_port_statvfs {
    uint32_t block_size;
    uint64_t blocks, free_blocks;
    uint32_t name_max;
    bool readonly;
} c9_port_statvfs_t;

enum {
    C9_PORT_OPEN_READ = 1,
    C9_PORT_OPEN_WRITE = 2,
    C9_PORT_OPEN_CREATE = 4,
    C9_PORT_OPEN_TRUNC = 8,
    C9_PORT_OPEN_APPEND = 16,
    C9_PORT_OPEN_EXCL = 32,
};

typedef struct c9_port_fs {
    /* Where a path lives in the operating system's own file tree, for runtimes that open files
     * through the OS (CPython's io). C9_ERR_NOSYS for a volume that is not an OS directory (a
     * FAT image); C9_ERR_NOMEM when size is too small. */
    c9_err_t (*resolve)(void *ctx, const char *path, char *os_path, size_t size);
    /* Files: C9_PORT_OPEN_* flags; *file is the volume's handle for the others. read gives
     * *got 0 at the end; seek's whence is 0 (start), 1 (current) or 2 (end). sync with file NULL
     * flushes the whole volume. */
    c9_err_t (*open)(void *ctx, const char *path, unsigned flags, void **file);
    c9_err_t (*close)(void *ctx, void *file);
    c9_err_t (*read)(void *ctx, void *file, void *buf, size_t len, size_t *got);
    c9_err_t (*write)(void *ctx, void *file, const void *buf, size_t len, size_t *done);
    c9_err_t (*seek)(void *ctx, void *file, int64_t offset, int whence, uint64_t *pos);
    c9_err_t (*sync)(void *ctx, void *file);
    /* Directories: dir_read gives one entry's name (no "." or "..") and its stat, C9_ERR_NOENT
     * after the last. */
    c9_err_t (*stat)(void *ctx, const char *path, c9_port_stat_t *st);
    c9_err_t (*dir_open)(void *ctx, const char *path, void **dir);
    c9_err_t (*dir_read)(void *ctx, void *dir, char *name, size_t size, c9_port_stat_t *st);
    c9_err_t (*dir_close)(void *ctx, void *dir);
    c9_err_t (*mkdir)(void *ctx, const char *path);
    c9_err_t (*rmdir)(void *ctx, const char *path);
    c9_err_t (*remove)(void *ctx, const char *path);
    c9_err_t (*rename)(void *ctx, const char *from, const char *to);
    c9_err_t (*statvfs)(void *ctx, c9_port_statvfs_t *out);
    void *ctx;
    /* Volumes whose current directory the operating system keeps (c9_port_host_fs): the
     * directory relative paths start from, as an absolute path, and changing it. NULL for the
     * others (the runtime keeps theirs). C9_ERR_NOMEM when size is too small. */
    c9_err_t (*getcwd)(void *ctx, char *buf, size_t size);
    c9_err_t (*chdir)(void *ctx, const char *path);
} c9_port_fs_t;

/* The CIRCUITPY drive's volume when it is a directory of the machine's operating system, or
 * NULL: then the drive is the FAT volume on block device "CIRCUITPY" (c9_port_blockdev), which
 * the runtime mounts itself, or the machine has no drive (the Python package). */
const c9_port_fs_t *c9_port_drive(void);

/* The operating system's own file tree as a volume, as CircuitPython's unix port mounts it at
 * "/" (VfsPosix) for `circuit9 SCRIPT.py` and the Python package. Unlike the drive's, its paths
 * may also be relative to the process's current directory (getcwd/chdir), and "." and ".." are
 * the operating system's. NULL when the machine has no operating system. */
const c9_port_fs_t *c9_port_host_fs(void);

/* ---- USB host controllers ---------------------------------------------------------------------- */

/* The host controller operations of usb_hcd.h; a port hands out its controllers' tables. */
struct c9_usb_hcd_ops;

/* The controller behind the USB host port whose D+ and D- are these pins (usb_host.Port(dp,
 * dm)); *ops and *ctx go into the host stack's configuration.
 * @retval C9_OK
 * @retval C9_ERR_NODEV   no host port on these pins ("Invalid pins")
 * @retval C9_ERR_NOSYS   the machine has no USB host */
c9_err_t c9_port_usb_host(int dp, int dm, const struct c9_usb_hcd_ops **ops, void **ctx);

/* ---- sockets and TLS --------------------------------------------------------------------------- */

/* The socket and TLS operation tables of net.h. */
struct c9_net_socket_ops;
struct c9_net_tls_ops;

/* The machine's sockets (socketpool.SocketPool(radio)).
 * @retval C9_OK  @retval C9_ERR_NOSYS  no network */
c9_err_t c9_port_net_sockets(const struct c9_net_socket_ops **out);
/* TLS over those sockets (ssl). @retval C9_OK  @retval C9_ERR_NOSYS  no TLS */
c9_err_t c9_port_net_tls(const struct c9_net_tls_ops **out);

/* ---- block devices ----------------------------------------------------------------------------- */

/* A block device the machine has, by name: "CIRCUITPY" for the drive's flash when the drive is
 * a FAT volume (storage.erase_filesystem, a drive image), others as the port names them.
 * @retval C9_OK
 * @retval C9_ERR_NOENT   no device of that name */
c9_err_t c9_port_blockdev(const char *name, const c9_blockdev_t **out);

/* A disk image: a file of the machine's operating system holding a disk (a CIRCUITPY drive as a
 * board presents it over USB, an SD card's contents) as a block device. `circuit9 image` writes
 * and reads them; a drive or card given as an image runs on one. */
typedef struct c9_port_image c9_port_image_t;

enum {
    C9_PORT_IMAGE_WRITE = 1,  /* writable (otherwise the device has no write operation) */
    C9_PORT_IMAGE_CREATE = 2, /* a new file of create_bytes (rounded down to whole blocks) */
    C9_PORT_IMAGE_WHOLE = 4,  /* the whole file even when block 0 is an MBR */
};

/* Opens the image at path; *bd is its block device: the first partition an MBR in block 0 lists,
 * unless C9_PORT_IMAGE_WHOLE (or CREATE).
 * @retval C9_OK
 * @retval C9_ERR_NOENT      no such file
 * @retval C9_ERR_PERM       not allowed to open it
 * @retval C9_ERR_IO         reading or writing failed
 * @retval C9_ERR_MBR_RANGE  the partition lies outside the file
 * @retval C9_ERR_INVAL      bad arguments
 * @retval C9_ERR_NOMEM
 * @retval C9_ERR_NOSYS      the machine has no file system for images */
c9_err_t c9_port_image_open(const char *path, unsigned flags, uint64_t create_bytes, c9_port_image_t **out,
                            c9_blockdev_t *bd);
/* Makes writes durable and closes; C9_OK or the first error (C9_ERR_IO). */
c9_err_t c9_port_image_close(c9_port_image_t *image);

/* ---- odds and ends ----------------------------------------------------------------------------- */

/* len bytes from the machine's random source (os.urandom).
 * @retval C9_OK  @retval C9_ERR_IO  @retval C9_ERR_NOSYS  no hardware random source */
c9_err_t c9_port_random(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_PORT_H */
