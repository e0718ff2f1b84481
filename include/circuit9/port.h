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

#include "circuit9/audio.h"
#include "circuit9/blockdev.h"
#include "circuit9/board.h"
#include "circuit9/common.h"
#include "circuit9/display_bus.h"
#include "circuit9/mcu.h"
#include "circuit9/stimulus.h"

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
    /* Virtual boards: what the world outside the board does (real hardware ignores these).
     * inputs hold from the start (circuit9 run --set: pins driven to 0/1 or held at a voltage,
     * properties of simulated devices); events happen at their times, counted from
     * c9_port_program_start() (--events). Names are board pin names, microcontroller pin names
     * or DEVICE.PROPERTY. The port copies what it keeps; events are in time order. */
    const c9_stim_t *inputs;
    size_t input_count;
    const c9_stim_t *events;
    size_t event_count;
    /* Virtual boards: record what the audio outputs play to WAV files named from this path
     * (docs/audio.md); NULL: play them on the host's speakers where it has some. */
    const char *audio_out;
    /* Virtual boards: the clock moves only when the runtime waits (c9_port_idle,
     * c9_port_delay_ms), by exactly the time waited, so a run is the same at any speed. Real
     * hardware ignores it. */
    bool stepped_clock;
    /* Virtual boards: the devices plugged into the board's USB host port, each "KIND[:OPTIONS]"
     * (keyboard, mouse, gamepad, midi:FILE.mid, cdc, hub, replay:FILE.pcap, libusb:VID:PID;
     * docs/usb.md). Real hardware ignores them. */
    const char *const *usb_devices;
    size_t usb_device_count;
    /* Out, may be NULL: why c9_port_init() failed, in words for the user. */
    char *message;
    size_t message_size;
    /* Virtual boards: the network the machine stands in for. The access point within reach
     * (NULL ssid: an open network called "circuit9"; password NULL or "" for an open one), the
     * board's own host table ("name=a.b.c.d ..." as c9_net_hosts_lookup() reads it: names it
     * answers without asking DNS), a PEM file of the operating system whose certificates join
     * the board's CA bundle, and the socket limit (0: the board's, c9_board_t.net_sockets).
     * Real hardware ignores them. */
    const char *wifi_ssid;
    const char *wifi_password;
    const char *net_hosts;
    const char *ca_file;
    unsigned net_sockets;
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
 * @retval C9_ERR_NOENT   an input or event names no pin of the board (virtual boards)
 * @retval C9_ERR_INVAL   an input or event value a pin cannot take (not 0/1 or volts), or a USB
 *                        device that cannot be made (bad description, unreadable file, no such
 *                        real device; cfg->message says which)
 * @retval C9_ERR_NOSYS   the port has no board support yet
 * Only with drive_image or sd_image (nothing else is set up then; cfg->message names the image):
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

/* A program (code.py) starts now: the events of c9_port_config_t count their times from here
 * (the first call only; a reload does not replay them). Nothing on real hardware. */
void c9_port_program_start(void);

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

/* The real-time clock's frequency correction (rtc.RTC().calibration), in the chip's own steps
 * (SAMD: the FREQCORR register, -127..127, each step about 1 ppm). range gives the values set
 * takes; get gives the one in force (0 until set); set puts one in force until the machine
 * loses power. The runtime checks the range before it calls set.
 * @retval C9_OK
 * @retval C9_ERR_NOSYS  the chip's RTC has no correction (ESP32, RP2040: CircuitPython reads 0 and
 *                       raises NotImplementedError "calibration" on a set)
 * @retval C9_ERR_RANGE  (set) a value outside the range */
c9_err_t c9_port_rtc_calibration_range(int *min, int *max);
c9_err_t c9_port_rtc_calibration_get(int *value);
c9_err_t c9_port_rtc_calibration_set(int value);

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

/* ---- pins the port counts or senses ------------------------------------------------------------- */

