"""Audio on virtual boards, as a user runs it: code.py plays WaveFiles and RawSamples through a
Mixer on PWMAudioOut and I2SOut, `circuit9 run --audio-out` records what the outputs play, and the
recording is compared sample for sample with what numpy computes from the same inputs and
docs/audio.md's rules (mixing arithmetic, each output's conversion, when the DMA takes buffers).
The WAV files the program plays are written here with Python's wave module."""
import wave

import numpy as np

RATE = 16000
BLOCK = 128  # frames in each of the Mixer's buffers (buffer_size=512, 16-bit mono)


def write_wav(path, frames, channels, width, rate):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(np.asarray(frames, dtype="<i2" if width == 2 else "u1").tobytes())


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int64)
        return w.getframerate(), data.reshape(-1, w.getnchannels())


def scale(x, level):
    """CircuitPython's mixer level: q = trunc(level * 32768) and x * (q / 32767) truncated,
    both in single precision, saturated to 16 bits."""
    q = np.float32(np.clip(np.float32(level), 0, 1)) * np.float32(32768)
    mul = np.float32(np.uint16(q)) / np.float32(32767)
    return np.clip(np.trunc(np.asarray(x).astype(np.float32) * mul), -32768, 32767).astype(np.int64)


CODE = """
import array, time, board, audiocore, audiomixer, audiopwmio, audiobusio
tone = array.array("h", %(tone)r)
mixer = audiomixer.Mixer(voice_count=2, channel_count=1, sample_rate=%(rate)d, buffer_size=512)
pwm = audiopwmio.PWMAudioOut(board.GP0)
start = time.monotonic_ns()
pwm.play(mixer)
mixer.voice[0].play(audiocore.WaveFile("drum.wav"))
mixer.voice[1].play(audiocore.RawSample(tone, sample_rate=%(rate)d), loop=True)
mixer.voice[1].level = 0.4
time.sleep(0.25)
mixer.voice[1].level = 0.8
time.sleep(0.25)
pwm.stop()
i2s = audiobusio.I2SOut(board.GP10, board.GP11, board.GP12)
i2s_start = time.monotonic_ns()
i2s.play(audiocore.WaveFile(open("stereo8.wav", "rb")))
polls = 0
while i2s.playing:
    polls += 1
time.sleep(0.1)
print("times", start, i2s_start, time.monotonic_ns(), polls)
"""


def test_mixer_on_pwm_then_i2s_recorded_sample_exact(drive, board, tmp_path):
    rng = np.random.default_rng(9)
    drum = (np.sin(np.arange(3000) * 0.21) * np.linspace(32000, 0, 3000)).astype(np.int16)
    write_wav(drive / "drum.wav", drum, 1, 2, RATE)
    stereo8 = rng.integers(0, 256, size=(900, 2)).astype(np.uint8)
    write_wav(drive / "stereo8.wav", stereo8, 2, 1, 11025)
    tone = [int(v) for v in (np.sin(np.arange(40) * 2 * np.pi / 40) * 24000).astype(np.int16)]
    (drive / "code.py").write_text(CODE % {"tone": tone, "rate": RATE})
    out = tmp_path / "out.wav"
    b = board(drive, "--board", "pico", "--runs", "1", "--audio-out", str(out))
    assert b.wait() == 0, b.text
    line = [x for x in b.text.splitlines() if x.startswith("times")]
    assert line, b.text
    start, i2s_start, end, polls = (int(v) for v in line[0].split()[1:])

    # PWMAudioOut on an RP2040: 10-bit levels at the mixer's rate from play() until the program
    # ends (its outputs are reset then), quiescent (512) after stop().
    rate, pwm = read_wav(out)
    assert rate == RATE and pwm.shape[1] == 1
    assert len(pwm) == (end - start) * RATE // 10**9
    assert len(pwm) > 8000
    levels = (pwm[:, 0] + 32768) >> 6
    # The output took the mixer's first two buffers at play(), before the voices started; mixer
    # buffer m (m >= 2) is rendered when frame 128 * (m - 1) starts and heard from frame 128 * m.
    # The level change at frame 4000 is in every buffer rendered after it: from buffer 33.
    n = 8000  # frames until stop()
    f = np.arange(n)
    k = f - 2 * BLOCK  # frames into the voices
    m = f // BLOCK
    drum_part = np.where((k >= 0) & (k < len(drum)), drum[np.clip(k, 0, len(drum) - 1)], 0)
    tone_a = np.array(tone)[np.clip(k, 0, None) % len(tone)]
    mix = np.clip(scale(drum_part, 1.0) + np.where(m >= 33, scale(tone_a, 0.8), scale(tone_a, 0.4)), -32768, 32767)
    mix[k < 0] = 0
    want = (mix + 32768) >> 6
    assert np.array_equal(levels[:n], want)
    assert np.all(levels[n:] == 512)

    # I2SOut on an RP2040: 16-bit stereo; 8-bit unsigned samples scaled by 257 and offset by
    # -32768 (the DMA's conversion), then silence until the program ends.
    rate, i2s = read_wav(tmp_path / "out-2.wav")
    assert rate == 11025 and i2s.shape[1] == 2
    assert len(i2s) == (end - i2s_start) * 11025 // 10**9
    converted = stereo8.astype(np.int64) * 257 - 32768
    assert np.array_equal(i2s[:900], converted)
    assert np.all(i2s[900:] == 0)
    assert len(i2s) - 900 in (1102, 1103)  # time.sleep(0.1) after the last frame's block ended
    # `while i2s.playing: pass` waited for the DMA's block ends: the WaveFile's 256-byte buffers
    # are 128 stereo frames, 8 blocks (the last of 4 frames).
    assert polls == 8