/* countio.Counter: counts edges on a pin (a pulse counter, a PWM slice's counter or an interrupt).
 * edge is c9_counter_edge_t of rotary.h (0 rise, 1 fall, 2 both).
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP              the pin cannot count ("Invalid pin")
 * @retval C9_ERR_MCU_COUNTER_PIN     RP2040: not a PWM channel B pin ("Pin must be on PWM Channel B")
 * @retval C9_ERR_MCU_COUNTER_EDGE    the chip cannot count both edges (NotImplementedError
 *                                    "RISE_AND_FALL not available on this chip")
 * @retval C9_ERR_MCU_SLICE_IN_USE    RP2040: the slice counts already ("PWM slice already in use")
 * @retval C9_ERR_MCU_SLICE_CHANNEL_A RP2040: the slice does PWM ("PWM slice channel A already in use")
 * @retval C9_ERR_BUSY                no counter left
 * @retval C9_ERR_NOENT               no such pin */
c9_err_t c9_port_counter_open(int pin, uint8_t edge, c9_port_pull_t pull);
/* @retval C9_OK  @retval C9_ERR_BADF  no counter on the pin */
c9_err_t c9_port_counter_get(int pin, int64_t *count);
c9_err_t c9_port_counter_set(int pin, int64_t count);
void c9_port_counter_close(int pin);

/* rotaryio.IncrementalEncoder on two pins (pulled up), named by pin_a afterwards. The port decodes
 * as its chip's CircuitPython does (rotary.h: a software decoder or a hardware edge counter).
 * @retval C9_OK  @retval C9_ERR_BUSY  no encoder left  @retval C9_ERR_NOENT  no such pin */
c9_err_t c9_port_encoder_open(int pin_a, int pin_b, int32_t divisor);
/* @retval C9_OK  @retval C9_ERR_BADF  not open  @retval C9_ERR_RANGE  divisor 0 on a chip that
 * divides by it (ZeroDivisionError) */
c9_err_t c9_port_encoder_position(int pin_a, int32_t *position);
c9_err_t c9_port_encoder_set_position(int pin_a, int32_t position);
c9_err_t c9_port_encoder_set_divisor(int pin_a, int32_t divisor);
void c9_port_encoder_close(int pin_a);

/* touchio.TouchIn: a capacitive touch reading of the pin. *threshold gets the port's first
 * threshold (CircuitPython sets it a little above the first reading).
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP           the pin cannot sense touch ("Invalid pin")
 * @retval C9_ERR_MCU_NO_PULLDOWN  software touch found no pull-down resistor on the pin
 * @retval C9_ERR_NOENT            no such pin */
c9_err_t c9_port_touch_open(int pin, uint16_t *threshold);
/* @retval C9_OK  @retval C9_ERR_BADF  not open */
c9_err_t c9_port_touch_read(int pin, uint16_t *raw);
void c9_port_touch_close(int pin);

/* neopixel_write: sends bytes on a pin (a digital output the caller holds) as a WS2812 bit stream,
 * then the latch pause.
 * @retval C9_OK  @retval C9_ERR_IO  the sending peripheral failed  @retval C9_ERR_NOENT */
c9_err_t c9_port_neopixel_write(int pin, const uint8_t *data, size_t len);

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
 * @retval C9_ERR_NOTSUP             the chip has a DAC, but not on this pin ("Invalid pin")
 * @retval C9_ERR_NOSYS              the chip has no DAC (NotImplementedError, no message: ESP32-S3)
 * @retval C9_ERR_MCU_NO_ANALOGOUT   the chip has no DAC (NotImplementedError "AnalogOut": RP2040)
 * @retval C9_ERR_NOENT              no such pin */
c9_err_t c9_port_analog_out_open(int pin);
/* The voltage the DAC puts out now, in millivolts (what a meter would read). */
uint32_t c9_port_analog_out_millivolts(int pin);
/* Sets the output to value / 65535 of the reference (AnalogOut.value).
 * @retval C9_OK
 * @retval C9_ERR_BADF    the pin is not open as an analog output */
c9_err_t c9_port_analog_out_write(int pin, uint16_t value);
void c9_port_analog_out_close(int pin);

/* ---- PWM --------------------------------------------------------------------------------------- */

/* Starts PWM on a pin (pwmio.PWMOut). duty is 0..65535 of the period. *actual (may be NULL) gets
 * the frequency the timer really runs at. Which timers exist, which pins reach them and how they
 * are shared is the chip's (mcu.h).
 * @retval C9_OK
 * @retval C9_ERR_INVAL   frequency 0 or out of the timer's range, or not the one a shared timer
 *                        runs at ("Invalid frequency")
 * @retval C9_ERR_MCU_VARIABLE_FREQUENCY  variable frequency on a timer others use ("Invalid
 *                        variable_frequency")
 * @retval C9_ERR_BUSY    no timer or channel left ("Internal resource(s) in use")
 * @retval C9_ERR_IO      the timer cannot run at the frequency ("Internal error")
 * @retval C9_ERR_NOTSUP  the pin cannot do PWM ("Invalid pin")
 * @retval C9_ERR_NOENT   no such pin */
c9_err_t c9_port_pwm_open(int pin, uint32_t frequency, uint16_t duty, bool variable_frequency, uint32_t *actual);
/* @retval C9_OK  @retval C9_ERR_BADF  not open */
c9_err_t c9_port_pwm_set_duty(int pin, uint16_t duty);
/* PWMOut.duty_cycle as the chip reads it back (its resolution), 0 when not open. */
uint16_t c9_port_pwm_duty(int pin);
/* PWMOut.frequency: what the timer runs at, 0 when not open. */
uint32_t c9_port_pwm_frequency(int pin);
/* Changes the frequency, keeping the duty cycle's fraction.
 * @retval C9_OK
 * @retval C9_ERR_PERM    opened without variable_frequency
 * @retval C9_ERR_INVAL   out of range
 * @retval C9_ERR_IO      the timer cannot run at it
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
 * seven in the port's GPIO numbering (on a SAMD, data0 is pin 0, 8, 16 or 24 of its port).
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

/* ---- USB CDC serial channels ------------------------------------------------------------------- */

/* The board's second USB serial channel (usb_cdc.data; the first is the console, which the
 * supervisor owns). On a board it is TinyUSB's CDC interface `index`, there from the moment USB
 * is set up after boot.py. On the host it is a pseudo-terminal announced on stderr as
 * "circuit9: usb_cdc.data on /dev/pts/N", the other end a host program (a terminal, pyserial)
 * opens. Bytes are raw both ways. */
typedef struct c9_port_cdc c9_port_cdc_t;

/* Opens channel `index` (TinyUSB's numbering: enabled channels counted from 0) for the Python
 * object `name` ("usb_cdc.data"), which the host's announcement names.
 * @retval C9_OK
 * @retval C9_ERR_BUSY    no channel to spare (the host has no pseudo-terminal left)
 * @retval C9_ERR_NOMEM
 * @retval C9_ERR_NOSYS   the port has no USB device side */
c9_err_t c9_port_cdc_open(unsigned index, const char *name, c9_port_cdc_t **out);
void c9_port_cdc_close(c9_port_cdc_t *cdc);
/* Reads what the host sent, up to len bytes, waiting at most wait_ms for the first one; *got is
 * 0 when nothing came. The runtime loops on short waits so that Ctrl-C stays prompt.
 * @retval C9_OK  @retval C9_ERR_IO */
c9_err_t c9_port_cdc_read(c9_port_cdc_t *cdc, uint8_t *data, size_t len, uint32_t wait_ms, size_t *got);
/* Queues up to len bytes for the host, waiting at most wait_ms for room; *done may be less than
 * len (0 when the host has read nothing and the queue is full).
 * @retval C9_OK  @retval C9_ERR_IO */
c9_err_t c9_port_cdc_write(c9_port_cdc_t *cdc, const uint8_t *data, size_t len, uint32_t wait_ms, size_t *done);
/* Bytes received and not read yet (Serial.in_waiting); bytes queued for the host and not taken
 * by it yet (Serial.out_waiting). */
size_t c9_port_cdc_in_waiting(c9_port_cdc_t *cdc);
size_t c9_port_cdc_out_waiting(c9_port_cdc_t *cdc);
/* Drop what was received / what is queued for the host. */
void c9_port_cdc_clear_rx(c9_port_cdc_t *cdc);
void c9_port_cdc_clear_tx(c9_port_cdc_t *cdc);
/* Whether the host has the channel open (DTR on a board). */
bool c9_port_cdc_connected(c9_port_cdc_t *cdc);

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
 * dm)); *ops, *ctx and *rhport (the root port number TinyUSB gives it: usb.core Device.bus) go
 * into the host stack's configuration. The same pins give the same controller every time; the
 * caller claims the pins and keeps the port for the rest of the machine's run (CircuitPython's
 * host port outlives the VM). The controller is driven from one thread at a time.
 * @retval C9_OK
 * @retval C9_ERR_NODEV   no host port on these pins (ValueError "Invalid pins"; on RP2040 the
 *                        PIO port needs two adjacent GPIOs)
 * @retval C9_ERR_NOSYS   the machine has no USB host */