ESP32_CODE = """
import array, time, board, audiocore, audiobusio
s = audiocore.RawSample(array.array("B", %(u8)r), sample_rate=8000)
i2s = audiobusio.I2SOut(board.D5, board.D6, board.D9)
i2s.play(s, loop=True)
time.sleep(0.004)
i2s.pause()
time.sleep(0.001)
i2s.resume()
time.sleep(0.001)
i2s.stop()
time.sleep(0.001)
i2s.deinit()
"""


def test_esp32_i2s_loop_pause_stop_frames(drive, board, tmp_path):
    """I2S on an ESP32-S3 (audiocore's shift conversion: (u8 - 128) * 256): a looped RawSample
    paused, resumed and stopped at exact frames; a paused I2S output is silent."""
    u8 = [0, 40, 128, 200, 255]
    (drive / "code.py").write_text(ESP32_CODE % {"u8": u8})
    out = tmp_path / "e.wav"
    b = board(drive, "--board", "feather_s3_tft", "--runs", "1", "--audio-out", str(out))
    assert b.wait() == 0, b.text
    rate, got = read_wav(out)
    assert rate == 8000 and len(got) == 56
    conv = (np.array(u8) - 128) * 256
    want = np.concatenate([conv[np.arange(32) % 5], np.zeros(8), conv[np.arange(32, 40) % 5], np.zeros(8)])
    assert np.array_equal(got[:, 0], want)
    assert np.array_equal(got[:, 1], want)


ERRORS = """
import board, audiopwmio, audiobusio
for make in (lambda: audiopwmio.PWMAudioOut(board.GP0, right_channel=board.GP2),
             lambda: audiobusio.I2SOut(board.GP10, board.GP12, board.GP13),
             lambda: audiobusio.I2SOut(board.GP10, board.GP11, board.GP13, main_clock=board.GP14)):
    try:
        make()
    except Exception as e:
        print(type(e).__name__, e)
a = audiopwmio.PWMAudioOut(board.GP4, right_channel=board.GP5)
try:
    audiopwmio.PWMAudioOut(board.GP0)  # the pins of the failed outputs were given back
    print("GP0 free")
except Exception as e:
    print(type(e).__name__, e)
"""


def test_rp2040_pin_rules(drive, board):
    (drive / "code.py").write_text(ERRORS)
    b = board(drive, "--board", "pico", "--runs", "1")
    assert b.wait() == 0, b.text
    assert "ValueError Pins must share PWM slice" in b.text
    assert "ValueError Bit clock and word select must be sequential GPIO pins" in b.text
    assert "NotImplementedError main_clock" in b.text
    assert "GP0 free" in b.text


def test_modules_follow_the_board(drive, board):
    """memento's CircuitPython build has no audio modules; the SAMD21 has audiocore and audiobusio
    but no audiomixer or audiopwmio."""
    (drive / "code.py").write_text(
        "for n in ('audiocore', 'audiomixer', 'audiopwmio', 'audiobusio'):\n"
        "    try:\n        __import__(n)\n        print(n, 'yes')\n"
        "    except ImportError as e:\n        print(n, 'no')\n")
    b = board(drive, "--board", "memento", "--runs", "1")
    assert b.wait() == 0
    assert all(f"{n} no" in b.text for n in ("audiocore", "audiomixer", "audiopwmio", "audiobusio"))
    b = board(drive, "--board", "samd21_oled", "--runs", "1")
    assert b.wait() == 0
    assert "audiocore yes" in b.text and "audiobusio yes" in b.text
    assert "audiomixer no" in b.text and "audiopwmio no" in b.text


ONE_SECOND = """
import array, time, board, audiocore, audiopwmio
s = audiocore.RawSample(array.array("h", [(i * 7919) % 20000 - 10000 for i in range(8000)]), sample_rate=8000)
out = audiopwmio.PWMAudioOut(board.GP2)
out.play(s)
time.sleep(1)
print("slept", time.monotonic_ns())
"""


def test_stepped_clock_one_second(drive, board, tmp_path):
    """A program that plays a one-second sample and sleeps a second records exactly one second,
    the same bytes on every run, whatever the host's speed."""
    (drive / "code.py").write_text(ONE_SECOND)
    files = []
    for run in range(2):
        out = tmp_path / ("run%d.wav" % run)
        b = board(drive, "--board", "pico", "--runs", "1", "--audio-out", str(out))
        assert b.wait() == 0, b.text
        files.append(out.read_bytes())
    assert files[0] == files[1]
    rate, got = read_wav(tmp_path / "run0.wav")
    assert (rate, len(got)) == (8000, 8000)
    want = ((np.array([(i * 7919) % 20000 - 10000 for i in range(8000)]) + 32768) >> 6)
    assert np.array_equal((got[:, 0] + 32768) >> 6, want)


def test_stepped_clock_without_audio(drive, board):
    """--clock stepped alone: a long sleep is over at once and takes exactly its time."""
    (drive / "code.py").write_text("import time\nt = time.monotonic_ns()\ntime.sleep(100)\n"
                                   "print('slept', time.monotonic_ns() - t)\n")
    b = board(drive, "--runs", "1", "--clock", "stepped")
    assert b.wait() == 0, b.text
    assert "slept 100000000000" in b.text