c9_err_t c9_port_usb_host(int dp, int dm, const struct c9_usb_hcd_ops **ops, void **ctx, uint8_t *rhport);

/* ---- sockets and TLS --------------------------------------------------------------------------- */

/* The socket and TLS operation tables of net.h. */
struct c9_net_socket_ops;
struct c9_net_tls_ops;

/* The machine's sockets (socketpool.SocketPool(radio)).
 * @retval C9_OK  @retval C9_ERR_NOSYS  no network */
c9_err_t c9_port_net_sockets(const struct c9_net_socket_ops **out);
/* TLS over those sockets (ssl). context_load_default trusts the board's CA bundle.
 * @retval C9_OK  @retval C9_ERR_NOSYS  no TLS */
c9_err_t c9_port_net_tls(const struct c9_net_tls_ops **out);
/* Closes every socket of the tables above (TLS sockets first): what a soft reload does to the
 * sockets a program left open (CircuitPython's socketpool_user_reset). Their handles read as
 * C9_ERR_BADF afterwards. Contexts stay. */
void c9_port_net_reset(void);

/* ---- network interface (the wifi station) ------------------------------------------------------ */

/* How the machine joins a network: CircuitPython's wifi.radio in station mode. The socket table
 * above reaches beyond the machine itself (loopback) only while the station is connected, as a
 * board's lwIP has no route before the access point gives it an address.
 *
 * Threads: these functions are called with the runtime's lock held (the GIL), like the rest. */

struct c9_net_addr;

/* wifi.AuthMode bits, in CircuitPython's order. */
enum {
    C9_PORT_WIFI_AUTH_OPEN = 1 << 0,
    C9_PORT_WIFI_AUTH_WEP = 1 << 1,
    C9_PORT_WIFI_AUTH_WPA = 1 << 2,
    C9_PORT_WIFI_AUTH_WPA2 = 1 << 3,
    C9_PORT_WIFI_AUTH_WPA3 = 1 << 4,
    C9_PORT_WIFI_AUTH_PSK = 1 << 5,
    C9_PORT_WIFI_AUTH_ENTERPRISE = 1 << 6,
};

/* An access point (wifi.Network). */
typedef struct c9_port_wifi_ap {
    uint8_t ssid[32];
    uint8_t ssid_len;
    uint8_t bssid[6];
    int8_t rssi;       /* dBm */
    uint8_t channel;   /* 1..14 */
    char country[3];   /* two letters, "" when the access point does not say */
    uint8_t authmodes; /* C9_PORT_WIFI_AUTH_* bits */
} c9_port_wifi_ap_t;

/* The station's IPv4 configuration, each in network order. */
typedef struct c9_port_wifi_ipv4 {
    uint8_t address[4];
    uint8_t netmask[4];
    uint8_t gateway[4];
    uint8_t dns[4];
} c9_port_wifi_ipv4_t;

/* The station's MAC address. @retval C9_OK  @retval C9_ERR_NOSYS  no wifi */
c9_err_t c9_port_wifi_mac(uint8_t mac[6]);
/* Turns the radio on or off (wifi.radio.enabled). Off disconnects and closes every socket, as
 * stopping a board's wifi does. @retval C9_OK  @retval C9_ERR_NOSYS */
c9_err_t c9_port_wifi_enable(bool on);
/* Whether the radio is on (false without wifi). */
bool c9_port_wifi_enabled(void);
/* The access points heard on channels first..last (1..14, first <= last), strongest first, up to
 * max of them in out; *count is how many were written.
 * @retval C9_OK  @retval C9_ERR_WIFI_DISABLED  @retval C9_ERR_NOSYS */
c9_err_t c9_port_wifi_scan(uint8_t first, uint8_t last, c9_port_wifi_ap_t *out, size_t max, size_t *count);
/* Joins the access point called ssid (and bssid when not NULL; channel 0: any) and waits for an
 * address, up to timeout_ms (0: the port's own limit). Already connected to that SSID: C9_OK at
 * once; connected elsewhere: leaves that network first.
 * @retval C9_OK
 * @retval C9_ERR_WIFI_NO_AP     no such network within reach
 * @retval C9_ERR_WIFI_AUTH      the network refused the password
 * @retval C9_ERR_WIFI_DISABLED  the radio is off
 * @retval C9_ERR_TIMEDOUT       no address in time
 * @retval C9_ERR_INTR           the port's interrupt check fired while waiting
 * @retval C9_ERR_NOSYS */
c9_err_t c9_port_wifi_connect(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                              uint8_t channel, const uint8_t *bssid, uint32_t timeout_ms);
/* Leaves the network (no error when not connected). @retval C9_OK  @retval C9_ERR_NOSYS */
c9_err_t c9_port_wifi_disconnect(void);
/* The network the station is connected to and its address; either pointer may be NULL.
 * @retval C9_OK  @retval C9_ERR_NOTCONN  not connected  @retval C9_ERR_NOSYS */
c9_err_t c9_port_wifi_station(c9_port_wifi_ap_t *ap, c9_port_wifi_ipv4_t *ip);
/* Replaces the DNS server the station uses (wifi.radio.ipv4_dns).
 * @retval C9_OK  @retval C9_ERR_NOTCONN  @retval C9_ERR_NOSYS */
c9_err_t c9_port_wifi_set_dns(const uint8_t dns[4]);
/* One echo request to an IPv4 address (wifi.radio.ping), waiting up to timeout_ms; *rtt_ms is the
 * round trip. A port that cannot send ICMP may measure another round trip to the same host (the
 * host port's fallback is a TCP connection attempt; docs/net.md).
 * @retval C9_OK
 * @retval C9_ERR_TIMEDOUT      no answer in time
 * @retval C9_ERR_HOSTUNREACH   not connected (and not a loopback address), or no route
 * @retval C9_ERR_AFNOSUPPORT   not an IPv4 address
 * @retval C9_ERR_NOSYS */
c9_err_t c9_port_net_ping(const struct c9_net_addr *to, uint32_t timeout_ms, uint32_t *rtt_ms);

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

/* ---- what a virtual board shows ---------------------------------------------------------------- */

/* Writes the board's outputs as JSON: {"pins": {"NAME": {...}}} with, for each pin in use or
 * lit, what applies: "direction" ("input"/"output"), "digital" (the level), "pull", "pwm"
 * {"frequency", "duty_cycle"}, "neopixel" [[r, g, b], ...] (the chain as last written),
 * "analog_out" (volts). docs/periph.md has the details.
 * @retval C9_OK  @retval C9_ERR_IO  not written  @retval C9_ERR_NOSYS  real hardware */
c9_err_t c9_port_state_write(const char *path);
/* Writes a PNG of the board as a person sees it: the display (if any) beside the board's LEDs and
 * buttons in their current state.
 * @retval C9_OK  @retval C9_ERR_IO  @retval C9_ERR_NOSYS  real hardware */
c9_err_t c9_port_board_screenshot(const char *path);
/* ---- audio output ------------------------------------------------------------------------------ */

/*
 * An output that audio samples play on: PWM pins (audiopwmio.PWMAudioOut) or an I2S bus
 * (audiobusio.I2SOut). The runtime is the output's DMA: it turns a sample into frames of the
 * values the output is driven with (audio.h's player, in the format c9_port_audio_start gives)
 * and writes them as fast as the output takes them (c9_port_audio_room), stopped or not: a
 * stopped PWM output is written its quiescent level. On the virtual board an output takes
 * frames as the board's clock passes one frame period each, and plays them on the host's
 * speakers or records them (c9_port_config_t.audio_out); real hardware takes as many as its DMA
 * buffers have room for.
 */
typedef struct c9_port_audio c9_port_audio_t;

typedef enum c9_port_audio_kind {
    C9_PORT_AUDIO_PWM = 1, /* audiopwmio.PWMAudioOut */
    C9_PORT_AUDIO_I2S = 2  /* audiobusio.I2SOut */
} c9_port_audio_kind_t;

typedef struct c9_port_audio_config {
    uint8_t kind;                                 /* c9_port_audio_kind_t */
    int left, right;                              /* PWM: the channels' pins, right -1 for mono */
    uint16_t quiescent_value;                     /* PWM: PWMAudioOut's quiescent_value, 16-bit */
    int bit_clock, word_select, data, main_clock; /* I2S; main_clock -1 for none */
    bool left_justified;                          /* I2S: data aligned with word select */
} c9_port_audio_config_t;

/* Takes an audio peripheral on pins the caller has claimed.
 * @retval C9_OK
 * @retval C9_ERR_INVAL   pins this peripheral cannot pair ("Pins must share PWM slice", "Bit clock
 *                        and word select must be sequential GPIO pins", as the board says)
 * @retval C9_ERR_NOTSUP  a main clock the peripheral cannot output (NotImplementedError("main_clock"))
 * @retval C9_ERR_BUSY    no peripheral left ("All timers in use" for PWM, "Peripheral in use" for I2S)
 * @retval C9_ERR_NOMEM
 * @retval C9_ERR_NOSYS   the machine has no audio output */
c9_err_t c9_port_audio_open(const c9_port_audio_config_t *cfg, c9_port_audio_t **out);
/* Sets the output going at sample_rate for samples of this format (play()); *fmt gets the
 * values the output takes and how samples convert to them. A second start at the same rate and
 * format continues the stream; another rate or format starts a new one.
 * @retval C9_OK
 * @retval C9_ERR_RANGE   a sample rate the output cannot run at (0, or above
 *                        C9_AUDIO_MAX_SAMPLE_RATE on the virtual board)
 * @retval C9_ERR_NOTSUP  more channels than the output has ("Too many channels in sample.") */
c9_err_t c9_port_audio_start(c9_port_audio_t *a, uint32_t sample_rate, const c9_audio_format_t *sample,
                             c9_audio_out_format_t *fmt);
/* Frames the output takes now (0 before the first start). */
size_t c9_port_audio_room(c9_port_audio_t *a);
/* Queues count frames (fmt->channels values each, as c9_audio_player_render gives them); at
 * most room() frames.
 * @retval C9_OK  @retval C9_ERR_IO  the recording could not be written (it stops; playing goes on) */
c9_err_t c9_port_audio_write(c9_port_audio_t *a, const uint16_t *values, size_t count);
/* Stops the output and gives the peripheral back (the pins stay claimed; the caller releases
 * them). NULL: nothing. */
void c9_port_audio_close(c9_port_audio_t *a);

/* ---- non-volatile memory ----------------------------------------------------------------------- */

/* Bytes of the chip's memory that survive a reset and a power cycle, for microcontroller.nvm
 * (CircuitPython's CIRCUITPY_INTERNAL_NVM_SIZE for the chip: ESP32-S3 and ESP32-C6 8192, RP2040
 * 4096, SAMD21 256, SAMD51 8192). 0: the machine has none (microcontroller.nvm is None). */
size_t c9_port_nvm_size(void);

/* Reads len bytes at offset. Memory never written reads as the chip leaves it (flash erased to
 * 0xFF on RP2040 and SAMD; 0 on the ESP32s, whose NVS blob does not exist yet).
 * @retval C9_OK
 * @retval C9_ERR_RANGE  offset + len beyond c9_port_nvm_size()
 * @retval C9_ERR_NOSYS  no non-volatile memory
 * @retval C9_ERR_IO     the stored bytes cannot be read (buf is left as it was) */
c9_err_t c9_port_nvm_read(size_t offset, void *buf, size_t len);

/* Writes len bytes at offset; they are stored when it returns (the next run of the machine reads
 * them).
 * @retval C9_OK
 * @retval C9_ERR_RANGE  offset + len beyond c9_port_nvm_size()
 * @retval C9_ERR_NOSYS  no non-volatile memory
 * @retval C9_ERR_IO     storing failed; the memory holds what it held before (CircuitPython:
 *                       RuntimeError "Unable to write to nvm.") */
c9_err_t c9_port_nvm_write(size_t offset, const void *buf, size_t len);

/* ---- odds and ends ----------------------------------------------------------------------------- */

/* len bytes from the machine's random source (os.urandom).
 * @retval C9_OK  @retval C9_ERR_IO  @retval C9_ERR_NOSYS  no hardware random source */
c9_err_t c9_port_random(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_PORT_H */
